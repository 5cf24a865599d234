/**
 * The `effect-wandb` commands: each parses its arguments, calls the library and renders the
 * result with {@link Output}. Failures stay typed (`WandbError`); `Main` turns them into one
 * line on stderr and an exit code ({@link ExitCode}).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Download from "@effect-wandb/core/Download"
import * as History from "@effect-wandb/core/History"
import { FileNotFound, InvalidArgument } from "@effect-wandb/core/Errors"
import type * as Run from "@effect-wandb/core/Run"
import type * as RunFilters from "@effect-wandb/core/RunFilters"
import { WandbApi } from "@effect-wandb/core/WandbApi"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as ArtifactCommands from "./ArtifactCommands.js"
import * as Client from "./Client.js"
import * as ExitCode from "./ExitCode.js"
import * as GlobalOptions from "./GlobalOptions.js"
import * as LifecycleCommands from "./LifecycleCommands.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as Stdio from "./Stdio.js"

const common = { format: GlobalOptions.format, ...GlobalOptions.connection }

const runPathArg = Args.text({ name: "run path" }).pipe(
  Args.withDescription("entity/project/run_id (also entity/project/runs/run_id, project/run_id, run_id)")
)

/** Splits a comma-separated list flag (`--fields a,b`, `--keys loss,acc`), dropping blanks. */
const listFlag = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.map((text) => text.split(",").map((s) => s.trim()).filter((s) => s !== "")),
    Options.optional
  )

const positiveInt = (name: string, value: Option.Option<number>): Effect.Effect<Option.Option<number>, InvalidArgument> =>
  Option.match(value, {
    onNone: () => Effect.succeedNone,
    onSome: (n) =>
      n >= 1 ? Effect.succeedSome(n) : Effect.fail(new InvalidArgument({ argument: `--${name}`, reason: `expected a positive integer, got ${n}` }))
  })

/**
 * Parses the `--filter` flag: a JSON object (Mongo-style run filter).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseFilter = (text: string): Effect.Effect<RunFilters.RunFilters, InvalidArgument> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (e) => new InvalidArgument({ argument: "--filter", reason: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` })
  }).pipe(
    Effect.filterOrFail(
      (value): value is RunFilters.RunFilters => Predicate.isRecord(value),
      () => new InvalidArgument({ argument: "--filter", reason: "expected a JSON object such as {\"state\": \"finished\"}" })
    )
  )

const emit = <E, R>(
  format: Output.Format,
  columns: ReadonlyArray<string>,
  rows: Stream.Stream<unknown, E, R>,
  wholeRecords: boolean
) => Stdio.outStream(Output.render(format, columns, rows, { wholeRecords }))

/**
 * The columns `runs` shows when `--fields` is not given.
 *
 * @since 0.1.0
 * @category columns
 */
export const defaultRunColumns: ReadonlyArray<string> = ["id", "name", "state", "createdAt", "tags"]

const withPath = <A extends { readonly pathString: string }>(value: A) => ({ path: value.pathString, ...(Output.toJson(value) as object) })

const projects = Command.make(
  "projects",
  { entityName: Args.text({ name: "entity" }).pipe(Args.optional), ...common },
  (o) =>
    Client.withApi(o, (api) =>
      emit(
        GlobalOptions.resolveFormat(o.format),
        ["entity", "name", "createdAt", "url"],
        api.projects(Option.getOrUndefined(o.entityName)),
        true
      ))
).pipe(Command.withDescription("List the projects of an entity (default: --entity, WANDB_ENTITY, else the API key's user)."))

const runs = Command.make(
  "runs",
  {
    path: Args.text({ name: "entity/project" }),
    filter: Options.text("filter").pipe(
      Options.withDescription(
        "Mongo-style JSON filter, e.g. '{\"state\":\"finished\",\"config.lr\":{\"$lte\":0.01}}' ($and $or $nor $eq $ne $gt $gte $lt $lte $in $nin $exists $regex over state, tags, config.<k>, summary.<k>, …)"
      ),
      Options.optional
    ),
    order: Options.text("order").pipe(
      Options.withDescription("Sort key with + (ascending) or - (descending), e.g. -summary.accuracy (default +created_at)"),
      Options.optional
    ),
    limit: Options.integer("limit").pipe(Options.withDescription("Stop after this many runs"), Options.optional),
    fields: listFlag("fields", `Comma-separated columns (dotted paths such as config.lr, summary.loss); default ${defaultRunColumns.join(",")}`),
    ...common
  },
  (o) =>
    Effect.gen(function*() {
      const filters = Option.isSome(o.filter) ? yield* parseFilter(o.filter.value) : undefined
      const limit = yield* positiveInt("limit", o.limit)
      const perPage = Option.getOrUndefined(Option.map(limit, (n) => Math.min(n, 1000)))
      yield* Client.withApi(o, (api) => {
        const listing = api.runs(o.path, { filters, order: Option.getOrUndefined(o.order), perPage })
        const limited = Option.match(limit, { onNone: () => listing, onSome: (n) => Stream.take(listing, n) })
        return emit(
          GlobalOptions.resolveFormat(o.format),
          Option.getOrElse(o.fields, () => defaultRunColumns),
          Stream.map(limited, withPath),
          Option.isNone(o.fields)
        )
      })
    })
).pipe(Command.withDescription("List the runs of a project, optionally filtered, ordered and limited."))

/**
 * The fields of a run shown by `run` in table form (the JSON forms carry every field).
 *
 * @since 0.1.0
 * @category columns
 */
export const runOverview = (run: Run.Run): Output.Row => ({
  path: run.pathString,
  name: run.name,
  state: run.state,
  url: run.url,
  createdAt: run.createdAt,
  heartbeatAt: run.heartbeatAt,
  user: run.user?.username ?? run.user?.name ?? null,
  tags: run.tags,
  group: run.group,
  jobType: run.jobType,
  sweep: run.sweepName,
  notes: run.notes,
  historyLineCount: run.historyLineCount,
  lastStep: run.historyKeys.lastStep,
  config: run.config,
  summary: run.summary,
  systemMetrics: run.systemMetrics
})

// the path is optional only so that `run delete …` reaches its subcommand; a missing path is a usage error
const run = Command.make("run", { path: Args.optional(runPathArg), ...common }, (o) =>
  Option.match(o.path, {
    onNone: () => new InvalidArgument({ argument: "run path", reason: "missing: effect-wandb run <run path>" }),
    onSome: (path) =>
      Client.withApi(o, (api) =>
        Effect.gen(function*() {
          const r = yield* api.run(path)
          const lineage = yield* ArtifactCommands.runArtifacts(r)
          const format = GlobalOptions.resolveFormat(o.format)
          return yield* Stdio.out(
            Output.renderOne(format, { ...(format === "table" || format === "csv" ? runOverview(r) : withPath(r)), ...lineage })
          )
        }))
  })).pipe(
    Command.withDescription("Show one run: metadata, config, summary, system metrics and the artifacts it logged and used (`run delete` deletes one)."),
    Command.withSubcommands([LifecycleCommands.runDelete])
  )

const sweep = Command.make(
  "sweep",
  { path: Args.text({ name: "sweep path" }).pipe(Args.withDescription("entity/project/sweep_id (also …/sweeps/sweep_id)")), ...common },
  (o) =>
    Client.withApi(o, (api) =>
      Effect.gen(function*() {
        const s = yield* api.sweep(o.path)
        const runIds = yield* Stream.runCollect(Stream.map(api.sweepRuns(s), (r) => r.id))
        const format = GlobalOptions.resolveFormat(o.format)
        const { configYaml, ...fields } = Output.toJson(s) as Record<string, unknown>
        const record = { path: s.path.join("/"), ...fields, ...(format === "table" ? {} : { configYaml }), runs: Chunk.toReadonlyArray(runIds) }
        yield* Stdio.out(Output.renderOne(format, record))
      }))
).pipe(Command.withDescription("Show one sweep: method, state, best loss, config and its runs."))

const files = Command.make("files", { path: runPathArg, ...common }, (o) =>
  Client.withApi(o, (api) =>
    emit(GlobalOptions.resolveFormat(o.format), ["name", "sizeBytes", "mimetype", "updatedAt", "md5"], api.files(o.path), false)
  )).pipe(Command.withDescription("List the files of a run."))

/** Picks the files to download: all of them, or exactly the named ones (a name the run lacks is a `FileNotFound`). */
const selectFiles = (api: WandbApi.Service, path: string, names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const listed = yield* Stream.runCollect(api.files(path, names.length > 0 ? { names } : undefined))
    const found = Chunk.toReadonlyArray(listed)
    const missing = names.find((name) => !found.some((f) => f.name === name))
    if (missing !== undefined) {
      const r = yield* api.run(path)
      return yield* new FileNotFound({ runPath: r.pathString, name: missing })
    }
    // the files named, in the order named (each once); every file, in the server's order
    return names.length === 0 ? found : [...new Set(names)].map((name) => found.find((f) => f.name === name)!)
  })

const download = Command.make(
  "download",
  {
    path: runPathArg,
    names: Args.text({ name: "name" }).pipe(Args.withDescription("File names to download (default: every file)"), Args.repeated),
    root: Options.text("root").pipe(Options.withDescription("Directory to download into"), Options.withDefault(".")),
    replace: Options.boolean("replace").pipe(Options.withDescription("Overwrite files that already exist")),
    concurrency: Options.integer("concurrency").pipe(Options.withDescription("Files downloaded at once"), Options.withDefault(4)),
    ...common
  },
  (o) =>
    Effect.gen(function*() {
      const concurrency = yield* positiveInt("concurrency", Option.some(o.concurrency))
      yield* Client.withApi(o, (api) =>
        Effect.gen(function*() {
          const selected = yield* selectFiles(api, o.path, o.names)
          const progress = yield* Progress.make("download", "bytes")
          // Files end in whatever order their downloads finish: the report follows the order asked for.
          const finished: Array<{ index: number; name: string; path: string; bytes: number }> = []
          const failures: Array<{ index: number; error: Download.DownloadError }> = []
          yield* Stream.runForEach(
            Download.downloadAll(selected, { root: o.root, replace: o.replace, concurrency: Option.getOrUndefined(concurrency) }),
            (event) => {
              switch (event._tag) {
                case "Finished":
                  finished.push({ index: event.index, name: event.name, path: event.path, bytes: event.bytes })
                  break
                case "Failed":
                  failures.push({ index: event.index, error: event.error })
                  break
              }
              return progress.update(event.overall.bytesDone, event.overall.totalBytes)
            }
          )
          const inOrder = <A extends { readonly index: number }>(items: Array<A>) => items.sort((a, b) => a.index - b.index)
          // rendering keeps only these columns (not the index)
          yield* Stdio.outStream(
            Output.render(GlobalOptions.resolveFormat(o.format), ["name", "path", "bytes"], Stream.fromIterable(inOrder(finished)))
          )
          // One line per failed file; the first file that failed decides the exit code (its line comes last).
          const [first, ...others] = inOrder(failures)
          for (const failure of others) yield* Stdio.errLine(ExitCode.errorLine(failure.error))
          if (first !== undefined) return yield* Effect.fail(first.error)
        }).pipe(Effect.scoped))
    })
).pipe(Command.withDescription("Download files of a run (checked against their md5; existing files are kept unless --replace)."))

/**
 * The columns of a full scan: `_step`, then `_runtime` and `_timestamp` when logged, then the
 * run's other history keys in alphabetical order (or `_step` and the requested keys).
 *
 * @since 0.1.0
 * @category columns
 */
export const scanColumns = (run: Run.Run, keys: ReadonlyArray<string> | undefined): ReadonlyArray<string> => {
  const present = keys ?? Object.keys(run.historyKeys.keys)
  const special = ["_runtime", "_timestamp"].filter((k) => present.includes(k))
  const rest = present.filter((k) => k !== "_step" && !special.includes(k))
  return ["_step", ...special, ...(keys === undefined ? rest.sort() : rest)]
}

const keysFlag = listFlag("keys", "Comma-separated metric keys (default: every key)")

const history = Command.make(
  "history",
  {
    path: runPathArg,
    samples: Options.integer("samples").pipe(
      Options.withDescription("How many rows to sample, evenly spread and keeping the first and last"),
      Options.withDefault(500)
    ),
    keys: keysFlag,
    stream: Options.choice("stream", ["default", "system"]).pipe(
      Options.withDescription("default: logged metrics; system: CPU/GPU/memory events"),
      Options.withDefault("default" as const)
    ),
    outer: Options.boolean("outer").pipe(
      Options.withDescription("With several --keys, keep rows that have any of them (missing values empty) instead of only rows that have all")
    ),
    ...common
  },
  (o) =>
    Effect.zipRight(positiveInt("samples", Option.some(o.samples)), Client.withApi(o, (api) =>
      Effect.gen(function*() {
        const r = yield* api.run(o.path)
        const sampled = yield* History.history(r, {
          samples: o.samples,
          keys: Option.getOrUndefined(o.keys),
          stream: o.stream,
          join: o.outer ? "outer" : "inner"
        })
        const columns = [sampled.xAxis, ...Object.keys(sampled.columns).filter((k) => k !== sampled.xAxis)]
        yield* emit(GlobalOptions.resolveFormat(o.format), columns, Stream.fromIterable(sampled.rows), false)
      })))
).pipe(Command.withDescription("Sampled history of a run (a few hundred rows spread over the whole run), for a quick look or a plot."))

const scan = Command.make(
  "scan",
  {
    path: runPathArg,
    keys: keysFlag,
    pageSize: Options.integer("page-size").pipe(Options.withDescription("Rows per request"), Options.withDefault(1000)),
    minStep: Options.integer("min-step").pipe(Options.withDescription("First step (inclusive)"), Options.optional),
    maxStep: Options.integer("max-step").pipe(Options.withDescription("Last step (exclusive)"), Options.optional),
    concurrency: Options.integer("concurrency").pipe(
      Options.withDescription("Requests in flight at once (default 16); lower it when W&B answers with rate limits"),
      Options.optional
    ),
    ...common
  },
  (o) =>
    Effect.zipRight(
      Effect.all([positiveInt("page-size", Option.some(o.pageSize)), positiveInt("concurrency", o.concurrency)]),
      Client.withApi(o, (api) =>
      Effect.gen(function*() {
        const r = yield* api.run(o.path)
        const keys = Option.getOrUndefined(o.keys)
        const progress = yield* Progress.make("scan", "rows")
        const rows = progress.counting(
          History.scanHistory(r, {
            keys,
            pageSize: o.pageSize,
            minStep: Option.getOrUndefined(o.minStep),
            maxStep: Option.getOrUndefined(o.maxStep),
            concurrency: Option.getOrUndefined(o.concurrency)
          }),
          r.historyLineCount
        )
        yield* emit(GlobalOptions.resolveFormat(o.format), scanColumns(r, keys), rows, true)
      }).pipe(Effect.scoped)))
).pipe(Command.withDescription("Every history row of a run, in step order, streamed page by page (e.g. --format csv > history.csv)."))

/**
 * Every subcommand, in help order.
 *
 * @since 0.1.0
 * @category commands
 */
export const subcommands = [
  projects,
  runs,
  run,
  sweep,
  files,
  download,
  history,
  scan,
  LifecycleCommands.project,
  LifecycleCommands.sweeps,
  LifecycleCommands.logs
] as const
