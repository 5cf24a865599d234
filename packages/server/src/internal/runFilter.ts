/**
 * Compiles W&B's Mongo-style run `filters` (protocol doc §6.2) into a parameterised SQL boolean
 * expression over the `runs` table aliased `r`.
 *
 * Supported: `$and`, `$or`, `$nor` (non-empty arrays of documents), several keys in one document
 * (ANDed), a bare value (= `$eq`), and `$eq $ne $gt $gte $lt $lte $in $nin $exists $regex`
 * (`$options` with `i`/`m`/`s` alongside `$regex`). Keys: run columns (see {@link columns}),
 * `tags` (membership; `$all`, and a plain list as `$in`), `config.<k>[.value][.<nested>]` and `summary_metrics.<k>[.<nested>]`.
 *
 * Comparison semantics follow MongoDB: a comparison only matches values of the same JSON type
 * (numbers with numbers, strings with strings, booleans with booleans), `$ne` / `$nin` also
 * match missing values, `$eq null` matches null or missing, `$exists` tests presence. Every
 * value is bound as a parameter; JSON paths are bound too.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { defaults, type Limits } from "../Limits.js"
import { compileRe2 } from "./sqliteFunctions.js"

/**
 * The limits a filter is held to (see the `Limits` module).
 *
 * @internal
 */
export type FilterLimits = Pick<Limits, "maxFilterDepth" | "maxFilterTerms" | "maxRegexLength">

/**
 * A filter or order the server does not support or cannot read; the engine answers HTTP 400
 * with `message`.
 *
 * @internal
 */
export class FilterError {
  readonly _tag = "FilterError"
  constructor(readonly message: string) {}
}

/**
 * A SQL fragment with its positional (`?`) parameters, in order.
 *
 * @internal
 */
export interface SqlFragment {
  readonly sql: string
  readonly params: ReadonlyArray<string | number | null>
}

type Param = string | number | null

/**
 * A value the filter can test: `value` is its SQL value, `type` a SQL expression giving the
 * JSON-ish type name (`'integer'`, `'real'`, `'text'`, `'true'`, `'false'`, `'null'`, `'object'`,
 * `'array'`, or NULL when missing) — `json_type` for JSON paths, `typeof` for plain columns
 * (a NULL column counts as missing).
 */
interface Operand {
  readonly key: string
  readonly value: SqlFragment
  readonly type: SqlFragment
  /** Timestamp columns: comparison values must be ISO-8601 strings, normalised to the stored form. */
  readonly timestamp: boolean
}

/** Inside the compiler a `FilterError` is thrown; the entry points turn it into `Either.left`. */
const fail = (message: string): never => {
  throw new FilterError(message)
}

const frag = (sql: string, ...params: ReadonlyArray<Param>): SqlFragment => ({ sql, params })

/** Joins fragments with `separator`, concatenating their parameters in order. */
const join = (parts: ReadonlyArray<SqlFragment>, separator: string): SqlFragment => ({
  sql: parts.map((p) => p.sql).join(separator),
  params: parts.flatMap((p) => p.params)
})

/** `template` with each `$n` (1-based) replaced by `parts[n-1].sql`, params in placeholder order. */
const sql = (template: string, ...parts: ReadonlyArray<SqlFragment>): SqlFragment => {
  const params: Array<Param> = []
  const text = template.replace(/\$(\d)/g, (_, n: string) => {
    const part = parts[Number(n) - 1]!
    params.push(...part.params)
    return part.sql
  })
  return { sql: text, params }
}

const TRUE = frag("1")
const FALSE = frag("0")

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const show = (u: unknown): string => {
  const text = JSON.stringify(u)
  return text === undefined ? String(u) : text.length > 80 ? text.slice(0, 77) + "..." : text
}

// ---------------------------------------------------------------------------------------------
// Keys → operands

const columnOperand = (key: string, column: string, timestamp = false): Operand => ({
  key,
  value: frag(column),
  type: frag(`NULLIF(typeof(${column}), 'null')`),
  timestamp
})

/**
 * Plain run columns by key, shared by filters and order. `timestamp` columns take ISO-8601
 * values in filters; `notNull` columns need no nulls-last term when sorting. `username` reads
 * the run's user.
 *
 * @internal
 */
export const columns: Readonly<
  Record<string, { readonly sql: string; readonly timestamp?: boolean; readonly notNull?: boolean }>
> = {
  name: { sql: "r.name", notNull: true },
  displayName: { sql: "r.display_name" },
  display_name: { sql: "r.display_name" },
  state: { sql: "r.state", notNull: true },
  group: { sql: "r.group_name" },
  jobType: { sql: "r.job_type" },
  host: { sql: "r.host" },
  createdAt: { sql: "r.created_at", timestamp: true, notNull: true },
  created_at: { sql: "r.created_at", timestamp: true, notNull: true },
  heartbeatAt: { sql: "r.heartbeat_at", timestamp: true },
  heartbeat_at: { sql: "r.heartbeat_at", timestamp: true },
  updatedAt: { sql: "r.updated_at", timestamp: true },
  updated_at: { sql: "r.updated_at", timestamp: true },
  duration: { sql: "r.duration" },
  username: { sql: "(SELECT u.username FROM users u WHERE u.id = r.user_id)" },
  sweep: { sql: "r.sweep_name" }
}

/**
 * The SQLite JSON path for `segments`, each label double-quoted with JSON escaping (SQLite
 * decodes it), so keys with spaces, dots, quotes or `$` address the right member.
 *
 * @internal
 */
export const jsonPath = (segments: ReadonlyArray<string>): string =>
  "$" + segments.map((s) => "." + JSON.stringify(s)).join("")

const jsonOperand = (key: string, document: string, segments: ReadonlyArray<string>): Operand => {
  const path = jsonPath(segments)
  return {
    key,
    value: frag(`json_extract(${document}, ?)`, path),
    type: frag(`json_type(${document}, ?)`, path),
    timestamp: false
  }
}

/**
 * Splits a `config.…` / `summary_metrics.…` key into its JSON document column and path.
 * `config.<k>` means `config.<k>.value` (W&B wraps each config key as `{"value": …}`), so
 * `config.opt.name` ≡ `config.opt.value.name`. Returns `undefined` for other keys; fails for
 * an empty segment or a bare `config` / `summary_metrics` by throwing a `FilterError`.
 *
 * @internal
 */
export const jsonTarget = (
  key: string
): { readonly document: string; readonly segments: ReadonlyArray<string> } | undefined => {
  const dot = key.indexOf(".")
  const head = dot < 0 ? key : key.slice(0, dot)
  if (head !== "config" && head !== "summary_metrics") return undefined
  const segments = dot < 0 ? [] : key.slice(dot + 1).split(".")
  if (segments.length === 0 || segments.some((s) => s === "")) {
    return fail(`key ${show(key)} needs a non-empty ${head}.<key> path`)
  }
  if (head === "summary_metrics") return { document: "r.summary_query", segments }
  const [first, ...rest] = segments
  return { document: "r.config_query", segments: rest[0] === "value" ? segments : [first!, "value", ...rest] }
}

const operandFor = (key: string): Operand => {
  const column = columns[key]
  if (column !== undefined) return columnOperand(key, column.sql, column.timestamp === true)
  const target = jsonTarget(key)
  if (target !== undefined) return jsonOperand(key, target.document, target.segments)
  if (key === "summary" || key.startsWith("summary.")) {
    return fail(`filter key ${show(key)} is not supported: use summary_metrics.<key>`)
  }
  return fail(`unknown filter key ${show(key)}`)
}

// ---------------------------------------------------------------------------------------------
// Values

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Normalises an ISO-8601 timestamp to the stored form (UTC, no zone designator, milliseconds
 * only when non-zero). A string without a zone is UTC, as W&B's run timestamps are.
 *
 * @internal
 */
export const normaliseTimestamp = (key: string, value: unknown): string => {
  if (typeof value !== "string") {
    return fail(`filter key ${show(key)} compares timestamps: expected an ISO-8601 string, got ${show(value)}`)
  }
  const match = ISO_TIMESTAMP.exec(value)
  const hasTime = match !== null && value.length > 10
  const date = match === null ? undefined : new Date(hasTime && match[1] === undefined ? value + "Z" : value)
  if (date === undefined || Number.isNaN(date.getTime())) {
    return fail(`filter key ${show(key)} compares timestamps: ${show(value)} is not an ISO-8601 timestamp`)
  }
  const iso = date.toISOString()
  return iso.endsWith(".000Z") ? iso.slice(0, 19) : iso.slice(0, 23)
}

/** The SQL condition "operand's type is one of `types`", never NULL. */
const typeIn = (operand: Operand, types: ReadonlyArray<string>): SqlFragment =>
  sql(`COALESCE($1 IN (${types.map((t) => `'${t}'`).join(", ")}), 0)`, operand.type)

const isMissingOrNull = (operand: Operand): SqlFragment => sql("COALESCE($1 = 'null', 1)", operand.type)

/** `operand <op> value` restricted to values of the same type; `op` is a SQL comparison. */
const compare = (operand: Operand, op: string, value: unknown): SqlFragment => {
  const v = operand.timestamp && value !== null ? normaliseTimestamp(operand.key, value) : value
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return fail(`filter key ${show(operand.key)}: ${show(value)} is not a finite number`)
    return sql(`($1 AND $2 ${op} $3)`, typeIn(operand, ["integer", "real"]), operand.value, frag("?", v))
  }
  if (typeof v === "string") {
    return sql(`($1 AND $2 ${op} $3)`, typeIn(operand, ["text"]), operand.value, frag("?", v))
  }
  if (op !== "=") {
    return fail(`filter key ${show(operand.key)}: range comparison needs a number or a string, got ${show(value)}`)
  }
  if (v === null) return isMissingOrNull(operand)
  if (typeof v === "boolean") return typeIn(operand, [v ? "true" : "false"])
  // an object or array literal: equal JSON text (SQLite minifies both sides)
  return sql("($1 AND $2 = json($3))", typeIn(operand, ["object", "array"]), operand.value, frag("?", JSON.stringify(v)))
}

const not = (f: SqlFragment): SqlFragment => sql("NOT $1", f)

/**
 * `parts` joined by `operator` as a balanced tree of parenthesised halves: SQLite parses
 * `a OR b OR c …` as a left-deep tree, and 1000 terms exceed its expression depth limit (1000);
 * halves keep the depth logarithmic.
 */
const balanced = (parts: ReadonlyArray<SqlFragment>, operator: string): SqlFragment => {
  if (parts.length <= 2) return sql("($1)", join(parts, operator))
  const half = Math.ceil(parts.length / 2)
  return sql(`($1${operator}$2)`, balanced(parts.slice(0, half), operator), balanced(parts.slice(half), operator))
}

const anyOf = (parts: ReadonlyArray<SqlFragment>): SqlFragment =>
  parts.length === 0 ? FALSE : parts.length === 1 ? parts[0]! : balanced(parts, " OR ")

const allOf = (parts: ReadonlyArray<SqlFragment>): SqlFragment =>
  parts.length === 0 ? TRUE : parts.length === 1 ? parts[0]! : balanced(parts, " AND ")

const arrayArgument = (key: string, op: string, value: unknown): ReadonlyArray<unknown> =>
  Array.isArray(value) ? value : fail(`filter key ${show(key)}: ${op} needs an array, got ${show(value)}`)

const regexArgument = (key: string, pattern: unknown, options: unknown): string => {
  if (typeof pattern !== "string") return fail(`filter key ${show(key)}: $regex needs a string, got ${show(pattern)}`)
  if (options !== undefined && (typeof options !== "string" || !/^[ims]*$/.test(options))) {
    return fail(`filter key ${show(key)}: $options must be a string of i, m, s flags, got ${show(options)}`)
  }
  const full = options === undefined || options === "" ? pattern : `(?${options})${pattern}`
  try {
    compileRe2(full)
  } catch (e) {
    return fail(`filter key ${show(key)}: invalid $regex ${show(pattern)} (${e instanceof Error ? e.message : e})`)
  }
  return full
}

const existsArgument = (key: string, value: unknown): boolean =>
  typeof value === "boolean" ? value : fail(`filter key ${show(key)}: $exists needs true or false, got ${show(value)}`)

// ---------------------------------------------------------------------------------------------
// Conditions

const rangeOps: Readonly<Record<string, string>> = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" }

/** The operators of an operator document, or `undefined` when `value` is a literal. */
const operatorsOf = (key: string, value: unknown): ReadonlyArray<[string, unknown]> | undefined => {
  if (!isPlainObject(value)) return undefined
  const entries = Object.entries(value)
  const operators = entries.filter(([k]) => k.startsWith("$"))
  if (operators.length === 0) return undefined
  if (operators.length !== entries.length) {
    return fail(`filter key ${show(key)}: cannot mix operators and plain fields in ${show(value)}`)
  }
  if (!("$regex" in value) && "$options" in value) return fail(`filter key ${show(key)}: $options needs $regex`)
  return operators.filter(([k]) => k !== "$options")
}

const unknownOperator = (key: string, op: string): never =>
  fail(`filter key ${show(key)}: unsupported operator ${show(op)}`)

const valueCondition = (operand: Operand, value: unknown): SqlFragment => {
  const operators = operatorsOf(operand.key, value)
  if (operators === undefined) return compare(operand, "=", value)
  const options = (value as Record<string, unknown>).$options
  return allOf(operators.map(([op, arg]): SqlFragment => {
    switch (op) {
      case "$eq":
        return compare(operand, "=", arg)
      case "$ne":
        return not(compare(operand, "=", arg))
      case "$in":
        return anyOf(arrayArgument(operand.key, op, arg).map((v) => compare(operand, "=", v)))
      case "$nin":
        return not(anyOf(arrayArgument(operand.key, op, arg).map((v) => compare(operand, "=", v))))
      case "$exists":
        return existsArgument(operand.key, arg) ? not(sql("$1 IS NULL", operand.type)) : sql("$1 IS NULL", operand.type)
      case "$regex":
        return sql(
          "($1 AND regexp($2, $3))",
          typeIn(operand, ["text"]),
          frag("?", regexArgument(operand.key, arg, options)),
          operand.value
        )
      default: {
        const range = rangeOps[op]
        return range === undefined ? unknownOperator(operand.key, op) : compare(operand, range, arg)
      }
    }
  }))
}

/** Tag membership over `json_each(r.tags)`. */
const tagsCondition = (value: unknown): SqlFragment => {
  const has = (tags: ReadonlyArray<unknown>): SqlFragment => {
    if (tags.length === 0) return FALSE
    const bad = tags.find((t) => typeof t !== "string")
    if (bad !== undefined) return fail(`filter key "tags": tags are strings, got ${show(bad)}`)
    return frag(
      `EXISTS (SELECT 1 FROM json_each(r.tags) t WHERE t.value IN (${tags.map(() => "?").join(", ")}))`,
      ...(tags as ReadonlyArray<string>)
    )
  }
  const empty = frag("json_array_length(r.tags) = 0")
  const equals = (v: unknown): SqlFragment => (v === null ? empty : has([v]))
  const operators = operatorsOf("tags", value)
  if (operators === undefined) {
    // a plain list is "one of these tags", as the official QueryGenerator sends `$in`
    if (Array.isArray(value)) return has(arrayArgument("tags", "$in", value))
    return isPlainObject(value)
      ? fail(`filter key "tags": expected a tag string, a list or an operator document, got ${show(value)}`)
      : equals(value)
  }
  const options = (value as Record<string, unknown>).$options
  return allOf(operators.map(([op, arg]): SqlFragment => {
    switch (op) {
      case "$eq":
        return equals(arg)
      case "$ne":
        return not(equals(arg))
      case "$in":
        return has(arrayArgument("tags", op, arg))
      case "$nin":
        return not(has(arrayArgument("tags", op, arg)))
      case "$all": {
        const tags = arrayArgument("tags", op, arg)
        return tags.length === 0 ? FALSE : allOf(tags.map((tag) => has([tag])))
      }
      case "$exists":
        return existsArgument("tags", arg) ? not(empty) : empty
      case "$regex":
        return frag(
          "EXISTS (SELECT 1 FROM json_each(r.tags) t WHERE regexp(?, t.value))",
          regexArgument("tags", arg, options)
        )
      default:
        return unknownOperator("tags", op)
    }
  }))
}

const logicalOps: Readonly<Record<string, (parts: ReadonlyArray<SqlFragment>) => SqlFragment>> = {
  $and: allOf,
  $or: anyOf,
  $nor: (parts) => not(anyOf(parts))
}

const documentCondition = (doc: unknown, where: string): SqlFragment => {
  if (!isPlainObject(doc)) return fail(`${where} must be a JSON object, got ${show(doc)}`)
  return allOf(Object.entries(doc).map(([key, value]): SqlFragment => {
    const logical = logicalOps[key]
    if (logical !== undefined) {
      if (!Array.isArray(value) || value.length === 0) {
        return fail(`filter key ${show(key)} needs a non-empty array of filter objects, got ${show(value)}`)
      }
      return logical(value.map((sub, i) => documentCondition(sub, `${key}[${i}]`)))
    }
    if (key.startsWith("$")) return fail(`unsupported filter operator ${show(key)} at ${where}`)
    if (key === "tags") return tagsCondition(value)
    return valueCondition(operandFor(key), value)
  }))
}

/**
 * Fails when `value` nests deeper than `maxFilterDepth` (objects and arrays) or has more than
 * `maxFilterTerms` object members and array elements in all, or has a `$regex` longer than
 * `maxRegexLength`. The walk never goes deeper than the limit, so a 100,000-deep filter is
 * refused without exhausting the stack.
 */
const checkSize = (value: unknown, limits: FilterLimits): void => {
  let terms = 0
  const walk = (v: unknown, depth: number): void => {
    if (typeof v !== "object" || v === null) return
    if (depth > limits.maxFilterDepth) {
      fail(`filters nest deeper than the server's limit maxFilterDepth = ${limits.maxFilterDepth}`)
    }
    const regex = (v as { readonly $regex?: unknown }).$regex
    if (typeof regex === "string" && regex.length > limits.maxRegexLength) {
      fail(`$regex is ${regex.length} characters long, over the server's limit maxRegexLength = ${limits.maxRegexLength}`)
    }
    const children = Array.isArray(v) ? v : Object.values(v)
    terms += children.length
    if (terms > limits.maxFilterTerms) {
      fail(`filters have more than the server's limit maxFilterTerms = ${limits.maxFilterTerms} terms`)
    }
    for (const child of children) walk(child, depth + 1)
  }
  walk(value, 1)
}

/**
 * Compiles the parsed `filters` argument into a boolean SQL expression over `runs r`.
 * `null`, `undefined` and `{}` mean "no filter" (sql `1`). A filter over `limits` (default: the
 * server's defaults) is a `FilterError`.
 *
 * @internal
 */
export const compileRunFilter = (
  filters: unknown,
  limits: FilterLimits = defaults
): Either.Either<SqlFragment, FilterError> => {
  if (filters === null || filters === undefined) return Either.right(TRUE)
  try {
    checkSize(filters, limits)
    return Either.right(documentCondition(filters, "filters"))
  } catch (e) {
    if (e instanceof FilterError) return Either.left(e)
    throw e
  }
}
