/**
 * Run reads: one run by name, the runs connection (`filters`, `order`, `first`/`after`) and
 * `runCount(filters)`. Filters and orders are compiled by `runFilter` / `runOrder`; their
 * errors become HTTP 400. The default order `+created_at` (and `-created_at`) pages by keyset
 * on the `(project_id, created_at, id)` index; every other order pages by offset.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { BadRequest } from "./badRequest.js"
import type { GraphContext, Param } from "./context.js"
import { decodeCursor, encodeCursor } from "./ids.js"
import { compileRunFilter, type FilterLimits } from "./runFilter.js"
import { compileRunOrder } from "./runOrder.js"

/** Page size when `first` is null or absent. @internal */
export const DEFAULT_PAGE_SIZE = 50

/** A `runs` row joined with its creator (`user_*`, null when none). @internal */
export interface RunRow {
  readonly id: number
  readonly project_id: number
  readonly name: string
  readonly display_name: string | null
  readonly state: string
  readonly sweep_name: string | null
  readonly group_name: string | null
  readonly job_type: string | null
  readonly commit_hash: string | null
  readonly host: string | null
  readonly read_only: number
  readonly created_at: string
  readonly heartbeat_at: string | null
  readonly updated_at: string | null
  readonly duration: number | null
  readonly description: string | null
  readonly notes: string | null
  readonly tags: string
  readonly config: string
  readonly summary_metrics: string
  readonly system_metrics: string
  readonly history_line_count: number
  readonly last_step: number | null
  readonly history_keys: string
  readonly user_id: number | null
  readonly user_username: string | null
  readonly user_name: string | null
  readonly user_email: string | null
  readonly user_default_entity: string | null
  readonly user_admin: number | null
}

const runSelect = `SELECT r.id, r.project_id, r.name, r.display_name, r.state, r.sweep_name, r.group_name, r.job_type,
  r.commit_hash, r.host, r.read_only, r.created_at, r.heartbeat_at, r.updated_at, r.duration, r.description, r.notes,
  r.tags, r.config, r.summary_metrics, r.system_metrics, r.history_line_count, r.last_step, r.history_keys, r.user_id,
  u.username AS user_username, u.name AS user_name, u.email AS user_email, u.default_entity AS user_default_entity,
  u.admin AS user_admin
  FROM runs r LEFT JOIN users u ON u.id = r.user_id`

/** The run `name` of project `projectId`, if any. @internal */
export const findRun = async (ctx: GraphContext, projectId: number, name: string): Promise<RunRow | undefined> =>
  (await ctx.all<RunRow>(`${runSelect} WHERE r.project_id = ? AND r.name = ?`, [projectId, name]))[0]

/** The run with row id `id`. @internal */
export const findRunById = async (ctx: GraphContext, id: number): Promise<RunRow | undefined> =>
  (await ctx.all<RunRow>(`${runSelect} WHERE r.id = ?`, [id]))[0]

/** Extra restriction of a listing to a sweep's runs. @internal */
export interface RunScope {
  readonly sweepName?: string
}

const filterFragment = (filters: unknown, limits: FilterLimits): { readonly sql: string; readonly params: ReadonlyArray<Param> } => {
  let parsed: unknown = filters
  if (typeof filters === "string") {
    try {
      parsed = filters.trim() === "" ? null : JSON.parse(filters)
    } catch {
      throw new BadRequest({ message: `invalid filters: not valid JSON: ${filters}` })
    }
  }
  const compiled = compileRunFilter(parsed, limits)
  if (Either.isLeft(compiled)) throw new BadRequest({ message: compiled.left.message })
  return compiled.right
}

const whereClause = (
  ctx: GraphContext,
  projectId: number,
  scope: RunScope,
  filters: unknown
): { readonly sql: string; readonly params: ReadonlyArray<Param> } => {
  const filter = filterFragment(filters, ctx.limits)
  const sweep = scope.sweepName === undefined ? "" : " AND r.sweep_name = ?"
  return {
    sql: `r.project_id = ?${sweep} AND (${filter.sql})`,
    params: [projectId, ...(scope.sweepName === undefined ? [] : [scope.sweepName]), ...filter.params]
  }
}

/** `runCount(filters)`: the number of runs the same filter selects. @internal */
export const countRuns = async (
  ctx: GraphContext,
  projectId: number,
  scope: RunScope,
  filters: unknown
): Promise<number> => {
  const where = whereClause(ctx, projectId, scope, filters)
  const rows = await ctx.all<{ n: number }>(`SELECT count(*) AS n FROM runs r WHERE ${where.sql}`, where.params)
  return rows[0]!.n
}

/** @internal */
export interface PageArgs {
  readonly first?: number | null
  readonly after?: string | null
}

/** @internal */
export const pageSize = (first: number | null | undefined): number => {
  const size = first ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(size) || size < 0) {
    throw new BadRequest({ message: `first must be a non-negative integer, got ${String(first)}` })
  }
  return size
}

/** @internal */
export interface RunsArgs extends PageArgs {
  readonly filters?: unknown
  readonly order?: string | null
}

/** A page of runs with the cursor of each edge. @internal */
export interface RunsPage {
  readonly rows: ReadonlyArray<RunRow>
  readonly cursors: ReadonlyArray<string>
  readonly hasNextPage: boolean
}

/** Position after a row: its offset in the listing, plus the keyset for created_at orders. */
interface Position {
  readonly o: number
  readonly k?: readonly [createdAt: string, id: number, direction: "asc" | "desc"]
}

const createdAtDirection = (order: string): "asc" | "desc" | undefined => {
  switch (order) {
    case "+created_at":
    case "+createdAt":
      return "asc"
    case "-created_at":
    case "-createdAt":
      return "desc"
    default:
      return undefined
  }
}

const readPosition = (after: string | null | undefined): Position => {
  const position = decodeCursor("runs", after)
  if (position === undefined) return { o: 0 }
  const p = position as Position
  if (typeof p !== "object" || p === null || !Number.isInteger(p.o) || p.o < 0) {
    throw new BadRequest({ message: `invalid cursor ${JSON.stringify(after)}` })
  }
  return p
}

/**
 * A page of the runs connection. `order` null or empty means `+created_at`.
 *
 * @internal
 */
export const runsPage = async (
  ctx: GraphContext,
  projectId: number,
  scope: RunScope,
  args: RunsArgs
): Promise<RunsPage> => {
  const size = pageSize(args.first)
  const position = readPosition(args.after)
  const where = whereClause(ctx, projectId, scope, args.filters)
  const order = args.order === null || args.order === undefined || args.order.trim() === ""
    ? "+created_at"
    : args.order.trim()
  const direction = createdAtDirection(order)
  let orderSql: string
  let orderParams: ReadonlyArray<Param> = []
  let keysetSql = ""
  let keysetParams: ReadonlyArray<Param> = []
  let offset = position.o
  if (direction !== undefined) {
    const sort = direction === "asc" ? "ASC" : "DESC"
    orderSql = `r.created_at ${sort}, r.id ${sort}`
    if (position.k !== undefined && position.k[2] === direction) {
      keysetSql = ` AND (r.created_at, r.id) ${direction === "asc" ? ">" : "<"} (?, ?)`
      keysetParams = [position.k[0], position.k[1]]
      offset = 0
    }
  } else {
    const compiled = compileRunOrder(order)
    if (Either.isLeft(compiled)) throw new BadRequest({ message: compiled.left.message })
    orderSql = compiled.right.sql
    orderParams = compiled.right.params
  }
  // Sort ids only (a deep OFFSET keeps every skipped row in the sorter), then read the page's rows.
  const ids = await ctx.all<{ id: number }>(
    `SELECT r.id FROM runs r WHERE ${where.sql}${keysetSql} ORDER BY ${orderSql} LIMIT ? OFFSET ?`,
    [...where.params, ...keysetParams, ...orderParams, size + 1, offset]
  )
  const byId = new Map(
    (await ctx.all<RunRow>(`${runSelect} WHERE r.id IN (SELECT value FROM json_each(?))`, [
      JSON.stringify(ids.slice(0, size).map((r) => r.id))
    ])).map((row) => [row.id, row])
  )
  // a run deleted between the two reads is left out (as if deleted before the page)
  const page = ids.slice(0, size).flatMap((r) => byId.get(r.id) ?? [])
  const hasNextPage = ids.length > size
  const cursors = page.map((row, i) => {
    const next: Position = direction === undefined
      ? { o: position.o + i + 1 }
      : { o: position.o + i + 1, k: [row.created_at, row.id, direction] }
    return encodeCursor("runs", next)
  })
  return { rows: page, cursors, hasNextPage }
}
