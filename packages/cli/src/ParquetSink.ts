/**
 * The Parquet sink of `effect-wandb export` (hyparquet-writer), in a module of its own so that
 * only an export to Parquet loads the writer.
 *
 * @since 0.1.0
 */
import { InvalidArgument } from "@effect-wandb/core/Errors"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { fileWriter, ParquetWriter, schemaFromColumnData } from "hyparquet-writer"
import * as Output from "./Output.js"
import type * as RowSink from "./RowSink.js"

/**
 * Writes rows to a Parquet file in row groups of `rowGroup` rows: `run` and string-valued
 * `constants` as strings, `_step` as a 64-bit integer, every other column as a double (a value
 * that is not a number fails the write with `InvalidArgument`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (file: string, columns: ReadonlyArray<string>, constants: Output.Row, rowGroup: number): RowSink.RowSink => {
  const typeOf = (column: string) =>
    column === "_step" ? "INT64" : column === "run" || (column in constants && !Predicate.isNumber(constants[column])) ? "STRING" : "DOUBLE"
  const types = columns.map(typeOf)
  const schema = schemaFromColumnData({
    columnData: columns.map((name, i) => ({ name, data: [], type: types[i] as "STRING", nullable: name !== "run" && name !== "_step" }))
  })
  const writer = new ParquetWriter({ writer: fileWriter(file), schema, createdBy: "effect-wandb" })
  let buffer: Array<Array<unknown>> = columns.map(() => [])
  let buffered = 0
  const flush = () => {
    if (buffered === 0) return
    writer.write({
      columnData: columns.map((name, i) => ({ name, data: buffer[i]!, type: types[i] as "STRING", nullable: true })),
      rowGroupSize: buffered
    })
    buffer = columns.map(() => [])
    buffered = 0
  }
  return {
    write: (rows) =>
      Effect.suspend(() => {
        for (const row of rows) {
          for (let i = 0; i < columns.length; i++) {
            const value = row[columns[i]!] ?? null
            if (types[i] === "DOUBLE" && value !== null && !Predicate.isNumber(value)) {
              return Effect.fail(
                new InvalidArgument({
                  argument: "--format",
                  reason: `${String(row.run)} step ${String(row._step)}: ${columns[i]} is not a number (${
                    Output.jsonText(value).slice(0, 60)
                  }); Parquet columns of metrics are doubles: export as ndjson or csv`
                })
              )
            }
            buffer[i]!.push(types[i] === "INT64" ? BigInt(value as number) : types[i] === "STRING" && value !== null && typeof value !== "string" ? Output.jsonText(value) : value)
          }
          if (++buffered >= rowGroup) flush()
        }
        return Effect.void
      }),
    finish: Effect.sync(() => {
      flush()
      writer.finish()
    })
  }
}
