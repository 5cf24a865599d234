/**
 * Full history scans (protocol §4.12): the step range is cut into windows known up front,
 * several windows are fetched at once (bounded concurrency, order kept) and rows come out in
 * step order.
 *
 * Window planning:
 * - Without keys, the first request is `HistoryPage(start, end, pageSize)` itself. Fewer than
 *   `pageSize` rows back means the range is complete (one request). Otherwise the steps that
 *   first page spanned become the width of every later window (`pageSize` steps for a run
 *   logging every step, wider for sparse steps), so sparse runs take as few requests as dense
 *   ones. A window that still comes back full continues within itself, sequentially, from
 *   its last step + 1: no row is ever dropped, whatever the distribution of steps.
 * - With keys (`sampledHistory`, which samples instead of truncating), windows are at most
 *   `pageSize` steps wide and ask for `samples = width`, so the server never has more rows than
 *   samples and never thins a page out. A one-row probe (`HistoryPage(start, end, 1)`) finds the
 *   first logged step first, so a run whose steps start far from `minStep` costs no empty pages.
 *
 * Memory: at most `concurrency` pages in flight plus `prefetch` decoded pages buffered.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { DecodeError } from "../Errors.js"
import type * as GraphQLClient from "../GraphQLClient.js"
import * as Queries from "./historyQueries.js"
import type { QueryError, RunCoordinates } from "./historyQueries.js"
import * as Rows from "./historyRows.js"
import type { MutableRow } from "./historyRows.js"

/**
 * Steps `start <= _step < end`.
 *
 * @internal
 */
export interface StepWindow {
  readonly start: number
  readonly end: number
}

/**
 * The steps a scan covers: `[minStep ?? 0, min(maxStep, lastStep + 1))`, or nothing.
 *
 * @internal
 */
export const scanRange = (
  lastStep: number | null,
  minStep: number | undefined,
  maxStep: number | undefined
): Option.Option<StepWindow> => {
  if (lastStep === null) return Option.none()
  const start = minStep ?? 0
  const end = Math.min(maxStep ?? Number.POSITIVE_INFINITY, lastStep + 1)
  return start < end ? Option.some({ start, end }) : Option.none()
}

/**
 * The windows `[from, from + width)`, `[from + width, …)`, … up to `end` (the last one cut at
 * `end`), generated lazily.
 *
 * @internal
 */
export const windows = (from: number, end: number, width: number): Stream.Stream<StepWindow> =>
  Stream.unfold(from, (start) =>
    start < end ? Option.some([{ start, end: Math.min(start + width, end) }, start + width] as const) : Option.none())

/**
 * Options of {@link scan}, already validated.
 *
 * @internal
 */
export interface ScanPlan {
  readonly range: StepWindow
  readonly keys: ReadonlyArray<string> | undefined
  readonly join: "inner" | "outer"
  readonly pageSize: number
  readonly concurrency: number
  readonly prefetch: number
}

type Fetch = (window: StepWindow) => Effect.Effect<Array<MutableRow>, QueryError, GraphQLClient.GraphQLClient>

const rowShape: Rows.RowShape = { entity: "HistoryRow", requireStep: true }

/** Fails unless the rows' steps are strictly increasing and inside the window. */
const checkOrder = (rows: Array<MutableRow>, window: StepWindow): Effect.Effect<Array<MutableRow>, DecodeError> => {
  let previous = window.start - 1
  for (const row of rows) {
    const step = row._step as number
    if (step <= previous || step >= window.end) {
      return Effect.fail(
        new DecodeError({
          entity: "HistoryRow",
          field: "_step",
          reason: `step ${step} out of order or outside the requested window [${window.start}, ${window.end})`
        })
      )
    }
    previous = step
  }
  return Effect.succeed(rows)
}

const textPage = (run: RunCoordinates, pageSize: number): Fetch => (window) =>
  Queries.historyPage(run, window.start, window.end, pageSize).pipe(
    Effect.flatMap((texts) => Rows.decodeTextRows(texts, rowShape)),
    Effect.flatMap((rows) => checkOrder(rows, window))
  )

const spec = (keys: ReadonlyArray<string>, window: StepWindow): Queries.SampledSpec => ({
  keys,
  minStep: window.start,
  maxStep: window.end - 1,
  samples: window.end - window.start
})

const innerPage = (run: RunCoordinates, keys: ReadonlyArray<string>): Fetch => (window) =>
  Queries.sampledHistoryPage(run, spec(["_step", ...keys], window)).pipe(
    Effect.flatMap((values) => Rows.decodeObjectRows(values, rowShape)),
    Effect.flatMap((rows) => checkOrder(rows, window))
  )

const outerPage = (run: RunCoordinates, keys: ReadonlyArray<string>): Fetch => (window) =>
  Queries.sampledHistory(run, keys.map((key) => spec(["_step", key], window))).pipe(
    Effect.flatMap((lists) =>
      Effect.forEach(lists, (list) =>
        Effect.flatMap(Rows.decodeObjectRows(list, rowShape), (rows) => checkOrder(rows, window)))
    ),
    Effect.map((lists) => Rows.outerJoinByStep(lists, keys))
  )

/** A page that may hold more rows than it returned: full, and its last step short of `end`. */
const continuesAfter = (rows: ReadonlyArray<MutableRow>, end: number, pageSize: number): Option.Option<number> => {
  if (rows.length < pageSize || rows.length === 0) return Option.none()
  const next = (rows[rows.length - 1]!._step as number) + 1
  return next < end ? Option.some(next) : Option.none()
}

/** Sequential pages of `[from, end)`, each starting after the last step of the one before. */
const pagesFrom = (fetch: Fetch, from: number, end: number, pageSize: number) =>
  Stream.paginateEffect(from, (start) =>
    Effect.map(fetch({ start, end }), (rows) => [rows, continuesAfter(rows, end, pageSize)] as const))

/** Windows fetched `concurrency` at a time, in order; a full window continues within itself. */
const windowPages = (fetch: Fetch, windowStream: Stream.Stream<StepWindow>, plan: ScanPlan) =>
  windowStream.pipe(
    Stream.mapEffect((window) => Effect.map(fetch(window), (rows) => ({ window, rows })), {
      concurrency: plan.concurrency
    }),
    Stream.flatMap(({ rows, window }) =>
      Option.match(continuesAfter(rows, window.end, plan.pageSize), {
        onNone: () => Stream.succeed(rows),
        onSome: (next) => Stream.prepend(pagesFrom(fetch, next, window.end, plan.pageSize), Chunk.of(rows))
      })
    )
  )

const unkeyedPages = (run: RunCoordinates, plan: ScanPlan) => {
  const fetch = textPage(run, plan.pageSize)
  const { end } = plan.range
  return Stream.unwrap(
    Effect.map(fetch(plan.range), (first) =>
      Option.match(continuesAfter(first, end, plan.pageSize), {
        onNone: () => Stream.succeed(first),
        onSome: (next) => {
          const width = next - (first[0]!._step as number)
          return Stream.prepend(windowPages(fetch, windows(next, end, width), plan), Chunk.of(first))
        }
      }))
  )
}

/** The first logged step of the range, if any (a one-row `HistoryPage`). */
const firstStep = (run: RunCoordinates, range: StepWindow) =>
  Queries.historyPage(run, range.start, range.end, 1).pipe(
    Effect.flatMap((texts) => Rows.decodeTextRows(texts, rowShape)),
    Effect.map((rows) => (rows.length === 0 ? Option.none() : Option.some(rows[0]!._step as number)))
  )

const keyedPages = (run: RunCoordinates, keys: ReadonlyArray<string>, plan: ScanPlan) => {
  const fetch = plan.join === "outer" && keys.length > 1 ? outerPage(run, keys) : innerPage(run, keys)
  return Stream.unwrap(
    Effect.map(firstStep(run, plan.range), (first) =>
      Option.match(first, {
        onNone: () => Stream.empty,
        onSome: (start) => windowPages(fetch, windows(start, plan.range.end, plan.pageSize), plan)
      }))
  )
}

/**
 * Every row of `plan.range`, in step order.
 *
 * @internal
 */
export const scan = (
  run: RunCoordinates,
  plan: ScanPlan
): Stream.Stream<MutableRow, QueryError, GraphQLClient.GraphQLClient> =>
  (plan.keys === undefined ? unkeyedPages(run, plan) : keyedPages(run, plan.keys, plan)).pipe(
    Stream.mapConcatChunk((rows) => Chunk.unsafeFromArray(rows)),
    Stream.bufferChunks({ capacity: plan.prefetch })
  )
