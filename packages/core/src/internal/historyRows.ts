/**
 * Decoding of history rows and their columnar form. Kept lean on purpose: a full scan decodes
 * millions of rows, so rows are checked by hand (no per-row Schema run) and the plain
 * `JSON.parse` fast path is taken whenever a row's text holds no special number token.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { DecodeError } from "../Errors.js"
import * as LenientJson from "../LenientJson.js"

/** @internal */
export type MutableRow = Record<string, unknown>

const excerpt = (text: string): string => (text.length > 80 ? `${text.slice(0, 77)}...` : text)

const describe = (value: unknown): string =>
  value === undefined ? "nothing" : excerpt(typeof value === "string" ? JSON.stringify(value) : String(value))

/**
 * What a decoded row must carry: `requireStep` for default-stream rows (`_step` an integer);
 * `_runtime` and `_timestamp`, when present, must be numbers in every stream.
 *
 * @internal
 */
export interface RowShape {
  readonly entity: string
  readonly requireStep: boolean
}

const checkRow = (row: unknown, shape: RowShape): MutableRow | DecodeError => {
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    return new DecodeError({ entity: shape.entity, field: "row", reason: `expected a JSON object, got ${describe(row)}` })
  }
  const record = row as MutableRow
  if (shape.requireStep && !Number.isInteger(record._step)) {
    return new DecodeError({
      entity: shape.entity,
      field: "_step",
      reason: `expected an integer, got ${describe(record._step)}`
    })
  }
  for (const field of ["_runtime", "_timestamp"]) {
    const value = record[field]
    if (value !== undefined && typeof value !== "number") {
      return new DecodeError({ entity: shape.entity, field, reason: `expected a number, got ${describe(value)}` })
    }
  }
  return record
}

const parseRowText = (text: string): unknown =>
  text.includes("NaN") || text.includes("Infinity")
    ? LenientJson.parse(text, { quotedSpecials: true })
    : JSON.parse(text)

/** Checks every value after `prepare` (parsing, special numbers) has the row shape. */
const decodeEach = <A>(
  values: ReadonlyArray<A>,
  shape: RowShape,
  prepare: (value: A) => unknown
): Either.Either<Array<MutableRow>, DecodeError> => {
  const rows = new Array<MutableRow>(values.length)
  for (let i = 0; i < values.length; i++) {
    const prepared = prepare(values[i]!)
    const row = prepared instanceof DecodeError ? prepared : checkRow(prepared, shape)
    if (row instanceof DecodeError) return Either.left(row)
    rows[i] = row
  }
  return Either.right(rows)
}

/**
 * Decodes rows sent as JSON text (`history` / `events`), which may hold bare or quoted
 * `NaN` / `±Infinity`.
 *
 * @internal
 */
export const decodeTextRows = (
  texts: ReadonlyArray<string>,
  shape: RowShape
): Either.Either<Array<MutableRow>, DecodeError> =>
  decodeEach(texts, shape, (text) => {
    try {
      return parseRowText(text)
    } catch (error) {
      return new DecodeError({
        entity: shape.entity,
        field: "row",
        reason: `malformed JSON (${error instanceof Error ? error.message : String(error)}): ${excerpt(text)}`
      })
    }
  })

/**
 * Decodes rows sent as JSON objects (`sampledHistory`), turning quoted special numbers into
 * numbers. The objects are modified in place.
 *
 * @internal
 */
export const decodeObjectRows = (
  values: ReadonlyArray<unknown>,
  shape: RowShape
): Either.Either<Array<MutableRow>, DecodeError> => decodeEach(values, shape, LenientJson.reviveQuotedSpecials)

/**
 * Outer join of per-key row lists (each holding `_step` and some of `keys`) into one row per
 * step, in step order, with every key present and `null` where a step has no value for it.
 *
 * @internal
 */
export const outerJoinByStep = (
  lists: ReadonlyArray<ReadonlyArray<MutableRow>>,
  keys: ReadonlyArray<string>
): Array<MutableRow> => {
  const byStep = new Map<number, MutableRow>()
  for (const list of lists) {
    for (const row of list) {
      const step = row._step as number
      const merged = byStep.get(step)
      if (merged === undefined) byStep.set(step, row)
      else Object.assign(merged, row)
    }
  }
  const steps = Array.from(byStep.keys()).sort((a, b) => a - b)
  return steps.map((step) => {
    const merged = byStep.get(step)!
    const row: MutableRow = { _step: step }
    for (const key of keys) row[key] = key in merged ? merged[key] : null
    return row
  })
}

/**
 * Columnar form of rows: `xAxis` first, then `keys` when given, otherwise every key in order
 * of first appearance; `null` where a row lacks a key.
 *
 * @internal
 */
export const toColumns = (
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  xAxis: string,
  keys?: ReadonlyArray<string>
): Record<string, Array<unknown>> => {
  const names = new Set<string>([xAxis])
  if (keys !== undefined) {
    for (const key of keys) names.add(key)
  } else {
    for (const row of rows) for (const key in row) names.add(key)
  }
  const columns: Record<string, Array<unknown>> = {}
  for (const name of names) {
    const column = new Array<unknown>(rows.length)
    for (let i = 0; i < rows.length; i++) {
      const value = rows[i]![name]
      column[i] = value === undefined ? null : value
    }
    columns[name] = column
  }
  return columns
}
