/**
 * Histories of many runs: the reads behind dashboards and exports.
 *
 * - {@link histories}: a sampled history per run (as `History.history`), fetched for a whole
 *   page of runs in one request — `sampledHistory` (or `history(samples)` without keys)
 *   selected on each run of a runs page filtered to those runs, as W&B's web app does — with
 *   `concurrency` such requests at once. `mode: "perRun"` sends one `History.history` per run
 *   instead (same bound), for servers that refuse the batched form.
 * - {@link scanHistories}: full scans (`History.scanHistory`) of many runs, several runs at
 *   once under one global budget of requests in flight, each row tagged with its run.
 *
 * Results come in the order of the input runs. Long form (one `{ run, step, key, value }` per
 * value) is {@link toLong} / {@link historiesLong}.
 *
 * @example
 * ```ts
 * import { Histories, LightRuns } from "@effect-wandb/core"
 * import { Stream } from "effect"
 *
 * // loss and val_loss of every run of a project, 300 points each, 50 runs per request
 * const curves = Histories.histories(LightRuns.runs("acme-ml/mnist-cnn", { perPage: 500 }), {
 *   keys: ["loss", "val_loss"],
 *   samples: 300,
 *   join: "outer"
 * }).pipe(Stream.runCollect)
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { DecodeError, InvalidArgument, ProjectNotFound, RunNotFound } from "./Errors.js"
import * as GraphQLClient from "./GraphQLClient.js"
import * as History from "./History.js"
import type { SampledSpec } from "./internal/historyQueries.js"
import * as Rows from "./internal/historyRows.js"
import * as Specs from "./internal/historySpecs.js"

/**
 * A run's coordinates, as every result carries them.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunCoordinates {
  readonly entity: string
  readonly project: string
  readonly id: string
}

/**
 * The sampled history of one run (wide form: rows and columns, as `History.history`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RunHistory extends History.SampledHistory<History.HistoryRow> {
  readonly run: RunCoordinates
}

/**
 * One value of one run at one step (long form).
 *
 * @since 0.1.0
 * @category models
 */
export interface LongRow {
  /** `entity/project/id`. */
  readonly run: string
  readonly step: number
  readonly key: string
  readonly value: unknown
}

/**
 * Options of {@link histories}.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoriesOptions {
  /** Only these keys (as `History.history`); without, every key of each sampled row. */
  readonly keys?: ReadonlyArray<string> | undefined
  /** At most this many rows per run (default 500). */
  readonly samples?: number | undefined
  /** The x axis (default `_step`); rows without it are left out. */
  readonly xAxis?: string | undefined
  /** Row selection with `keys` (default `"inner"`), as `History.history`. */
  readonly join?: History.Join | undefined
  /** Runs per request in the batched mode (default 50, 1–1000). */
  readonly runsPerRequest?: number | undefined
  /** Requests at once (default 4). */
  readonly concurrency?: number | undefined
  /** `"batched"` (default) or `"perRun"` (one request per run). */
  readonly mode?: "batched" | "perRun" | undefined
}

/**
 * What {@link histories} and {@link scanHistories} fail with (besides the errors of the input
 * stream).
 *
 * @since 0.1.0
 * @category errors
 */
export type HistoriesError = History.HistoryError

const runsField = (selection: string, variables: string) =>
  `query RunsHistories($project: String!, $entity: String!, $filters: JSONString, $perPage: Int${variables}) {
  project(name: $project, entityName: $entity) {
    runs(filters: $filters, first: $perPage) {
      edges {
        node {
          name
          ${selection}
        }
      }
    }
  }
}
`

const RunsData = Schema.Struct({
  project: Schema.NullOr(Schema.Struct({
    runs: Schema.NullOr(Schema.Struct({
      edges: Schema.Array(Schema.Struct({
        node: Schema.Struct({
          name: Schema.String,
          sampledHistory: Schema.optional(Schema.Unknown),
          history: Schema.optional(Schema.Unknown)
        })
      }))
    }))
  }))
})

const RunsSampledHistories = GraphQLClient.operation(
  "RunsHistories",
  runsField("sampledHistory(specs: $specs)", ", $specs: [JSONString!]!"),
  RunsData
)
const RunsFullHistories = GraphQLClient.operation("RunsHistories", runsField("history(samples: $samples)", ", $samples: Int"), RunsData)

/**
 * The GraphQL documents of the batched mode.
 *
 * @since 0.1.0
 * @category constants
 */
export const operations: ReadonlyArray<{ readonly name: string; readonly document: string }> = [
  RunsSampledHistories,
  RunsFullHistories
]

const invalid = (argument: string, reason: string) => new InvalidArgument({ argument, reason })

const intIn = (argument: string, value: number, min: number, max: number): Effect.Effect<number, InvalidArgument> =>
  Number.isSafeInteger(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : Effect.fail(invalid(argument, `expected an integer from ${min} to ${max}, got ${String(value)}`))

const coordinates = (run: RunCoordinates): RunCoordinates => ({ entity: run.entity, project: run.project, id: run.id })

const validRun = (run: RunCoordinates): Effect.Effect<RunCoordinates, InvalidArgument> =>
  run !== null && typeof run === "object" && typeof run.entity === "string" && typeof run.project === "string" &&
    typeof run.id === "string"
    ? Effect.succeed(coordinates(run))
    : Effect.fail(invalid("runs", "expected Runs or { entity, project, id } (strings)"))

interface Plan {
  readonly keys: ReadonlyArray<string> | undefined
  readonly samples: number
  readonly xAxis: string
  readonly join: History.Join
  readonly specs: ReadonlyArray<SampledSpec>
}

/** The histories of runs of one project, in one request. */
const projectBatch = (
  gql: GraphQLClient.GraphQLClient.Service,
  runs: ReadonlyArray<RunCoordinates>,
  plan: Plan
): Effect.Effect<ReadonlyArray<RunHistory>, HistoriesError> =>
  Effect.gen(function*() {
    const { entity, project } = runs[0]!
    const ids = [...new Set(runs.map((run) => run.id))]
    const common = { entity, project, filters: JSON.stringify({ name: { $in: ids } }), perPage: ids.length }
    const data = plan.keys === undefined
      ? yield* gql.execute(RunsFullHistories, { ...common, samples: plan.samples })
      : yield* gql.execute(RunsSampledHistories, { ...common, specs: plan.specs.map((spec) => JSON.stringify(spec)) })
    if (data.project?.runs == null) return yield* new ProjectNotFound({ entity, project })
    const byName = new Map(data.project.runs.edges.map((edge) => [edge.node.name, edge.node]))
    return yield* Effect.forEach(runs, (run) =>
      Effect.gen(function*() {
        const node = byName.get(run.id)
        if (node === undefined) return yield* new RunNotFound({ entity, project, runId: run.id })
        const rows = yield* decodeRows(node, plan)
        return { run, xAxis: plan.xAxis, rows, columns: Rows.toColumns(rows, plan.xAxis, plan.keys) }
      }))
  })

const decodeRows = (
  node: { readonly sampledHistory?: unknown; readonly history?: unknown },
  plan: Plan
): Effect.Effect<Array<History.HistoryRow>, HistoriesError> => {
  if (plan.keys === undefined) {
    const texts = node.history ?? []
    if (!Array.isArray(texts) || !texts.every((t) => typeof t === "string")) {
      return Effect.fail(new DecodeError({ entity: "RunsHistories", field: "history", reason: "expected a list of JSON strings" }))
    }
    return Effect.map(
      Rows.decodeTextRows(texts, Specs.historyShape),
      (rows) => rows.filter((row) => row[plan.xAxis] !== undefined && row[plan.xAxis] !== null) as Array<History.HistoryRow>
    )
  }
  const lists = node.sampledHistory ?? []
  if (!Array.isArray(lists) || !lists.every(Array.isArray)) {
    return Effect.fail(new DecodeError({ entity: "RunsHistories", field: "sampledHistory", reason: "expected one list of rows per spec" }))
  }
  return Either.map(Specs.sampledSpecRows(lists, plan.keys, plan.xAxis, plan.join), (rows) => rows as Array<History.HistoryRow>)
}

/** One batch of runs (any projects): one request per project, results in input order. */
const batch = (gql: GraphQLClient.GraphQLClient.Service, runs: ReadonlyArray<RunCoordinates>, plan: Plan) => {
  const byProject = new Map<string, Array<RunCoordinates>>()
  for (const run of runs) {
    const key = `${run.entity}/${run.project}`
    const group = byProject.get(key)
    if (group === undefined) byProject.set(key, [run])
    else group.push(run)
  }
  return Effect.map(
    Effect.forEach(byProject.values(), (group) => projectBatch(gql, group, plan)),
    (results) => {
      const found = new Map(results.flat().map((h) => [`${h.run.entity}/${h.run.project}/${h.run.id}`, h]))
      return runs.map((run) => found.get(`${run.entity}/${run.project}/${run.id}`)!)
    }
  )
}

/**
 * The sampled histories of the runs of a stream (e.g. `WandbApi.runs` or `LightRuns.runs`), one
 * {@link RunHistory} per run, in the stream's order.
 *
 * Fails with `InvalidArgument` for bad options (as `History.history`, plus `runsPerRequest`
 * and `concurrency`), `RunNotFound` for a run that no longer exists.
 *
 * @since 0.1.0
 * @category histories
 */
export const histories = <E, R>(
  runs: Stream.Stream<RunCoordinates, E, R>,
  options?: HistoriesOptions
): Stream.Stream<RunHistory, E | HistoriesError, R | GraphQLClient.GraphQLClient> =>
  Stream.unwrap(Effect.gen(function*() {
    const o = options ?? {}
    const concurrency = yield* intIn("concurrency", o.concurrency ?? 4, 1, 1000)
    const runsPerRequest = yield* intIn("runsPerRequest", o.runsPerRequest ?? 50, 1, 1000)
    const samples = yield* intIn("samples", o.samples ?? 500, 1, Number.MAX_SAFE_INTEGER)
    const historyOptions = { keys: o.keys, samples, xAxis: o.xAxis, join: o.join }
    const checked = Stream.mapEffect(runs, validRun)
    if (o.mode === "perRun") {
      return Stream.mapEffect(
        checked,
        (run) => Effect.map(History.history(run, historyOptions), (sampled): RunHistory => ({ run, ...sampled })),
        { concurrency }
      )
    }
    if (o.mode !== undefined && o.mode !== "batched") {
      return yield* invalid("mode", `expected "batched" or "perRun", got ${JSON.stringify(o.mode)}`)
    }
    // the options are validated as History.history does, by a sample plan it would send
    const xAxis = o.xAxis ?? "_step"
    const join = o.join ?? "inner"
    if (typeof xAxis !== "string" || xAxis === "") return yield* invalid("xAxis", "expected a non-empty key name")
    if (join !== "inner" && join !== "outer") return yield* invalid("join", `expected "inner" or "outer", got ${JSON.stringify(join)}`)
    const keys = o.keys === undefined ? undefined : [...new Set(o.keys)]
    if (keys !== undefined && (keys.length === 0 || !keys.every((key) => typeof key === "string" && key !== ""))) {
      return yield* invalid("keys", "expected a non-empty list of non-empty key names (omit keys to get every key)")
    }
    const plan: Plan = {
      keys,
      samples,
      xAxis,
      join,
      specs: keys === undefined ? [] : Specs.sampledSpecs(samples, keys, xAxis, join)
    }
    const gql = yield* GraphQLClient.GraphQLClient
    return checked.pipe(
      Stream.grouped(runsPerRequest),
      Stream.mapEffect((group) => batch(gql, Array.from(group), plan), { concurrency }),
      Stream.flattenIterables
    )
  }))

/**
 * The long form of a run's history: one row per value (`_step` itself is not a value).
 *
 * @since 0.1.0
 * @category forms
 */
export const toLong = (history: RunHistory): Array<LongRow> => {
  const run = `${history.run.entity}/${history.run.project}/${history.run.id}`
  const out: Array<LongRow> = []
  for (const row of history.rows) {
    for (const key of Object.keys(row)) {
      if (key !== "_step") out.push({ run, step: row._step, key, value: row[key] })
    }
  }
  return out
}

/**
 * {@link histories} in long form.
 *
 * @since 0.1.0
 * @category histories
 */
export const historiesLong = <E, R>(
  runs: Stream.Stream<RunCoordinates, E, R>,
  options?: HistoriesOptions
): Stream.Stream<LongRow, E | HistoriesError, R | GraphQLClient.GraphQLClient> =>
  Stream.flatMap(histories(runs, options), (history) => Stream.fromIterable(toLong(history)))

/**
 * A row of {@link scanHistories}: the run it belongs to and the row.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScannedRow {
  readonly run: RunCoordinates
  readonly row: History.HistoryRow
}

/**
 * Options of {@link scanHistories}: those of `History.scanHistory` (`concurrency` being the
 * budget shared by every run), and how many runs are scanned at once.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScanHistoriesOptions extends Omit<History.ScanOptions, "minStep" | "maxStep"> {
  /** Runs scanned at the same time (default 4). */
  readonly runConcurrency?: number | undefined
}

/**
 * Every history row of every run of a stream, tagged with its run: `runConcurrency` runs are
 * scanned at once and all of them together have at most `concurrency` (default 8) requests in
 * flight. Rows of one run come in step order; rows of runs scanned at the same time interleave.
 * Memory is bounded as for one `History.scanHistory` per run being scanned.
 *
 * @since 0.1.0
 * @category histories
 */
export const scanHistories = <E, R>(
  runs: Stream.Stream<History.HistoryTarget, E, R>,
  options?: ScanHistoriesOptions
): Stream.Stream<ScannedRow, E | HistoriesError, R | GraphQLClient.GraphQLClient> =>
  Stream.unwrap(Effect.gen(function*() {
    const { runConcurrency: runsOption, ...scanOptions } = options ?? {}
    const runConcurrency = yield* intIn("runConcurrency", runsOption ?? 4, 1, 1000)
    const budget = yield* intIn("concurrency", scanOptions.concurrency ?? 8, 1, 1000)
    const gql = yield* GraphQLClient.GraphQLClient
    const permits = yield* Effect.makeSemaphore(budget)
    const limited = GraphQLClient.GraphQLClient.of({
      execute: (operation, variables) => permits.withPermits(1)(gql.execute(operation, variables)),
      send: (operation, variables) => permits.withPermits(1)(gql.send(operation, variables))
    })
    return Stream.flatMap(
      runs,
      (run) =>
        Stream.unwrap(Effect.map(validRun(run), (at) =>
          History.scanHistory(run, { ...scanOptions, concurrency: budget }).pipe(
            Stream.map((row): ScannedRow => ({ run: at, row })),
            Stream.provideService(GraphQLClient.GraphQLClient, limited)
          ))),
      { concurrency: runConcurrency }
    )
  }))
