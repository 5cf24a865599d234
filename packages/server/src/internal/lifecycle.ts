/**
 * Run lifecycle and the smaller gaps the official client reads: key-selected `config` /
 * `summaryMetrics`, the console log (`logLines` over the run's `output.log`), `stopRun`,
 * `deleteFiles`, sweep agents, user search and entity members, and who may change a run.
 *
 * Inferred (not visible in W&B's client code): `keys` on `config` / `summaryMetrics` select
 * top-level keys, as `wandbConfig(keys:)` does; console lines carry an optional `ERROR ` prefix
 * (stderr) and an ISO-8601 timestamp before the text, as the SDK's file stream writes
 * `output.log`; a change to a read-only run, or to any run of a read-only project, is refused with
 * a "permission denied" GraphQL error.
 *
 * @internal
 */
import * as LenientJson from "@effect-wandb/core/LenientJson"
import { GraphQLError } from "graphql"
import { BadRequest } from "./badRequest.js"
import type { GraphContext } from "./context.js"
import { FILE_CHUNK_SIZE } from "./ddl.js"
import { decodeCursor, decodeNodeId, decodeRunStorageId, encodeCursor, nodeId, nowTimestamp } from "./ids.js"
import * as Runs from "./runs.js"
import { userColumns, type UserRow } from "./users.js"

/** The top-level `keys` of a raw JSON object text (all of it when `keys` is absent). @internal */
export const selectKeys = (raw: string, keys: ReadonlyArray<string> | null | undefined): string => {
  if (keys === null || keys === undefined) return raw
  const value = LenientJson.parse(raw)
  if (value === null || typeof value !== "object" || Array.isArray(value)) return raw
  const picked: Record<string, unknown> = {}
  for (const key of keys) {
    if (Object.hasOwn(value, key)) picked[key] = (value as Record<string, unknown>)[key]
  }
  return LenientJson.stringify(picked)
}

// ---------------------------------------------------------------------------------------------
// Who may change a run

const permissionDenied = (reason: string) => new GraphQLError(`permission denied: ${reason}`)

/**
 * The database id of the run a mutation names, once it is known to be changeable: a missing
 * run is a 400 (as the existing mutations answer), a read-only run or a run of a read-only
 * project a "permission denied" error.
 *
 * @internal
 */
export const writableRun = async (ctx: GraphContext, storageId: string, what: string): Promise<number> => {
  const decoded = decodeRunStorageId(storageId)
  if (decoded === undefined) throw new BadRequest({ message: `${what}: invalid run id ${storageId}` })
  const [row] = await ctx.all<{ id: number; read_only: number; project_read_only: number }>(
    `SELECT r.id, r.read_only, p.read_only AS project_read_only
       FROM runs r JOIN projects p ON p.id = r.project_id JOIN entities e ON e.id = p.entity_id
      WHERE e.name = ? AND p.name = ? AND r.name = ?`,
    [decoded.entity, decoded.project, decoded.run]
  )
  if (row === undefined) throw new BadRequest({ message: `${what}: no run with id ${storageId}` })
  const path = `${decoded.entity}/${decoded.project}/${decoded.run}`
  if (row.project_read_only === 1) throw permissionDenied(`project ${decoded.entity}/${decoded.project} is read-only`)
  if (row.read_only === 1) throw permissionDenied(`run ${path} is read-only`)
  return row.id
}

/** `stopRun`: records the request; `Run.stopped` reports it. @internal */
export const stopRun = async (ctx: GraphContext, storageId: string): Promise<boolean> => {
  const runId = await writableRun(ctx, storageId, "stopRun")
  await ctx.all("INSERT INTO run_stops (run_id, requested_at) VALUES (?, ?) ON CONFLICT (run_id) DO NOTHING", [
    runId,
    nowTimestamp()
  ])
  return true
}

/** `Run.stopped`. @internal */
export const stopped = async (ctx: GraphContext, runId: number): Promise<boolean> =>
  (await ctx.all("SELECT 1 AS x FROM run_stops WHERE run_id = ?", [runId])).length > 0

/**
 * `deleteFiles`: deletes the named files (ids of `File` nodes); `projectId`, when given, must be
 * the project of every one. Files of read-only runs or projects are refused, nothing deleted.
 *
 * @internal
 */
export const deleteFiles = async (
  ctx: GraphContext,
  input: { readonly files: ReadonlyArray<string>; readonly projectId?: number | null }
): Promise<boolean> => {
  const ids = input.files.map((id) => {
    const decoded = decodeNodeId("File", id)
    if (decoded === undefined) throw new BadRequest({ message: `deleteFiles: invalid file id ${id}` })
    return decoded
  })
  const rows = await ctx.all<{ id: number; project_id: number; read_only: number; project_read_only: number }>(
    `SELECT f.id, r.project_id, r.read_only, p.read_only AS project_read_only
       FROM files f JOIN runs r ON r.id = f.run_id JOIN projects p ON p.id = r.project_id
      WHERE f.id IN (SELECT value FROM json_each(?))`,
    [JSON.stringify(ids)]
  )
  if (rows.length !== new Set(ids).size) throw new BadRequest({ message: "deleteFiles: no file with one of the ids" })
  for (const row of rows) {
    if (input.projectId != null && row.project_id !== input.projectId) {
      throw new BadRequest({ message: "deleteFiles: a file is not in the given project" })
    }
    if (row.project_read_only === 1 || row.read_only === 1) throw permissionDenied("the file's run is read-only")
  }
  const list = JSON.stringify(ids)
  await ctx.all("DELETE FROM file_chunks WHERE file_id IN (SELECT value FROM json_each(?))", [list])
  await ctx.all("DELETE FROM files WHERE id IN (SELECT value FROM json_each(?))", [list])
  return true
}

// ---------------------------------------------------------------------------------------------
// Console log

/** @internal */
export interface LogLine {
  readonly id: string
  readonly number: number
  readonly timestamp: string | null
  readonly level: string
  readonly label: string
  readonly line: string
}

/** @internal */
export interface LogLinesArgs {
  readonly first?: number | null
  readonly after?: string | null
  readonly last?: number | null
}

const LINE = /^(ERROR )?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?) (.*)$/

const parseLine = (text: string, number: number, runId: number): LogLine => {
  const match = LINE.exec(text)
  return {
    id: nodeId(`LogLine:${runId}`, number),
    number,
    timestamp: match === null ? null : match[2]!.replace(/Z$/, "").slice(0, 19),
    level: match?.[1] === undefined ? "" : "error",
    label: "",
    line: match === null ? text : match[3]!
  }
}

const consoleText = async (ctx: GraphContext, runId: number): Promise<string> => {
  const chunks = await ctx.all<{ data: Uint8Array }>(
    `SELECT c.data FROM file_chunks c JOIN files f ON f.id = c.file_id
      WHERE f.run_id = ? AND f.name = 'output.log' ORDER BY c.idx`,
    [runId]
  )
  const bytes = new Uint8Array(chunks.length * FILE_CHUNK_SIZE)
  let size = 0
  for (const chunk of chunks) {
    bytes.set(chunk.data, size)
    size += chunk.data.length
  }
  return new TextDecoder().decode(bytes.subarray(0, size))
}

const consoleLines = async (ctx: GraphContext, runId: number): Promise<ReadonlyArray<string>> => {
  const lines = (await consoleText(ctx, runId)).split(/\r?\n/)
  if (lines[lines.length - 1] === "") lines.pop()
  return lines
}

/** `Run.logLineCount`. @internal */
export const logLineCount = async (ctx: GraphContext, runId: number): Promise<number> =>
  (await consoleLines(ctx, runId)).length

/**
 * `Run.logLines`: `last: n` is the tail (ascending); otherwise `first` lines after the cursor
 * (the forward paging W&B calls `useImprovedPagination`, used whatever that flag says).
 *
 * @internal
 */
export const logLines = async (ctx: GraphContext, runId: number, args: LogLinesArgs) => {
  const lines = await consoleLines(ctx, runId)
  let start: number
  let end: number
  if (args.last !== null && args.last !== undefined) {
    end = lines.length
    start = Math.max(0, end - Runs.pageSize(args.last))
  } else {
    const after = decodeCursor("logLine", args.after)
    if (after !== undefined && !Number.isInteger(after)) {
      throw new BadRequest({ message: `invalid cursor ${JSON.stringify(args.after)}` })
    }
    start = after === undefined ? 0 : (after as number) + 1
    end = Math.min(lines.length, start + Runs.pageSize(args.first ?? 1000))
  }
  const edges = lines.slice(start, end).map((text, i) => {
    const node = parseLine(text, start + i, runId)
    return { node, cursor: encodeCursor("logLine", node.number) }
  })
  return {
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
      hasNextPage: end < lines.length,
      hasPreviousPage: start > 0
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sweep agents

interface AgentRow {
  readonly id: number
  readonly name: string
  readonly host: string | null
  readonly state: string
  readonly total_runs: number
  readonly created_at: string
  readonly heartbeat_at: string | null
}

const agentNode = (row: AgentRow) => ({
  id: nodeId("Agent", row.id),
  name: row.name,
  host: row.host,
  state: row.state,
  totalRuns: row.total_runs,
  createdAt: row.created_at,
  heartbeatAt: row.heartbeat_at
})

const agentColumns = "x.id, x.name, x.host, x.state, x.total_runs, x.created_at, x.heartbeat_at"

/** `Sweep.agents`, in creation order. @internal */
export const agents = async (ctx: GraphContext, sweepId: number, args: Runs.PageArgs) => {
  const size = Runs.pageSize(args.first)
  const after = decodeCursor("agent", args.after)
  const rows = await ctx.all<AgentRow>(
    `SELECT ${agentColumns} FROM agents x WHERE x.sweep_id = ? AND x.id > ? ORDER BY x.id LIMIT ?`,
    [sweepId, typeof after === "number" ? after : -1, size + 1]
  )
  const page = rows.slice(0, size)
  const edges = page.map((row) => ({ node: agentNode(row), cursor: encodeCursor("agent", row.id) }))
  return {
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
      hasNextPage: rows.length > size,
      hasPreviousPage: after !== undefined
    }
  }
}

/** `Sweep.agent(agentName)`. @internal */
export const agent = async (ctx: GraphContext, sweepId: number, name: string) => {
  const [row] = await ctx.all<AgentRow>(`SELECT ${agentColumns} FROM agents x WHERE x.sweep_id = ? AND x.name = ?`, [
    sweepId,
    name
  ])
  return row === undefined ? null : agentNode(row)
}

// ---------------------------------------------------------------------------------------------
// Users and entity members

/** `Query.users(query)`: admins only; a substring of username, name or email. @internal */
export const searchUsers = async (ctx: GraphContext, query: string | null | undefined, args: Runs.PageArgs) => {
  if (ctx.viewer.admin !== 1) throw permissionDenied("only admins can search users")
  const size = Runs.pageSize(args.first)
  const after = decodeCursor("user", args.after)
  const pattern = `%${(query ?? "").replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const rows = await ctx.all<UserRow>(
    `SELECT ${userColumns} FROM users u
      WHERE (u.username LIKE ? ESCAPE '\\' OR u.name LIKE ? ESCAPE '\\' OR coalesce(u.email, '') LIKE ? ESCAPE '\\')
        AND u.id > ? ORDER BY u.id LIMIT ?`,
    [pattern, pattern, pattern, typeof after === "number" ? after : -1, size + 1]
  )
  const page = rows.slice(0, size)
  return { rows: page, cursors: page.map((row) => encodeCursor("user", row.id)), more: rows.length > size }
}

/** `Entity.members`: the users whose default entity it is (the server keeps no membership table). @internal */
export const members = async (ctx: GraphContext, entityName: string) => {
  const rows = await ctx.all<UserRow>(`SELECT ${userColumns} FROM users u WHERE u.default_entity = ? ORDER BY u.id`, [
    entityName
  ])
  return rows.map((row) => ({
    id: nodeId("User", row.id),
    admin: row.admin === 1,
    pending: false,
    email: row.email,
    username: row.username,
    name: row.name,
    photoUrl: null,
    accountType: "USER",
    // never a secret: W&B shows a member's key to admins only, this server to nobody
    apiKey: null
  }))
}
