/**
 * Full history scans (protocol §4.12): the step range is cut into windows known up front,
 * several windows are fetched at once (bounded concurrency, order kept) and rows come out in
 * step order.
 *
 * Window planning. Fixed windows of `pageSize` steps (what the Python client does) cost one
 * request per `pageSize` steps, even where no row was logged: a run logging every 10th step,
 * or with a gap of a million steps, would take 10× or thousands of times the requests it needs.
 * So a range of more than one page of rows is planned from a cheap probe: one
 * `sampledHistory` spec `{keys: ["_step"], samples: K, minStep, maxStep}` returns the steps of K
 * rows evenly spread over the range (only `_step`, a few bytes per row), with
 * K = (rows in the range) / (pageSize − 1) + 1, the rows estimated from `historyLineCount` (and,
 * for a range narrower than the run, the share of the run's steps it covers; a wrong estimate
 * costs requests, never rows). Consecutive probe steps bound windows
 * of fewer than `pageSize` rows, wherever the steps are; when the range holds fewer than K rows
 * the probe returns all their steps and windows are cut every `pageSize − 1` rows.
 *
 * No row is ever dropped, whatever the server's sampling does: the plan only affects speed.
 * - Without keys a window is `HistoryPage(start, end, pageSize)` (the first `pageSize` rows with
 *   `start <= _step < end`); a page that comes back full continues within its window from its
 *   last step + 1.
 * - With keys a window is a `sampledHistory` spec with `samples = pageSize` (`maxStep`
 *   inclusive, so `end − 1`). The server thins a spec out only when it has more rows than
 *   `samples`; a full answer for a window wider than `pageSize` steps may be such a sample, so
 *   the window is split in two and each half fetched again (down to windows no wider than
 *   `pageSize` steps, which cannot be sampled).
 *
 * Memory: at most `concurrency` requests in flight plus `prefetch` answers buffered, each kept as
 * the bytes received (`GraphQLClient.send`) until the consumer reaches it; row texts are then
 * decoded a slice at a time as they are pulled. Pages parsed on arrival, or decoded whole, stayed
 * alive across young-generation collections while they waited: a 1,000,000-row scan promoted
 * about 950 MB to the old generation instead of about 60 MB, and paid for it in collector time
 * and peak RSS.
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
  lastStep: number,
  minStep: number | undefined,
  maxStep: number | undefined
): Option.Option<StepWindow> => {
  const start = minStep ?? 0
  const end = Math.min(maxStep ?? Number.POSITIVE_INFINITY, lastStep + 1)
  return start < end ? Option.some({ start, end }) : Option.none()
}

/** Largest probe (steps asked of the server to plan windows). */
const MAX_PROBE = 100_000

/**
 * Rows per planned window: one less than a page, so that a complete window never comes back
 * as a full page (which would cost a continuation or split request to confirm).
 *
 * @internal
 */
export const rowsPerWindow = (pageSize: number): number => Math.max(1, pageSize - 1)

/**
 * How many steps to probe for a range holding about `rows` rows, or none when they should fit
 * one page.
 *
 * @internal
 */
export const probeSize = (rows: number, pageSize: number): Option.Option<number> =>
  rows <= rowsPerWindow(pageSize)
    ? Option.none()
    : Option.some(Math.min(MAX_PROBE, Math.ceil(rows / rowsPerWindow(pageSize)) + 1))

/**
 * Rows expected in `range` if the run's `rowCount` rows are spread evenly over its steps
 * `[firstStep, lastStep]`.
 *
 * @internal
 */
export const expectedRows = (range: StepWindow, firstStep: number, lastStep: number, rowCount: number): number => {
  const overlap = Math.min(range.end, lastStep + 1) - Math.max(range.start, firstStep)
  return overlap <= 0 ? 0 : Math.ceil(rowCount * Math.min(1, overlap / (lastStep + 1 - firstStep)))
}

/**
 * Windows covering `range` from the probe's steps (ascending): a window starts at every probe
 * step but the last when the probe was sampled (`complete: false`), at every `perWindow`-th
 * step when it returned every step of the range.
 *
 * @internal
 */
export const planWindows = (
  range: StepWindow,
  steps: ReadonlyArray<number>,
  complete: boolean,
  perWindow: number
): Array<StepWindow> => {
  const starts = [range.start]
  // A sampled probe ends with the range's last row: a window starting there would hold one row.
  const last = complete ? steps.length : steps.length - 1
  for (let i = complete ? perWindow : 1; i < last; i += complete ? perWindow : 1) {
    const step = steps[i]!
    if (step > starts[starts.length - 1]! && step < range.end) starts.push(step)
  }
  return starts.map((start, i) => ({ start, end: starts[i + 1] ?? range.end }))
}

/**
 * Options of {@link scan}, already validated.
 *
 * @internal
 */
export interface ScanPlan {
  readonly range: StepWindow
  /** `historyKeys.lastStep` and `historyLineCount`: size the probe. */
  readonly lastStep: number
  readonly rowCount: number
  readonly keys: ReadonlyArray<string> | undefined
  readonly join: "inner" | "outer"
  readonly pageSize: number
  readonly concurrency: number
  readonly prefetch: number
}

/** Rows of one or more windows, in step order; requests not yet made are made when pulled. */
type WindowRows = Stream.Stream<MutableRow, QueryError, GraphQLClient.GraphQLClient>

/**
 * Sends a window's request now; its answer is decoded (and the window completed, if the answer
 * was not all of it) when the returned rows are pulled.
 */
type Fetch = (window: StepWindow) => Effect.Effect<WindowRows, QueryError, GraphQLClient.GraphQLClient>

/** Every row of a window, one request after the other (what completes a window, rarely needed). */
const windowRows = (fetch: Fetch, window: StepWindow): WindowRows => Stream.unwrap(fetch(window))

const rowShape: Rows.RowShape = { entity: "HistoryRow", requireStep: true }

/**
 * Fails unless the rows' steps are strictly increasing from after `previous` and below
 * `window.end`; returns the last step.
 */
const checkOrder = (rows: ReadonlyArray<MutableRow>, previous: number, window: StepWindow): Effect.Effect<number, DecodeError> => {
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
  return Effect.succeed(previous)
}

const decodeObjects = (values: ReadonlyArray<unknown>, window: StepWindow) =>
  Effect.flatMap(
    Rows.decodeObjectRows(values, rowShape),
    (rows) => Effect.as(checkOrder(rows, window.start - 1, window), rows)
  )

/**
 * Rows decoded per pull from a page of row texts: the consumer gets small chunks, and a page's
 * rows never all exist at once (a 1000-row page decoded whole kept its rows alive across
 * young-generation collections and doubled the scan's garbage-collection time).
 */
const DECODE_SLICE = 100

/** A page of row texts, decoded `DECODE_SLICE` rows per pull and checked to lie in order inside `window`. */
const decodeTexts = (texts: ReadonlyArray<string>, window: StepWindow): Stream.Stream<MutableRow, DecodeError> =>
  Stream.unfoldChunkEffect({ from: 0, previous: window.start - 1 }, ({ from, previous }) =>
    from >= texts.length
      ? Effect.succeedNone
      : Rows.decodeTextRows(texts.slice(from, from + DECODE_SLICE), rowShape).pipe(
        Effect.flatMap((rows) =>
          Effect.map(checkOrder(rows, previous, window), (last) =>
            Option.some([Chunk.unsafeFromArray(rows), { from: from + DECODE_SLICE, previous: last }] as const))
        )
      ))

/** `HistoryPage` windows: a full page continues from its last step + 1. */
const unkeyed = (run: RunCoordinates, pageSize: number): Fetch => {
  const fetch: Fetch = (window) =>
    Effect.map(Queries.historyPage(run, window.start, window.end, pageSize), (answer) =>
      Stream.unwrap(Effect.map(answer, (texts) => {
        const rows = decodeTexts(texts, window)
        if (texts.length < pageSize) return rows
        // A full page: the window continues after its last row.
        const rest = Effect.map(Rows.decodeTextRows(texts.slice(-1), rowShape), ([last]) => {
          const next = Math.max((last!._step as number) + 1, window.start + 1)
          return next < window.end ? windowRows(fetch, { start: next, end: window.end }) : Stream.empty
        })
        return Stream.concat(rows, Stream.unwrap(rest))
      })))
  return fetch
}

const spec = (keys: ReadonlyArray<string>, window: StepWindow, samples: number): Queries.SampledSpec => ({
  keys,
  minStep: window.start,
  maxStep: window.end - 1,
  samples
})

/** `sampledHistory` windows: a possibly thinned-out answer splits the window in two. */
const keyed = (run: RunCoordinates, keys: ReadonlyArray<string>, join: "inner" | "outer", pageSize: number): Fetch => {
  const outer = join === "outer" && keys.length > 1
  const send = (window: StepWindow): Queries.Sent<ReadonlyArray<ReadonlyArray<unknown>>> =>
    outer
      ? Queries.sampledHistory(run, keys.map((key) => spec(["_step", key], window, pageSize)))
      : Effect.map(
        Queries.sampledHistoryPage(run, spec(["_step", ...keys], window, pageSize)),
        (answer) => Effect.map(answer, (rows) => [rows])
      )
  const fetch: Fetch = (window) =>
    Effect.map(send(window), (answer) =>
      Stream.unwrap(Effect.flatMap(answer, (lists) => {
        const sampled = window.end - window.start > pageSize && lists.some((list) => list.length >= pageSize)
        if (sampled) {
          const middle = window.start + Math.floor((window.end - window.start) / 2)
          return Effect.succeed(Stream.concat(
            windowRows(fetch, { start: window.start, end: middle }),
            windowRows(fetch, { start: middle, end: window.end })
          ))
        }
        return Effect.map(
          Effect.forEach(lists, (list) => decodeObjects(list, window)),
          (decoded) => Stream.fromIterable(outer ? Rows.outerJoinByStep(decoded, keys) : decoded[0] ?? [])
        )
      })))
  return fetch
}

/** The probe: steps of about K rows evenly spread over the range, and whether that was every row. */
const probe = (run: RunCoordinates, range: StepWindow, samples: number) =>
  Effect.flatten(
    Queries.sampledHistoryPage(run, { keys: ["_step"], minStep: range.start, maxStep: range.end - 1, samples })
  ).pipe(
    Effect.flatMap((values) => decodeObjects(values, range)),
    Effect.map((rows) => ({ steps: rows.map((row) => row._step as number), complete: rows.length < samples }))
  )

/**
 * About how many rows the range holds: all of them for a whole-run scan, otherwise the share of
 * the run's steps it covers (the run's first step found with a one-row `HistoryPage`).
 */
const rowsInRange = (run: RunCoordinates, plan: ScanPlan) =>
  plan.range.start <= 0 && plan.range.end > plan.lastStep
    ? Effect.succeed(plan.rowCount)
    : Effect.flatten(Queries.historyPage(run, 0, plan.lastStep + 1, 1)).pipe(
      Effect.flatMap((texts) => Rows.decodeTextRows(texts, rowShape)),
      Effect.map(([first]) =>
        first === undefined ? 0 : expectedRows(plan.range, first._step as number, plan.lastStep, plan.rowCount)
      )
    )

const plannedWindows = (run: RunCoordinates, plan: ScanPlan): Stream.Stream<StepWindow, QueryError, GraphQLClient.GraphQLClient> =>
  Stream.unwrap(Effect.flatMap(rowsInRange(run, plan), (rows) =>
    Option.match(probeSize(rows, plan.pageSize), {
      onNone: () => Effect.succeed(Stream.succeed(plan.range)),
      onSome: (samples) =>
        Effect.map(probe(run, plan.range, samples), ({ complete, steps }) =>
          Stream.fromIterable(planWindows(plan.range, steps, complete, rowsPerWindow(plan.pageSize))))
    })))

/**
 * Every row of `plan.range`, in step order.
 *
 * @internal
 */
export const scan = (
  run: RunCoordinates,
  plan: ScanPlan
): Stream.Stream<MutableRow, QueryError, GraphQLClient.GraphQLClient> => {
  const fetch = plan.keys === undefined
    ? unkeyed(run, plan.pageSize)
    : keyed(run, plan.keys, plan.join, plan.pageSize)
  return plannedWindows(run, plan).pipe(
    Stream.mapEffect(fetch, { concurrency: plan.concurrency }),
    (windows) => (plan.prefetch > 0 ? Stream.bufferChunks(windows, { capacity: plan.prefetch }) : windows),
    Stream.flatMap((rows) => rows)
  )
}
