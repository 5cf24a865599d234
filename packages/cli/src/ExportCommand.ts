/**
 * `effect-wandb export <entity/project> --to DIR|FILE [--format parquet|csv|ndjson]`: every
 * history row of every run of a project (optionally filtered), one row per (run, step), with
 * chosen config and summary values joined as columns.
 *
 * - `--to DIR` (an existing directory, or a path ending in `/`): one file per run,
 *   `<run_id>.<format>`. Each is written as `<name>.partial` and renamed when complete, so a
 *   re-run skips the runs already exported complete (resumable) and redoes an interrupted one.
 * - `--to FILE`: all runs in one file, written as `FILE.partial` and renamed at the end (not
 *   resumable: an interrupted export starts again).
 *
 * Memory stays bounded: rows stream from `History.scanHistory` page by page and are written
 * as they come (Parquet: in row groups of `--row-group` rows). Runs are exported
 * `--concurrency` at a time. Parquet columns: `run` and the config/summary columns as
 * strings or doubles, `_step` as a 64-bit integer, each metric as a double — a metric whose
 * value is not a number (a string, a media object) stops the export of that file with a usage
 * error naming it, rather than losing it (export it as ndjson or csv).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { InvalidArgument } from "@effect-wandb/core/Errors"
import * as History from "@effect-wandb/core/History"
import type * as Run from "@effect-wandb/core/Run"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Client from "./Client.js"
import { parseFilter } from "./Commands.js"
import * as GlobalOptions from "./GlobalOptions.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as RowSink from "./RowSink.js"
import * as Stdio from "./Stdio.js"

/**
 * @since 0.1.0
 * @category models
 */
export type ExportFormat = "parquet" | "csv" | "ndjson"

const list = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.map((text) => text.split(",").map((s) => s.trim()).filter((s) => s !== "")),
    Options.withDefault([] as ReadonlyArray<string>)
  )

/** The columns of a run's rows: run, _step, metrics, then config.<k> and summary.<k>. */
const columnsFor = (
  run: Run.Run,
  keys: ReadonlyArray<string>,
  configKeys: ReadonlyArray<string>,
  summaryKeys: ReadonlyArray<string>
): ReadonlyArray<string> => {
  const metrics = keys.length > 0 ? keys : Object.keys(run.historyKeys.keys).filter((k) => k !== "_step").sort()
  return ["run", "_step", ...metrics, ...configKeys.map((k) => `config.${k}`), ...summaryKeys.map((k) => `summary.${k}`)]
}

const extension = (format: ExportFormat) => (format === "parquet" ? "parquet" : format)

/** Exports one run into `sink`; returns the rows written. */
const exportRun = (
  run: Run.Run,
  sink: RowSink.RowSink,
  columns: ReadonlyArray<string>,
  constants: Output.Row,
  options: { readonly keys: ReadonlyArray<string>; readonly pageSize: number },
  progress: (rows: number) => Effect.Effect<void>
) =>
  History.scanHistory(run, { keys: options.keys.length > 0 ? options.keys : undefined, join: "outer", pageSize: options.pageSize })
    .pipe(
      Stream.mapChunksEffect((chunk) => {
        const rows = Chunk.toReadonlyArray(chunk).map((row): Output.Row => ({ run: run.id, ...row, ...constants }))
        return Effect.as(Effect.zipRight(sink.write(rows), progress(rows.length)), chunk)
      }),
      Stream.runCount
    )
    .pipe(Effect.map((rows) => ({ columns, rows })))

/** The config/summary values of a run as columns. */
const constantsOf = (run: Run.Run, configKeys: ReadonlyArray<string>, summaryKeys: ReadonlyArray<string>): Output.Row => {
  const out: Record<string, unknown> = {}
  for (const k of configKeys) out[`config.${k}`] = run.config[k] ?? null
  for (const k of summaryKeys) out[`summary.${k}`] = run.summary[k] ?? null
  return out
}

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "export",
  {
    path: Args.text({ name: "entity/project" }),
    to: Options.text("to").pipe(Options.withDescription("A directory (one file per run, resumable) or a file (all runs)")),
    exportFormat: Options.choice("format", ["parquet", "csv", "ndjson"] as const).pipe(
      Options.withDescription("File format (default: parquet)"),
      Options.withDefault("parquet" as const)
    ),
    filter: Options.text("filter").pipe(Options.withDescription("Mongo-style JSON run filter, as for `runs`"), Options.optional),
    keys: list("keys", "Comma-separated metric keys (default: every key of each run)"),
    configKeys: list("config-keys", "Config keys to add as config.<key> columns"),
    summaryKeys: list("summary-keys", "Summary keys to add as summary.<key> columns"),
    concurrency: Options.integer("concurrency").pipe(Options.withDescription("Runs exported at once"), Options.withDefault(2)),
    pageSize: Options.integer("page-size").pipe(Options.withDescription("History rows per request"), Options.withDefault(1000)),
    rowGroup: Options.integer("row-group").pipe(Options.withDescription("Parquet rows per row group"), Options.withDefault(10000)),
    ...GlobalOptions.connection
  },
  (o) =>
    Effect.gen(function*() {
      for (const [name, value] of [["concurrency", o.concurrency], ["page-size", o.pageSize], ["row-group", o.rowGroup]] as const) {
        if (value < 1) return yield* new InvalidArgument({ argument: `--${name}`, reason: `expected a positive integer, got ${value}` })
      }
      const filters = Option.isSome(o.filter) ? yield* parseFilter(o.filter.value) : undefined
      const toDir = o.to.endsWith("/") || (fs.existsSync(o.to) && fs.statSync(o.to).isDirectory())
      const format: ExportFormat = o.exportFormat
      yield* Client.withApi(o, (api) =>
        Effect.gen(function*() {
          const runs = Chunk.toReadonlyArray(yield* Stream.runCollect(api.runs(o.path, { filters, perPage: 200 })))
          const progress = yield* Progress.make("export", "rows")
          const total = runs.reduce((n, r) => n + r.historyLineCount, 0)
          let done = 0
          const advance = (rows: number) => progress.update((done += rows), total)
          const options = { keys: o.keys, pageSize: o.pageSize }
          const summary = { runs: runs.length, exported: 0, skipped: 0, rows: 0, to: o.to }
          if (toDir) {
            fs.mkdirSync(o.to, { recursive: true })
            yield* Effect.forEach(runs, (run) =>
              Effect.gen(function*() {
                const file = path.join(o.to, `${run.id}.${extension(format)}`)
                if (fs.existsSync(file)) {
                  summary.skipped++
                  return yield* advance(run.historyLineCount)
                }
                const partial = `${file}.partial`
                fs.rmSync(partial, { force: true })
                const columns = columnsFor(run, o.keys, o.configKeys, o.summaryKeys)
                const constants = constantsOf(run, o.configKeys, o.summaryKeys)
                const sink = yield* RowSink.make(format, partial, columns, constants, o.rowGroup, true)
                const { rows } = yield* Effect.onError(exportRun(run, sink, columns, constants, options, advance), () => sink.finish)
                yield* sink.finish
                fs.renameSync(partial, file)
                summary.exported++
                summary.rows += rows
              }), { concurrency: o.concurrency, discard: true })
          } else {
            // one file: the columns of every run, in order of first appearance
            const columns = [...new Set(runs.flatMap((run) => columnsFor(run, o.keys, o.configKeys, o.summaryKeys)))]
            const partial = `${o.to}.partial`
            fs.rmSync(partial, { force: true })
            const numericConstants = Object.fromEntries(
              columns.filter((c) => c.startsWith("config.") || c.startsWith("summary."))
                .map((c) => [c, runs.every((run) => Predicate.isNumber(constantsOf(run, o.configKeys, o.summaryKeys)[c] ?? 0)) ? 0 : ""])
            )
            const sink = yield* RowSink.make(format, partial, columns, numericConstants, o.rowGroup, true)
            yield* Effect.onError(
              Effect.forEach(runs, (run) =>
                Effect.map(
                  exportRun(run, sink, columns, constantsOf(run, o.configKeys, o.summaryKeys), options, advance),
                  ({ rows }) => {
                    summary.exported++
                    summary.rows += rows
                  }
                ), { discard: true }),
              () => sink.finish
            )
            yield* sink.finish
            fs.renameSync(partial, o.to)
          }
          yield* Stdio.errLine(
            `exported ${summary.exported} of ${summary.runs} runs (${summary.rows} rows) to ${o.to}${
              summary.skipped > 0 ? `; ${summary.skipped} already complete, skipped` : ""
            }`
          )
        }).pipe(Effect.scoped))
    })
).pipe(
  Command.withDescription(
    "Export the history of every run of a project (one row per run and step) to Parquet, CSV or NDJSON; into a directory it is resumable."
  )
)
