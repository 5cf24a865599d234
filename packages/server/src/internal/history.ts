/**
 * History and system-event reads: `history(samples, minStep, maxStep)`, `events(samples)`,
 * `sampledHistory(specs)`, `parquetHistory(liveKeys)` and `historyKeys`. Every query is
 * bounded by the `(run_id, step)` / `(run_id, seq)` indexes; sampling picks rows by their dense
 * ordinal so a run's whole history is never loaded to thin it out.
 *
 * @internal
 */
import * as LenientJson from "@effect-wandb/core/LenientJson"
import { BadRequest } from "./badRequest.js"
import type { GraphContext, Param } from "./context.js"
import { sampleIndices } from "./sampling.js"

/** `samples` when the client sends none (the Python client's default). @internal */
export const DEFAULT_SAMPLES = 500

const MIN_STEP = Number.MIN_SAFE_INTEGER
const MAX_STEP = Number.MAX_SAFE_INTEGER

interface RowText {
  readonly row: string
}

const checkSamples = (samples: number | null | undefined, what: string): number => {
  const value = samples ?? DEFAULT_SAMPLES
  if (!Number.isInteger(value) || value < 0) {
    throw new BadRequest({ message: `${what}: samples must be a non-negative integer, got ${String(samples)}` })
  }
  return value
}

const checkStep = (step: unknown, what: string, fallback: number): number => {
  if (step === null || step === undefined) return fallback
  const value = typeof step === "string" && step.trim() !== "" ? Number(step) : step
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new BadRequest({ message: `${what} must be an integer, got ${JSON.stringify(step)}` })
  }
  return value
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * Rows `i` (0-based, in `order`) of `SELECT row FROM {table} WHERE {where}`, for each `i` in
 * `indices`, scanning with a window function (used when ordinals are not stored).
 */
const rowsAtOrdinals = (
  ctx: GraphContext,
  table: string,
  where: string,
  params: ReadonlyArray<Param>,
  order: string,
  indices: ReadonlyArray<number>
): Promise<ReadonlyArray<RowText>> =>
  ctx.all<RowText>(
    `SELECT row FROM (SELECT row, row_number() OVER (ORDER BY ${order}) - 1 AS i FROM ${table} WHERE ${where})
     WHERE i IN (SELECT value FROM json_each(?)) ORDER BY i`,
    [...params, JSON.stringify(indices)]
  )

/** First and last `seq` of the history rows with `minStep <= step <= maxStep`. */
const seqRange = async (
  ctx: GraphContext,
  runId: number,
  minStep: number,
  maxStep: number
): Promise<{ readonly lo: number; readonly hi: number } | undefined> => {
  const [first] = await ctx.all<{ seq: number }>(
    "SELECT seq FROM history WHERE run_id = ? AND step >= ? AND step <= ? ORDER BY step ASC LIMIT 1",
    [runId, minStep, maxStep]
  )
  const [last] = await ctx.all<{ seq: number }>(
    "SELECT seq FROM history WHERE run_id = ? AND step >= ? AND step <= ? ORDER BY step DESC LIMIT 1",
    [runId, minStep, maxStep]
  )
  return first === undefined || last === undefined ? undefined : { lo: first.seq, hi: last.seq }
}

/** Most distinct key sets enumerated through the `history_by_keys` index before falling back to LIKE. */
const MAX_KEY_SETS = 256

/**
 * The distinct `keys` strings of a run's history rows, walked through the `(run_id, keys)` index
 * one set at a time (a skip scan: one index seek per distinct set), or `undefined` when there are
 * more than {@link MAX_KEY_SETS}.
 */
const keySets = async (ctx: GraphContext, runId: number): Promise<ReadonlyArray<string> | undefined> => {
  const sets: Array<string> = []
  let last = ""
  while (sets.length <= MAX_KEY_SETS) {
    const [next] = await ctx.all<{ keys: string }>(
      "SELECT keys FROM history WHERE run_id = ? AND keys > ? ORDER BY keys LIMIT 1",
      [runId, last]
    )
    if (next === undefined) return sets
    sets.push(next.keys)
    last = next.keys
  }
  return undefined
}

/** Rows at `steps` (ascending), raw text. */
const rowsAtSteps = (ctx: GraphContext, runId: number, steps: ReadonlyArray<number>) =>
  ctx.all<RowText>(
    "SELECT row FROM history WHERE run_id = ? AND step IN (SELECT value FROM json_each(?)) ORDER BY step",
    [runId, JSON.stringify(steps)]
  )

/**
 * Raw history rows with `minStep <= step <= maxStep` that have every key in `keys`, evenly
 * sampled down to `samples` (first and last kept) when there are more.
 *
 * When every row has the keys (the usual case, decided from the run's distinct key sets) rows
 * are picked by their dense `seq` with index seeks only. Otherwise the matching steps (integers,
 * not rows) are listed through the `(run_id, keys, step)` index, sampled, and only the sampled
 * rows are read.
 */
const sampledRows = async (
  ctx: GraphContext,
  runId: number,
  minStep: number,
  maxStep: number,
  keys: ReadonlyArray<string>,
  samples: number
): Promise<ReadonlyArray<string>> => {
  if (samples === 0) return []
  const required = [...new Set(keys)].filter((key) => key !== "_step")
  const sets = required.length === 0 ? [] : await keySets(ctx, runId)
  const matching = sets?.filter((set) => required.every((key) => set.includes(`,${key},`)))
  if (sets !== undefined && matching!.length === sets.length) {
    const range = await seqRange(ctx, runId, minStep, maxStep)
    if (range === undefined) return []
    const count = range.hi - range.lo + 1
    const rows = count <= samples
      ? await ctx.all<RowText>(
        "SELECT row FROM history WHERE run_id = ? AND seq >= ? AND seq <= ? ORDER BY seq",
        [runId, range.lo, range.hi]
      )
      : await ctx.all<RowText>(
        "SELECT row FROM history WHERE run_id = ? AND seq IN (SELECT value FROM json_each(?)) ORDER BY seq",
        [runId, JSON.stringify(sampleIndices(count, samples).map((i) => i + range.lo))]
      )
    return rows.map((r) => r.row)
  }
  const steps = matching !== undefined
    ? await ctx.all<{ step: number }>(
      `SELECT step FROM history WHERE run_id = ? AND keys IN (SELECT value FROM json_each(?)) AND step >= ? AND step <= ?
       ORDER BY step`,
      [runId, JSON.stringify(matching), minStep, maxStep]
    )
    : await ctx.all<{ step: number }>(
      `SELECT step FROM history WHERE run_id = ? AND step >= ? AND step <= ?${
        " AND keys LIKE ? ESCAPE '\\'".repeat(required.length)
      } ORDER BY step`,
      [runId, minStep, maxStep, ...required.map((key) => `%,${escapeLike(key)},%`)]
    )
  const picked = steps.length <= samples ? steps : sampleIndices(steps.length, samples).map((i) => steps[i]!)
  const rows = await rowsAtSteps(ctx, runId, picked.map((s) => s.step))
  return rows.map((r) => r.row)
}

/** @internal */
export interface HistoryArgs {
  readonly samples?: number | null
  readonly minStep?: unknown
  readonly maxStep?: unknown
}

/**
 * `Run.history`: without bounds, `samples` rows evenly spread over the whole run (first and last
 * included); with `minStep`/`maxStep`, the first `samples` rows with `minStep <= _step < maxStep`
 * (maxStep exclusive), in step order. Rows are the raw stored JSON text (for a bounded page,
 * as a `RawJson` placeholder list).
 *
 * @internal
 */
export const history = async (ctx: GraphContext, runId: number, args: HistoryArgs): Promise<ReadonlyArray<string>> => {
  const samples = checkSamples(args.samples, "history")
  const bounded = (args.minStep !== null && args.minStep !== undefined) ||
    (args.maxStep !== null && args.maxStep !== undefined)
  const minStep = checkStep(args.minStep, "minStep", MIN_STEP)
  if (!bounded) return sampledRows(ctx, runId, MIN_STEP, MAX_STEP, [], samples)
  const maxStep = checkStep(args.maxStep, "maxStep", MAX_STEP)
  // The page (what clients scanning a run ask for, 1000 rows at a time) is serialised by
  // SQLite and spliced into the response as bytes. The subquery has a LIMIT, so SQLite does not
  // flatten it into the aggregate and feeds it rows in its ORDER BY order (`json_group_array(row
  // ORDER BY step)` would sort them again, at half the cost of the whole query).
  const [page] = await ctx.all<{ readonly rows: Uint8Array }>(
    `SELECT CAST(json_group_array(row) AS BLOB) AS rows
     FROM (SELECT row FROM history WHERE run_id = ? AND step >= ? AND step < ? ORDER BY step LIMIT ?)`,
    [runId, minStep, maxStep, samples]
  )
  return ctx.rawJson.add(page!.rows)
}

/**
 * `Run.events`: `samples` system-event rows evenly spread over the run (first and last
 * included), raw JSON text in order.
 *
 * @internal
 */
export const events = async (
  ctx: GraphContext,
  runId: number,
  samplesArg: number | null | undefined
): Promise<ReadonlyArray<string>> => {
  const samples = checkSamples(samplesArg, "events")
  if (samples === 0) return []
  const [{ n }] = (await ctx.all<{ n: number }>("SELECT count(*) AS n FROM events WHERE run_id = ?", [runId])) as [
    { n: number }
  ]
  const rows = n <= samples
    ? await ctx.all<RowText>("SELECT row FROM events WHERE run_id = ? ORDER BY seq", [runId])
    : await rowsAtOrdinals(ctx, "events", "run_id = ?", [runId], "seq", sampleIndices(n, samples))
  return rows.map((r) => r.row)
}

/** A row's standard-JSON object (bare NaN/±Infinity become the strings "NaN"/"Infinity"/"-Infinity"). */
const standardObject = (row: string): Record<string, unknown> => JSON.parse(LenientJson.toStandard(row))

const pick = (row: Record<string, unknown>, keys: ReadonlyArray<string>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const key of keys) if (key in row) out[key] = row[key]
  return out
}

interface Spec {
  readonly keys: ReadonlyArray<string>
  readonly samples: number
  readonly minStep: number
  readonly maxStep: number
}

const parseSpec = (raw: unknown): Spec => {
  let spec: unknown = raw
  if (typeof raw === "string") {
    try {
      spec = JSON.parse(raw)
    } catch {
      throw new BadRequest({ message: `sampledHistory: spec is not valid JSON: ${raw}` })
    }
  }
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new BadRequest({ message: `sampledHistory: spec must be a JSON object, got ${JSON.stringify(raw)}` })
  }
  const { keys, maxStep, minStep, samples } = spec as Record<string, unknown>
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string")) {
    throw new BadRequest({ message: "sampledHistory: spec.keys must be a non-empty array of strings" })
  }
  if (samples !== undefined && samples !== null && typeof samples !== "number") {
    throw new BadRequest({ message: "sampledHistory: spec.samples must be a number" })
  }
  return {
    keys,
    samples: checkSamples(samples as number | null | undefined, "sampledHistory"),
    minStep: checkStep(minStep, "spec.minStep", MIN_STEP),
    maxStep: checkStep(maxStep, "spec.maxStep", MAX_STEP)
  }
}

/**
 * `Run.sampledHistory`: one array per spec `{keys, samples, minStep?, maxStep?}` (maxStep
 * inclusive) of row objects restricted to `keys`, only rows having every key, evenly sampled
 * (first and last kept). Values are standard JSON: NaN/±Infinity become strings.
 *
 * @internal
 */
export const sampledHistory = (
  ctx: GraphContext,
  runId: number,
  specs: ReadonlyArray<unknown>
): Promise<ReadonlyArray<ReadonlyArray<Record<string, unknown>>>> =>
  Promise.all(specs.map(parseSpec).map(async (spec) => {
    const rows = await sampledRows(ctx, runId, spec.minStep, spec.maxStep, spec.keys, spec.samples)
    return rows.map((row) => pick(standardObject(row), spec.keys))
  }))

/**
 * `Run.parquetHistory`: no exported parquet files (`parquetUrls: []`), so every step is live
 * data, which makes official clients page through `history` instead.
 *
 * @internal
 */
export const parquetHistory = async (
  ctx: GraphContext,
  runId: number,
  liveKeys: ReadonlyArray<string>
): Promise<{ readonly parquetUrls: ReadonlyArray<string>; readonly liveData: ReadonlyArray<unknown> }> => {
  if (liveKeys.every((key) => key === "_step")) {
    const steps = await ctx.all<{ step: number }>("SELECT step FROM history WHERE run_id = ? ORDER BY step", [runId])
    return { parquetUrls: [], liveData: steps.map((s) => ({ _step: s.step })) }
  }
  const rows = await ctx.all<RowText>("SELECT row FROM history WHERE run_id = ? ORDER BY step", [runId])
  const keys = ["_step", ...liveKeys]
  return { parquetUrls: [], liveData: rows.map((r) => pick(standardObject(r.row), keys)) }
}

/**
 * `Run.historyKeys`: the stored `{keys: {k: {previousValue, …}}}` object as standard JSON,
 * with `lastStep` from the run row (omitted for a run without history).
 *
 * @internal
 */
export const historyKeys = (stored: string, lastStep: number | null): unknown => {
  const value = standardObject(stored)
  return lastStep === null ? value : { ...value, lastStep }
}
