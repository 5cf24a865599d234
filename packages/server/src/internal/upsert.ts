/**
 * The write side: `upsertBucket` (create or update a run), `upsertModel` (create or update a
 * project), `deleteRun` and `updateRunState`. Fields absent from the input are left alone; present ones replace the stored value
 * (W&B clients always send whole objects). `config` and `summaryMetrics` are stored byte-for-byte
 * and mirrored as standard JSON into the `*_query` columns the filters read.
 *
 * @internal
 */
import * as LenientJson from "@effect-wandb/core/LenientJson"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { BadRequest } from "./badRequest.js"
import type { Param } from "./context.js"
import { decodeRunStorageId, nowTimestamp } from "./ids.js"
import type { UserRow } from "./users.js"

/** @internal */
export interface UpsertBucketInput {
  readonly id?: string | null
  readonly name?: string | null
  readonly modelName?: string | null
  readonly entityName?: string | null
  readonly groupName?: string | null
  readonly description?: string | null
  readonly displayName?: string | null
  readonly notes?: string | null
  readonly commit?: string | null
  readonly config?: unknown
  readonly host?: string | null
  readonly jobType?: string | null
  readonly state?: string | null
  readonly sweep?: string | null
  readonly tags?: ReadonlyArray<string | null> | null
  readonly summaryMetrics?: unknown
}

/** @internal */
export interface UpsertModelInput {
  readonly name?: string | null
  readonly entityName?: string | null
  readonly description?: string | null
}

/** A JSONString input: its text, checked to be (lenient) JSON. */
const jsonText = (field: string, value: unknown): string => {
  const text = typeof value === "string" ? value : JSON.stringify(value)
  try {
    LenientJson.parse(text)
  } catch {
    throw new BadRequest({ message: `upsertBucket: ${field} is not valid JSON` })
  }
  return text
}

/** Column assignments for the fields present in `input`. */
const assignments = (input: UpsertBucketInput): Array<readonly [string, Param]> => {
  const out: Array<readonly [string, Param]> = []
  const plain: ReadonlyArray<readonly [keyof UpsertBucketInput, string]> = [
    ["displayName", "display_name"],
    ["description", "description"],
    ["notes", "notes"],
    ["groupName", "group_name"],
    ["jobType", "job_type"],
    ["commit", "commit_hash"],
    ["host", "host"],
    ["sweep", "sweep_name"]
  ]
  for (const [field, column] of plain) {
    const value = input[field]
    if (value !== undefined) out.push([column, value as string | null])
  }
  if (input.state !== undefined && input.state !== null) out.push(["state", input.state])
  if (input.tags !== undefined) {
    out.push(["tags", JSON.stringify((input.tags ?? []).filter((t): t is string => t !== null))])
  }
  if (input.config !== undefined && input.config !== null) {
    const text = jsonText("config", input.config)
    out.push(["config", text], ["config_query", LenientJson.toStandard(text)])
  }
  if (input.summaryMetrics !== undefined && input.summaryMetrics !== null) {
    const text = jsonText("summaryMetrics", input.summaryMetrics)
    out.push(["summary_metrics", text], ["summary_query", LenientJson.toStandard(text)])
  }
  return out
}

const ensureProject = (
  sql: SqlClient.SqlClient,
  entity: string,
  project: string,
  viewer: UserRow,
  description: string | null | undefined
): Effect.Effect<{ readonly projectId: number; readonly inserted: boolean }, SqlError> =>
  Effect.gen(function*() {
    yield* sql.unsafe("INSERT INTO entities (name, is_team) VALUES (?, 1) ON CONFLICT (name) DO NOTHING", [entity])
    const [{ id: entityId }] = (yield* sql.unsafe<{ id: number }>("SELECT id FROM entities WHERE name = ?", [
      entity
    ])) as unknown as [{ id: number }]
    const existing = yield* sql.unsafe<{ id: number }>(
      "SELECT id FROM projects WHERE entity_id = ? AND name = ?",
      [entityId, project]
    )
    if (existing[0] !== undefined) {
      if (description !== undefined) {
        yield* sql.unsafe("UPDATE projects SET description = ? WHERE id = ?", [description, existing[0].id])
      }
      return { projectId: existing[0].id, inserted: false }
    }
    const [row] = yield* sql.unsafe<{ id: number }>(
      "INSERT INTO projects (entity_id, name, description, created_at, user_id) VALUES (?, ?, ?, ?, ?) RETURNING id",
      [entityId, project, description ?? null, nowTimestamp(), viewer.id]
    )
    return { projectId: row!.id, inserted: true }
  })

const RUN_NAME = /^[A-Za-z0-9_.-]+$/

/**
 * Creates the run (and its project and entity when missing) or updates it. The run is found by
 * storage `id` when given, else by `entityName`/`modelName`/`name` (defaults: the caller's
 * entity, project `uncategorized`).
 *
 * @internal
 */
export const upsertBucket = (
  input: UpsertBucketInput,
  viewer: UserRow
): Effect.Effect<{ readonly runId: number; readonly inserted: boolean }, SqlError | BadRequest, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    let entity = input.entityName ?? viewer.default_entity
    let project = input.modelName ?? "uncategorized"
    let name = input.name ?? undefined
    if (input.id !== null && input.id !== undefined) {
      const decoded = decodeRunStorageId(input.id)
      if (decoded === undefined) return yield* new BadRequest({ message: `upsertBucket: invalid run id ${input.id}` })
      ;({ entity, project, run: name } = decoded)
    }
    if (name === undefined) return yield* new BadRequest({ message: "upsertBucket: input needs a name or an id" })
    if (!RUN_NAME.test(name)) {
      return yield* new BadRequest({ message: `upsertBucket: invalid run name ${JSON.stringify(name)}` })
    }
    const set = yield* Effect.try({ try: () => assignments(input), catch: (e) => e as BadRequest })
    const sql = yield* SqlClient.SqlClient
    const runName = name
    return yield* sql.withTransaction(Effect.gen(function*() {
      const { projectId } = yield* ensureProject(sql, entity, project, viewer, undefined)
      const now = nowTimestamp()
      const [existing] = yield* sql.unsafe<{ id: number }>(
        "SELECT id FROM runs WHERE project_id = ? AND name = ?",
        [projectId, runName]
      )
      if (existing !== undefined) {
        const columns = [...set, ["heartbeat_at", now] as const, ["updated_at", now] as const]
        yield* sql.unsafe(
          `UPDATE runs SET ${columns.map(([c]) => `${c} = ?`).join(", ")} WHERE id = ?`,
          [...columns.map(([, v]) => v), existing.id]
        )
        return { runId: existing.id, inserted: false }
      }
      const columns: Array<readonly [string, Param]> = [
        ["project_id", projectId],
        ["name", runName],
        ["user_id", viewer.id],
        ["created_at", now],
        ["heartbeat_at", now],
        ["updated_at", now],
        ...set
      ]
      if (!set.some(([c]) => c === "state")) columns.push(["state", "running"])
      const [row] = yield* sql.unsafe<{ id: number }>(
        `INSERT INTO runs (${columns.map(([c]) => c).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})
         RETURNING id`,
        columns.map(([, v]) => v)
      )
      return { runId: row!.id, inserted: true }
    }))
  })

/**
 * Creates the project `name` in `entityName` (default: the caller's entity) or updates its
 * description.
 *
 * @internal
 */
export const upsertModel = (
  input: UpsertModelInput,
  viewer: UserRow
): Effect.Effect<
  { readonly entity: string; readonly project: string; readonly inserted: boolean },
  SqlError | BadRequest,
  SqlClient.SqlClient
> =>
  Effect.gen(function*() {
    if (input.name === null || input.name === undefined || input.name === "") {
      return yield* new BadRequest({ message: "upsertModel: input needs a name" })
    }
    const entity = input.entityName ?? viewer.default_entity
    const project = input.name
    const sql = yield* SqlClient.SqlClient
    const { inserted } = yield* sql.withTransaction(ensureProject(sql, entity, project, viewer, input.description))
    return { entity, project, inserted }
  })

/** The row id of the run a storage id names, or a 400 when the id is malformed or unknown. */
const runIdOf = (
  sql: SqlClient.SqlClient,
  storageId: string,
  what: string
): Effect.Effect<number, SqlError | BadRequest> =>
  Effect.gen(function*() {
    const decoded = decodeRunStorageId(storageId)
    if (decoded === undefined) return yield* new BadRequest({ message: `${what}: invalid run id ${storageId}` })
    const [row] = yield* sql.unsafe<{ id: number }>(
      `SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id JOIN entities e ON e.id = p.entity_id
       WHERE e.name = ? AND p.name = ? AND r.name = ?`,
      [decoded.entity, decoded.project, decoded.run]
    )
    if (row === undefined) return yield* new BadRequest({ message: `${what}: no run with id ${storageId}` })
    return row.id
  })

/**
 * Deletes a run with its history, events and files.
 *
 * @internal
 */
export const deleteRun = (storageId: string): Effect.Effect<void, SqlError | BadRequest, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql.withTransaction(Effect.gen(function*() {
      const runId = yield* runIdOf(sql, storageId, "deleteRun")
      yield* sql.unsafe("DELETE FROM file_chunks WHERE file_id IN (SELECT id FROM files WHERE run_id = ?)", [runId])
      for (const table of ["files", "history", "events", "run_stops"]) {
        yield* sql.unsafe(`DELETE FROM ${table} WHERE run_id = ?`, [runId])
      }
      yield* sql.unsafe("DELETE FROM runs WHERE id = ?", [runId])
    }))
  })

/**
 * Sets a run's state.
 *
 * @internal
 */
export const updateRunState = (
  storageId: string,
  state: string
): Effect.Effect<void, SqlError | BadRequest, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const runId = yield* runIdOf(sql, storageId, "updateRunState")
    yield* sql.unsafe("UPDATE runs SET state = ?, updated_at = ? WHERE id = ?", [state, nowTimestamp(), runId])
  })
