/**
 * Where `effect-wandb export` writes the rows of one file: a CSV or NDJSON text file, or a
 * Parquet file (`ParquetSink`, loaded only when Parquet is asked for: its writer library stays
 * out of every other command's start).
 *
 * @since 0.1.0
 */
import type { InvalidArgument } from "@effect-wandb/core/Errors"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import type { ExportFormat } from "./ExportCommand.js"
import * as Output from "./Output.js"

/**
 * A sink for the rows of one file: rows in, then finish (also after a failure, to close the file).
 *
 * @since 0.1.0
 * @category models
 */
export interface RowSink {
  readonly write: (rows: ReadonlyArray<Output.Row>) => Effect.Effect<void, InvalidArgument>
  readonly finish: Effect.Effect<void>
}

/** Appends rows to `file` as CSV (with a header line first when `header`) or NDJSON. */
const textSink = (file: string, format: "csv" | "ndjson", columns: ReadonlyArray<string>, header: boolean): RowSink => {
  const fd = fs.openSync(file, "a")
  if (format === "csv" && header) fs.writeSync(fd, Output.csvLine(columns))
  return {
    write: (rows) =>
      Effect.sync(() => {
        const text = rows.map((row) =>
          format === "csv" ? Output.csvLine(columns.map((c) => row[c])) : Output.jsonText(Output.project(row, columns)) + "\n"
        ).join("")
        fs.writeSync(fd, text)
      }),
    finish: Effect.sync(() => fs.closeSync(fd))
  }
}

/**
 * Opens the sink of `file` in `format` with these columns. `constants` are the columns with one
 * value per file (config and summary values: a Parquet column is a string unless they are numbers).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  format: ExportFormat,
  file: string,
  columns: ReadonlyArray<string>,
  constants: Output.Row,
  rowGroup: number,
  header: boolean
): Effect.Effect<RowSink> =>
  format === "parquet"
    ? Effect.map(Effect.promise(() => import("./ParquetSink.js")), (module) => module.make(file, columns, constants, rowGroup))
    : Effect.sync(() => textSink(file, format, columns, header))
