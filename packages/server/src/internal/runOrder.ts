/**
 * Compiles the runs `order` argument (protocol doc §6.3) into an SQL `ORDER BY` body over the
 * `runs` table aliased `r`.
 *
 * `order` is one key with an optional sign: `+` ascending, `-` descending, **no sign =
 * descending** (W&B's old documented default). `null` / `""` mean `+created_at` (what current
 * clients send). Keys: `created_at`/`createdAt`, `heartbeat_at`/`heartbeatAt`,
 * `updated_at`/`updatedAt`, `name`, `display_name`/`displayName`, `state`, `duration`, and the
 * other filter columns (`sweep`, `group`, `jobType`, `host`, `username`),
 * `config.<k>[.value][.<nested>]`, `summary_metrics.<k>[.<nested>]`.
 *
 * Nulls (and missing JSON values) sort last in both directions; JSON numbers sort numerically,
 * before strings (SQLite's type order). The body always ends with `r.id` in the same direction,
 * a unique tiebreak, so the order is total and stable across pages.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { columns, FilterError, jsonPath, jsonTarget, type SqlFragment } from "./runFilter.js"

const DEFAULT_ORDER = "+created_at"

/** The sort value of `key` as SQL, or a `FilterError` for an unknown key. */
const sortValue = (key: string): { readonly value: SqlFragment; readonly nullable: boolean } => {
  const column = columns[key]
  if (column !== undefined) return { value: { sql: column.sql, params: [] }, nullable: column.notNull !== true }
  const target = jsonTarget(key)
  if (target === undefined) throw new FilterError(`unknown order key ${JSON.stringify(key)}`)
  return { value: { sql: `json_extract(${target.document}, ?)`, params: [jsonPath(target.segments)] }, nullable: true }
}

/**
 * Compiles `order` into an `ORDER BY` body (without the keywords) and its parameters.
 *
 * @internal
 */
export const compileRunOrder = (
  order: string | null | undefined
): Either.Either<SqlFragment, FilterError> => {
  const text = order === null || order === undefined || order.trim() === "" ? DEFAULT_ORDER : order.trim()
  const sign = text[0]
  const direction = sign === "+" ? "ASC" : "DESC"
  const key = sign === "+" || sign === "-" ? text.slice(1) : text
  try {
    const { nullable, value } = sortValue(key)
    const nullsLast = nullable ? `(${value.sql}) IS NULL, ` : ""
    return Either.right({
      sql: `${nullsLast}${value.sql} ${direction}, r.id ${direction}`,
      params: nullable ? [...value.params, ...value.params] : value.params
    })
  } catch (e) {
    if (e instanceof FilterError) return Either.left(e)
    throw e
  }
}
