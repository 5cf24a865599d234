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
 * Memory: at most `concurrency` requests in flight plus `prefetch` answers waiting; a waiting
 * answer's body stays in its connection (`GraphQLClient.send`: the operating system's socket
 * buffers, plus what Node read with the head) until the consumer reaches it, then it is read and
 * decoded: bounded by the page size times `concurrency + prefetch + 1`, whatever the run's
 * length. Pages parsed on arrival waited as objects and survived young-generation collections (a
 * 1,000,000-row scan promoted about 950 MB to the old generation); bodies read on arrival waited
 * as bytes and were promoted too, freed only by full collections (bench/RESULTS.md).
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { DecodeError } from "../Errors.js"
import type * as GraphQLClient from "../GraphQLClient.js"
import * as Queries from "./historyQueries.js"
import type { QueryError, RunCoordinates } from "./historyQueries.js"
import * as Rows from "./historyRows.js"
import type { MutableRow } from "./historyRows.js"
import { inOwnScope } from "./requestScope.js"

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

/** A window's answer, decoded: its rows, and the windows still to fetch (in order) to complete it. */
interface Answer {
  readonly rows: Array<MutableRow>
  readonly rest: ReadonlyArray<StepWindow>
}

/** A window's request, already sent; its answer is decoded when this effect runs. */
type Sent = Effect.Effect<Answer, QueryError, GraphQLClient.GraphQLClient>

/** Sends a window's request now, in the scope given (see `GraphQLClient.send`). */
type Fetch = (window: StepWindow) => Effect.Effect<Sent, QueryError, GraphQLClient.GraphQLClient | Scope.Scope>

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

const decodeObjects = (values: ReadonlyArray<unknown>, window: StepWindow) =>
  Effect.flatMap(Rows.decodeObjectRows(values, rowShape), (rows) => checkOrder(rows, window))

/** `HistoryPage` windows: a full page continues from its last step + 1. */
const unkeyed = (run: RunCoordinates, pageSize: number): Fetch => (window) =>
  Effect.map(Queries.historyPage(run, window.start, window.end, pageSize), (answer) =>
    answer.pipe(
      Effect.flatMap((texts) => Rows.decodeTextRows(texts, rowShape)),
      Effect.flatMap((rows) => checkOrder(rows, window)),
      Effect.map((rows): Answer => {
        const last = rows[rows.length - 1]
        const next = rows.length < pageSize || last === undefined ? window.end : (last._step as number) + 1
        return { rows, rest: next < window.end ? [{ start: next, end: window.end }] : [] }
      })
    ))

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
  return (window) =>
    Effect.map(send(window), (answer) =>
      Effect.flatMap(answer, (lists): Effect.Effect<Answer, DecodeError> => {
        const sampled = window.end - window.start > pageSize && lists.some((list) => list.length >= pageSize)
        if (sampled) {
          const middle = window.start + Math.floor((window.end - window.start) / 2)
          return Effect.succeed({ rows: [], rest: [{ start: window.start, end: middle }, { start: middle, end: window.end }] })
        }
        return Effect.map(Effect.forEach(lists, (list) => decodeObjects(list, window)), (decoded) => ({
          rows: outer ? Rows.outerJoinByStep(decoded, keys) : decoded[0] ?? [],
          rest: []
        }))
      }))
}

/**
 * The rows of `windows`, in order. Up to `concurrency` requests run at once and up to
 * `concurrency + prefetch` windows are requested ahead of the consumer; their answers wait in
 * their connections and are read and decoded when the consumer reaches them. The windows an answer
 * leaves incomplete are fetched right then, one after the other, before the next window's
 * answer. Requests start strictly in window order (a semaphore over more forked requests than
 * permits let later windows overtake the one the consumer was waiting for: 8.7 s instead of
 * 6.8 s for the 20 ms benchmark).
 *
 * One pull loop over forked requests rather than stream stages: a `Stream.flatMap` with an inner
 * stream per page kept pages alive across young-generation collections (several times the
 * collector's work for the same rows), and `Stream.mapEffect` + `bufferChunks` cost about a
 * quarter more client CPU than this loop (bench/RESULTS.md, "History scan").
 *
 * Before a window's rest is fetched, the answers waiting in their connections are read into
 * memory, and no further window is requested until the rest is in: those connections may be every
 * one the client has (Node's 16 sockets per host, as many as the default concurrency, or fewer),
 * and the rest's request would wait for one forever.
 */
const inOrder = (
  fetch: Fetch,
  windows: ReadonlyArray<StepWindow>,
  concurrency: number,
  ahead: number
): Stream.Stream<MutableRow, QueryError, GraphQLClient.GraphQLClient> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const scope = yield* Effect.scope
    /** Requests started and not yet taken by the consumer, in window order. */
    const requested: Array<Fiber.Fiber<Sent, QueryError>> = []
    /** Those of `requested` whose answers are read into memory already. */
    const readAhead = new WeakSet<Fiber.Fiber<Sent, QueryError>>()
    let running = 0
    let planned = 0
    let incomplete: Array<StepWindow> = []
    /**
     * Starts the next windows' requests, in order, while fewer than `concurrency` run and fewer
     * than `ahead` wait; none while a window's rest is still to fetch (see above).
     */
    const topUp: Effect.Effect<void, never, GraphQLClient.GraphQLClient> = Effect.suspend(() => {
      if (incomplete.length > 0) return Effect.void
      const due = windows.slice(planned, planned + Math.min(concurrency - running, ahead - requested.length))
      planned += due.length
      running += due.length
      return Effect.forEach(due, (window) =>
        Effect.map(
          // A request that ends starts the next one from its (uninterruptible) exit handler: the
          // new fiber must not inherit that, or its per-attempt timeout could not interrupt it.
          Effect.forkIn(
            Effect.interruptible(Effect.onExit(inOwnScope(fetch(window), scope), (exit) =>
              Effect.suspend(() => {
                running--
                return Exit.isInterrupted(exit) ? Effect.void : topUp
              }))),
            scope
          ),
          (fiber) => void requested.push(fiber)
        ), { discard: true })
    })
    yield* topUp
    /** Reads every answer waiting in `requested` (see above), each in a fiber of its own. */
    const readWaiting: Effect.Effect<void, never, GraphQLClient.GraphQLClient> = Effect.suspend(() =>
      Effect.forEach(requested, (fiber, index) => {
        if (readAhead.has(fiber)) return Effect.void
        return Effect.map(Effect.forkIn(Effect.exit(Effect.flatten(Fiber.join(fiber))), scope), (reading) => {
          const read: Fiber.Fiber<Sent, QueryError> = Fiber.map(reading, (exit): Sent => exit)
          readAhead.add(read)
          requested[index] = read
        })
      }, { discard: true })
    )
    const next: Effect.Effect<Chunk.Chunk<MutableRow>, Option.Option<QueryError>, GraphQLClient.GraphQLClient> = Effect
      .suspend(() => {
        const window = incomplete.shift()
        const fiber = window === undefined ? requested.shift() : undefined
        if (window === undefined && fiber === undefined) return Effect.fail(Option.none())
        const sent = fiber === undefined ? inOwnScope(fetch(window!), scope) : Effect.zipLeft(Fiber.join(fiber), topUp)
        return Effect.matchEffect(Effect.flatten(sent), {
          onFailure: (error) => Effect.fail(Option.some(error)),
          onSuccess: ({ rest, rows }) => {
            const continued = incomplete.length > 0 || rest.length > 0
            incomplete = [...rest, ...incomplete]
            const emit = rows.length === 0 ? next : Effect.succeed(Chunk.unsafeFromArray(rows))
            if (rest.length > 0) return Effect.zipRight(readWaiting, emit)
            // the last rest fetched: the windows after it may be requested again
            return continued && incomplete.length === 0 ? Effect.zipRight(topUp, emit) : emit
          }
        })
      })
    return Stream.repeatEffectChunkOption(next)
  }))

/** The probe: steps of about K rows evenly spread over the range, and whether that was every row. */
const probe = (run: RunCoordinates, range: StepWindow, samples: number) =>
  Queries.read(
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
    : Queries.read(Queries.historyPage(run, 0, plan.lastStep + 1, 1)).pipe(
      Effect.flatMap((texts) => Rows.decodeTextRows(texts, rowShape)),
      Effect.map(([first]) =>
        first === undefined ? 0 : expectedRows(plan.range, first._step as number, plan.lastStep, plan.rowCount)
      )
    )

const plannedWindows = (
  run: RunCoordinates,
  plan: ScanPlan
): Effect.Effect<ReadonlyArray<StepWindow>, QueryError, GraphQLClient.GraphQLClient> =>
  Effect.flatMap(rowsInRange(run, plan), (rows) =>
    Option.match(probeSize(rows, plan.pageSize), {
      onNone: () => Effect.succeed([plan.range]),
      onSome: (samples) =>
        Effect.map(probe(run, plan.range, samples), ({ complete, steps }) =>
          planWindows(plan.range, steps, complete, rowsPerWindow(plan.pageSize)))
    }))

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
  return Stream.unwrap(Effect.map(plannedWindows(run, plan), (windows) =>
    inOrder(fetch, windows, plan.concurrency, plan.concurrency + plan.prefetch)))
}
