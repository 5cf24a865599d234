/**
 * A run's metric history (Python's `Run.history()` and `Run.scan_history()`).
 *
 * - {@link history}: a sample of at most `samples` rows (first and last included), as typed
 *   rows and as columns ready for plotting.
 * - {@link scanHistory}: every row, as a `Stream` in step order, fetched in step windows several
 *   at a time; memory stays bounded by `pageSize × (concurrency + prefetch)` rows whatever the
 *   run's length.
 *
 * Values: `NaN`, `Infinity` and `-Infinity` come out as numbers, whether W&B sent them as bare
 * tokens or as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (so a logged string equal to
 * one of those also becomes a number). Rich media values (`{"_type": "image-file", …}`) stay
 * opaque JSON. `_step` (default stream), `_runtime` and `_timestamp` are checked to be numbers;
 * anything else fails with `DecodeError`.
 *
 * Keys: with `keys`, the default `join: "inner"` is W&B's own behaviour — a row only when it has
 * every requested key, holding only `_step` and those keys. `join: "outer"` returns every row
 * that has ANY requested key, with `null` for the keys it lacks: it asks the server for one
 * `sampledHistory` spec per key in the same request and merges the answers by `_step`.
 *
 * Both functions need only a {@link GraphQLClient.GraphQLClient} and the run (a `Run` or any
 * `{ entity, project, id }`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ApiError, ProjectNotFound, RunNotFound } from "./Errors.js"
import { InvalidArgument } from "./Errors.js"
import type * as GraphQLClient from "./GraphQLClient.js"
import * as Queries from "./internal/historyQueries.js"
import * as Rows from "./internal/historyRows.js"
import * as Scan from "./internal/historyScan.js"
import * as Specs from "./internal/historySpecs.js"

/**
 * A row of the default stream: `_step` always, `_runtime` / `_timestamp` when logged (numbers),
 * then the user's keys (numbers, strings, booleans, nested objects, opaque media objects, or
 * `null` for a key missing under `join: "outer"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryRow {
  readonly _step: number
  readonly _runtime?: number
  readonly _timestamp?: number
  readonly [key: string]: unknown
}

/**
 * A row of the system stream (`events`): `system.*` metrics with `_runtime` / `_timestamp`
 * (numbers) and `_wandb: true`; no `_step`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SystemRow {
  readonly _runtime?: number
  readonly _timestamp?: number
  readonly [key: string]: unknown
}

/**
 * Rows turned into columns: one array per key, all of the same length, `null` where a row has
 * no value. The x-axis column comes first and never holds `null`. E.g.
 * `{ _step: [0, 1, 2], loss: [2.3, null, 1.9] }`.
 *
 * @since 0.1.0
 * @category models
 */
export type HistoryColumns = { readonly [key: string]: ReadonlyArray<unknown> }

/**
 * The result of {@link history}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SampledHistory<Row> {
  /** The key used as x axis (first column). */
  readonly xAxis: string
  /** The rows, in step (default stream) or time (system stream) order. */
  readonly rows: ReadonlyArray<Row>
  /** The same rows as columns. */
  readonly columns: HistoryColumns
}

/**
 * The run to read: a `Run`, or any value with its coordinates. When both `historyKeys.lastStep`
 * and `historyLineCount` are present (as in a `Run`), a scan uses them to bound and plan its
 * requests; otherwise it asks the server for the current values (pass `{ entity, project, id }`
 * to scan a run that is still logging up to its latest step).
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryTarget {
  readonly entity: string
  readonly project: string
  readonly id: string
  readonly historyKeys?: { readonly lastStep: number | null } | undefined
  readonly historyLineCount?: number | undefined
}

/**
 * How rows are selected when `keys` are given: `"inner"` (default, W&B's behaviour) keeps only
 * rows having every key; `"outer"` keeps rows having any key, missing values as `null`.
 *
 * @since 0.1.0
 * @category models
 */
export type Join = "inner" | "outer"

/**
 * Options of {@link history}.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistoryOptions {
  /** At most this many rows, first and last included (default 500; ≥ 1). With `join: "outer"`, up to this many per key. */
  readonly samples?: number | undefined
  /** Only these keys (default stream only); `_step` and the x axis are always included. */
  readonly keys?: ReadonlyArray<string> | undefined
  /**
   * The x axis, first column of `columns` (default `"_step"`, `"_runtime"` for the system
   * stream). Rows without a value for it are left out, since they cannot be plotted.
   */
  readonly xAxis?: string | undefined
  /** `"default"` (logged metrics, default) or `"system"` (system metrics, `events`). */
  readonly stream?: "default" | "system" | undefined
  /** Row selection with `keys` (default `"inner"`). */
  readonly join?: Join | undefined
}

/**
 * Options of {@link scanHistory}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScanOptions {
  /** Only these keys; `_step` is always included. */
  readonly keys?: ReadonlyArray<string> | undefined
  /** Rows per request (default 1000; ≥ 1). */
  readonly pageSize?: number | undefined
  /** First step (inclusive, default 0). */
  readonly minStep?: number | undefined
  /** Last step (exclusive, default: the run's last step + 1). */
  readonly maxStep?: number | undefined
  /** Row selection with `keys` (default `"inner"`). */
  readonly join?: Join | undefined
  /**
   * Pages fetched at the same time (default 16; ≥ 1). Rows still come out in step order. The
   * default keeps a scan fast at W&B's real latencies (50–200 ms per request, where 8 requests
   * in flight bounded a 1,000-page scan at 100 ms to 12.5 s of waiting alone; bench/RESULTS.md,
   * "History scan"). Facing rate limits (`RateLimited`, HTTP 429), lower it, e.g.
   * `{ concurrency: 2 }`: every request in flight counts against W&B's per-key rate limit.
   */
  readonly concurrency?: number | undefined
  /**
   * Answers that may wait unread ahead of the consumer beyond the `concurrency` requests
   * running (default 0: a consumer slower than the server gains nothing from more, and each
   * waiting page holds a connection; raise it for servers with uneven latency).
   */
  readonly prefetch?: number | undefined
}

/**
 * What {@link history} and {@link scanHistory} can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type HistoryError = ApiError | InvalidArgument | ProjectNotFound | RunNotFound

const invalid = (argument: string, reason: string) => Effect.fail(new InvalidArgument({ argument, reason }))

/** The run as given, when it names one (`entity`, `project`, `id` strings); else `InvalidArgument`, never a defect. */
const validTarget = (run: HistoryTarget): Effect.Effect<HistoryTarget, InvalidArgument> =>
  run !== null && typeof run === "object" && typeof run.entity === "string" && typeof run.project === "string" &&
    typeof run.id === "string"
    ? Effect.succeed(run)
    : invalid("run", "expected a Run or { entity, project, id } (strings); a path string names a run in WandbApi.run")

const integerAtLeast = (argument: string, value: number, min: number): Effect.Effect<number, InvalidArgument> =>
  Number.isSafeInteger(value) && value >= min
    ? Effect.succeed(value)
    : invalid(argument, `expected an integer ≥ ${min}, got ${String(value)}`)

const optionalStep = (argument: string, value: number | undefined): Effect.Effect<number | undefined, InvalidArgument> =>
  value === undefined || Number.isSafeInteger(value)
    ? Effect.succeed(value)
    : invalid(argument, `expected an integer step, got ${String(value)}`)

const validKeys = (
  keys: ReadonlyArray<string> | undefined
): Effect.Effect<ReadonlyArray<string> | undefined, InvalidArgument> => {
  if (keys === undefined) return Effect.succeed(undefined)
  if (!Array.isArray(keys) || keys.length === 0) {
    return invalid("keys", "expected a non-empty list of key names (omit keys to get every key)")
  }
  const bad = keys.find((key) => typeof key !== "string" || key.length === 0)
  return bad === undefined
    ? Effect.succeed([...new Set(keys)])
    : invalid("keys", `every key must be a non-empty string, got ${JSON.stringify(bad)}`)
}

const validJoin = (join: Join | undefined): Effect.Effect<Join, InvalidArgument> =>
  join === undefined || join === "inner" || join === "outer"
    ? Effect.succeed(join ?? "inner")
    : invalid("join", `expected "inner" or "outer", got ${JSON.stringify(join)}`)

const systemShape: Rows.RowShape = { entity: "SystemRow", requireStep: false }

const sampledRows = (
  run: HistoryTarget,
  samples: number,
  keys: ReadonlyArray<string>,
  xAxis: string,
  join: Join
) =>
  Queries.read(Queries.sampledHistory(run, Specs.sampledSpecs(samples, keys, xAxis, join))).pipe(
    Effect.flatMap((lists) => Specs.sampledSpecRows(lists, keys, xAxis, join))
  )

const sampled = (
  run: HistoryTarget,
  options: HistoryOptions
): Effect.Effect<SampledHistory<SystemRow>, HistoryError, GraphQLClient.GraphQLClient> =>
  Effect.gen(function*() {
    yield* validTarget(run)
    const samples = yield* integerAtLeast("samples", options.samples ?? 500, 1)
    const stream = options.stream ?? "default"
    if (stream !== "default" && stream !== "system") {
      return yield* invalid("stream", `expected "default" or "system", got ${JSON.stringify(stream)}`)
    }
    const keys = yield* validKeys(options.keys)
    const join = yield* validJoin(options.join)
    const xAxis = options.xAxis ?? (stream === "system" ? "_runtime" : "_step")
    if (typeof xAxis !== "string" || xAxis.length === 0) {
      return yield* invalid("xAxis", "expected a non-empty key name")
    }
    if (stream === "system" && keys !== undefined) {
      return yield* invalid("keys", "the system stream cannot be filtered by keys; omit keys or use the default stream")
    }
    let rows: Array<Rows.MutableRow>
    if (keys !== undefined) {
      rows = yield* sampledRows(run, samples, keys, xAxis, join)
    } else {
      const texts = yield* Queries.fullRows(run, stream, samples)
      const decoded = yield* Rows.decodeTextRows(texts, stream === "system" ? systemShape : Specs.historyShape)
      rows = decoded.filter((row) => row[xAxis] !== undefined && row[xAxis] !== null)
    }
    return { xAxis, rows, columns: Rows.toColumns(rows, xAxis, keys) }
  })

/**
 * A sample of a run's history: at most `samples` rows evenly spread over the run, first and
 * last included (`RunFullHistory` without keys, `RunSampledHistory` with keys), as rows and as
 * columns.
 *
 * Fails with `InvalidArgument` for `samples` < 1, an empty or non-string key, an unknown
 * `stream` or `join`, or `keys` with the system stream.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { History } from "@effect-wandb/core"
 *
 * const program = (run: History.HistoryTarget) =>
 *   Effect.map(History.history(run, { samples: 200, keys: ["loss"] }), ({ columns }) => columns.loss)
 * ```
 *
 * @since 0.1.0
 * @category history
 */
export const history: {
  (
    run: HistoryTarget,
    options: HistoryOptions & { readonly stream: "system" }
  ): Effect.Effect<SampledHistory<SystemRow>, HistoryError, GraphQLClient.GraphQLClient>
  (
    run: HistoryTarget,
    options?: HistoryOptions
  ): Effect.Effect<SampledHistory<HistoryRow>, HistoryError, GraphQLClient.GraphQLClient>
} = (run: HistoryTarget, options?: HistoryOptions) => sampled(run, options ?? {}) as any

/**
 * Every history row of the run with `minStep <= _step < maxStep`, in step order, as a `Stream`.
 *
 * The range ends at the run's last step (`historyKeys.lastStep`, from the run value or asked of
 * the server). Pages are step windows (`HistoryPage` without keys, `SampledHistoryPage` with
 * keys, `RunSampledHistory` with one spec per key for `join: "outer"`), planned from one cheap
 * probe of the run's steps so that each holds less than a page of rows however sparse or
 * gappy the steps are. Since the windows are known up front, `concurrency` of them are fetched
 * at once and `prefetch` answers wait ahead of the consumer, in their connections: a page is
 * read and decoded only when the consumer reaches it. No row is skipped: a window
 * that comes back full continues within itself (without keys) or is split and fetched again
 * (with keys, where the server would otherwise have thinned it out).
 *
 * Fails with `InvalidArgument` for a `pageSize` or `concurrency` below 1, a negative
 * `prefetch`, a non-integer step bound, `maxStep < minStep`, or bad `keys` / `join`.
 *
 * Consuming: `Stream.runFold`, `Stream.runCount`, `Stream.toPull` or `Stream.mapChunks` let
 * each page die young. With effect 3.22, `Stream.runForEach` / `runForEachChunk` keep each
 * handler's effect (and the rows it captured) alive for a while: in the 1,000,000-row benchmark
 * about 6× the bytes promoted to the old generation and a fifth more client CPU
 * (bench/RESULTS.md, "History scan").
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { History } from "@effect-wandb/core"
 *
 * const countRows = (run: History.HistoryTarget) =>
 *   Stream.runCount(History.scanHistory(run, { keys: ["loss", "val_acc"], join: "outer" }))
 * ```
 *
 * @since 0.1.0
 * @category history
 */
export const scanHistory = (
  run: HistoryTarget,
  options?: ScanOptions
): Stream.Stream<HistoryRow, HistoryError, GraphQLClient.GraphQLClient> =>
  Stream.unwrap(Effect.gen(function*() {
    yield* validTarget(run)
    const o = options ?? {}
    const pageSize = yield* integerAtLeast("pageSize", o.pageSize ?? 1000, 1)
    const concurrency = yield* integerAtLeast("concurrency", o.concurrency ?? 16, 1)
    const prefetch = yield* integerAtLeast("prefetch", o.prefetch ?? 0, 0)
    const minStep = yield* optionalStep("minStep", o.minStep)
    const maxStep = yield* optionalStep("maxStep", o.maxStep)
    if (minStep !== undefined && maxStep !== undefined && maxStep < minStep) {
      return yield* invalid("maxStep", `must not be below minStep (${minStep}), got ${maxStep}`)
    }
    const keys = yield* validKeys(o.keys)
    const join = yield* validJoin(o.join)
    const extent = run.historyKeys !== undefined && run.historyLineCount !== undefined
      ? { lastStep: run.historyKeys.lastStep, rowCount: run.historyLineCount }
      : yield* Queries.historyExtent(run)
    const lastStep = extent.lastStep
    if (lastStep === null) return Stream.empty
    return Option.match(Scan.scanRange(lastStep, minStep, maxStep), {
      onNone: () => Stream.empty,
      onSome: (range) =>
        Scan.scan(run, {
          range,
          lastStep,
          rowCount: extent.rowCount,
          keys: keys === undefined ? undefined : keys.filter((key) => key !== "_step"),
          join,
          pageSize,
          concurrency,
          prefetch
        })
    })
  })) as Stream.Stream<HistoryRow, HistoryError, GraphQLClient.GraphQLClient>

/**
 * Every GraphQL operation the history functions send (name and document), e.g. to validate
 * them against a server's schema.
 *
 * @since 0.1.0
 * @category documents
 */
export const operations: ReadonlyArray<{ readonly name: string; readonly document: string }> = [
  Queries.RunFullHistory,
  Queries.RunFullEvents,
  Queries.RunSampledHistory,
  Queries.HistoryPage,
  Queries.SampledHistoryPage,
  Queries.RunHistoryKeys
]

/**
 * Turns rows (e.g. a batch from {@link scanHistory}) into columns: `xAxis` (default `"_step"`)
 * first, then `keys` when given, else every key in order of first appearance; `null` where a
 * row has no value.
 *
 * @since 0.1.0
 * @category columns
 */
export const toColumns = (
  rows: ReadonlyArray<HistoryRow | SystemRow>,
  options?: { readonly xAxis?: string | undefined; readonly keys?: ReadonlyArray<string> | undefined }
): HistoryColumns => Rows.toColumns(rows, options?.xAxis ?? "_step", options?.keys)
