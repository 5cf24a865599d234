/**
 * Runs filters and order, as accepted by `WandbApi.runs`. Filters are W&B's Mongo-style
 * documents (`{"$and": [{"state": "finished"}, {"config.lr": {"$lte": 0.01}}]}`); the
 * spellings from W&B's docs are rewritten to the columns the server accepts:
 * `summary.<k>` → `summary_metrics.<k>` and `config.<k>` → `config.<k>.value` (a key already
 * written `config.<k>.value` or `summary_metrics.<k>` is kept). The same rewriting applies to
 * `order`, which defaults to `+created_at` (oldest first). Tags: `{"tags": "a"}` (has the tag),
 * `{"tags": ["a", "b"]}` (has one of them; sent as `$in`), `{"tags": {"$all": ["a", "b"]}}` (has
 * every one; sent as is — W&B's support for `$all` on tags is unconfirmed, the local server has it).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { InvalidArgument } from "./Errors.js"

/**
 * A Mongo-style filter document.
 *
 * @since 0.1.0
 * @category models
 */
export type RunFilters = { readonly [key: string]: unknown }

/**
 * The order used when none is given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultOrder = "+created_at"

/**
 * Rewrites one column name: `summary.x` → `summary_metrics.x`, `config.x[.rest]` →
 * `config.x.value[.rest]`; anything else is returned unchanged.
 *
 * @since 0.1.0
 * @category normalisation
 */
export const normalizeColumn = (column: string): string => {
  if (column.startsWith("summary.")) return `summary_metrics.${column.slice("summary.".length)}`
  if (column.startsWith("config.")) {
    const [key, ...rest] = column.slice("config.".length).split(".")
    if (key === undefined || key === "" || rest[0] === "value") return column
    return ["config", key, "value", ...rest].join(".")
  }
  return column
}

const normalizeValue = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(normalizeValue)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key.startsWith("$") ? key : normalizeColumn(key),
        // a plain list of tags means "one of them", sent as `$in` (as the official QueryGenerator does)
        key === "tags" && Array.isArray(inner) ? { $in: inner } : normalizeValue(inner)
      ])
    )
  }
  return value
}

/**
 * Rewrites every column key of a filter document (operators such as `$and`, `$in` are left
 * alone; values are never changed).
 *
 * @since 0.1.0
 * @category normalisation
 */
export const normalizeFilters = (filters: RunFilters): RunFilters => normalizeValue(filters) as RunFilters

/**
 * The deepest nesting of objects and arrays a filter may have (the filter object itself is level
 * 1; `{"$and": [{…}]}` uses two levels per `$and`). Deeper filters are refused before anything
 * is sent: nothing useful is that deep, and recursion over them would exhaust the stack. This
 * only protects the client: servers have lower limits of their own (the local server refuses
 * more than 32 levels with a 400, which the client reports as `FilterRejected`).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxFilterDepth = 1000

/** Whether `value` nests objects and arrays more than `max` levels deep (or is cyclic); no recursion. */
const deeperThan = (value: unknown, max: number): boolean => {
  const stack: Array<readonly [unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!
    if (item === null || typeof item !== "object") continue
    if (depth > max) return true
    for (const inner of Object.values(item)) stack.push([inner, depth + 1])
  }
  return false
}

/**
 * Validates and serialises filters the way they are sent (`JSON.stringify`, `"{}"` for none).
 * A filter nested deeper than {@link maxFilterDepth} levels is an `InvalidArgument`.
 *
 * @since 0.1.0
 * @category normalisation
 */
export const encodeFilters = (filters: RunFilters | undefined): Effect.Effect<string, InvalidArgument> => {
  if (filters === undefined) return Effect.succeed("{}")
  if (filters === null || typeof filters !== "object" || Array.isArray(filters)) {
    return Effect.fail(new InvalidArgument({ argument: "filters", reason: "expected a filter object" }))
  }
  if (deeperThan(filters, maxFilterDepth)) {
    return Effect.fail(
      new InvalidArgument({
        argument: "filters",
        reason: `nested deeper than ${maxFilterDepth} levels of objects and arrays (or cyclic)`
      })
    )
  }
  return Effect.try({
    try: () => JSON.stringify(normalizeFilters(filters)),
    catch: (cause) => new InvalidArgument({ argument: "filters", reason: `not serialisable as JSON: ${String(cause)}` })
  })
}

/**
 * Validates and normalises an order: an optional `+`/`-` and one column (rewritten with
 * {@link normalizeColumn}). `undefined` or empty → {@link defaultOrder}.
 *
 * @since 0.1.0
 * @category normalisation
 */
export const normalizeOrder = (order: string | undefined): Effect.Effect<string, InvalidArgument> => {
  const trimmed = (order ?? "").trim()
  if (trimmed === "") return Effect.succeed(defaultOrder)
  const sign = trimmed[0] === "+" || trimmed[0] === "-" ? trimmed[0] : ""
  const column = trimmed.slice(sign.length)
  if (!/^[A-Za-z_][^\s,]*$/.test(column)) {
    return Effect.fail(
      new InvalidArgument({ argument: "order", reason: `expected [+|-]column, got ${JSON.stringify(order)}` })
    )
  }
  return Effect.succeed(sign + normalizeColumn(column))
}
