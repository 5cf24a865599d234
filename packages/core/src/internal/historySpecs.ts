/**
 * The `sampledHistory` specs of a sampled read with keys, and the rows from their answer:
 * `join: "inner"` is one spec with every key (W&B keeps rows having all of them), `"outer"` one
 * spec per key, merged by `_step`. Shared by `History.history` and `Histories.histories`.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { DecodeError } from "../Errors.js"
import type { SampledSpec } from "./historyQueries.js"
import * as Rows from "./historyRows.js"

/** @internal */
export type Join = "inner" | "outer"

const unique = (keys: ReadonlyArray<string>): Array<string> => [...new Set(keys)]

/** @internal */
export const historyShape: Rows.RowShape = { entity: "HistoryRow", requireStep: true }

/** The keys every row carries besides `_step`. */
const valueKeysOf = (keys: ReadonlyArray<string>, xAxis: string) => unique([xAxis, ...keys]).filter((key) => key !== "_step")

const perKey = (keys: ReadonlyArray<string>, join: Join) => join === "outer" && keys.length > 1

/** @internal */
export const sampledSpecs = (
  samples: number,
  keys: ReadonlyArray<string>,
  xAxis: string,
  join: Join
): ReadonlyArray<SampledSpec> =>
  perKey(keys, join)
    ? keys.map((key) => ({ keys: unique(["_step", xAxis, key]), samples }))
    : [{ keys: ["_step", ...valueKeysOf(keys, xAxis)], samples }]

/** The rows of the answer to {@link sampledSpecs} (one list per spec). @internal */
export const sampledSpecRows = (
  lists: ReadonlyArray<ReadonlyArray<unknown>>,
  keys: ReadonlyArray<string>,
  xAxis: string,
  join: Join
): Either.Either<Array<Rows.MutableRow>, DecodeError> => {
  if (!perKey(keys, join)) return Rows.decodeObjectRows(lists[0] ?? [], historyShape)
  const decoded: Array<Array<Rows.MutableRow>> = []
  for (const list of lists) {
    const rows = Rows.decodeObjectRows(list, historyShape)
    if (rows._tag === "Left") return rows
    decoded.push(rows.right)
  }
  return Either.right(Rows.outerJoinByStep(decoded, valueKeysOf(keys, xAxis)))
}
