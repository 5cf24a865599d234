/**
 * Deterministic fixtures written straight into the server's database (independent of the demo
 * generator), plus a tiny HTTP helper. Used by the integration tests of this package.
 */
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { createHash } from "node:crypto"
import { FILE_CHUNK_SIZE } from "../src/internal/ddl.js"
import type { LocalServer } from "../src/LocalServer.js"

export const md5Base64 = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("base64")

/** A deterministic byte pattern of `size` bytes. */
export const patternBytes = (size: number, salt = 7): Uint8Array => {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + salt + (i >> 8)) & 0xff
  return out
}

export const BIG_FILE = "media/images/big sample #1.bin"
export const BIG_SIZE = FILE_CHUNK_SIZE * 2 + 12345
export const SMALL_TEXT = "hello world\n"

interface RunSpec {
  readonly name: string
  readonly createdAt: string
  readonly displayName?: string
  readonly state?: string
  readonly tags?: ReadonlyArray<string>
  readonly config?: string
  readonly summary?: string
  readonly sweep?: string | null
  readonly group?: string | null
  readonly jobType?: string | null
}

const toStandard = (text: string) => text.replace(/-Infinity|Infinity|NaN/g, (t) => `"${t}"`)

export const insertRun = (projectId: number, userId: number, spec: RunSpec) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.unsafe<{ id: number }>(
      `INSERT INTO runs (project_id, name, display_name, state, user_id, sweep_name, group_name, job_type, created_at,
         heartbeat_at, tags, config, config_query, summary_metrics, summary_query)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        projectId,
        spec.name,
        spec.displayName ?? `display-${spec.name}`,
        spec.state ?? "finished",
        userId,
        spec.sweep ?? null,
        spec.group ?? null,
        spec.jobType ?? null,
        spec.createdAt,
        spec.createdAt,
        JSON.stringify(spec.tags ?? []),
        spec.config ?? "{}",
        toStandard(spec.config ?? "{}"),
        spec.summary ?? "{}",
        toStandard(spec.summary ?? "{}")
      ]
    )).pipe(Effect.map((rows) => rows[0]!.id))

/** History rows as raw JSON text (may hold bare NaN), steps ascending. */
export const insertHistory = (runId: number, rows: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    let lastStep: number | null = null
    for (const [seq, row] of rows.entries()) {
      const parsed = JSON.parse(toStandard(row)) as Record<string, unknown>
      const step = parsed["_step"] as number
      lastStep = step
      yield* sql.unsafe("INSERT INTO history (run_id, step, seq, keys, row) VALUES (?, ?, ?, ?, ?)", [
        runId,
        step,
        seq,
        `,${Object.keys(parsed).join(",")},`,
        row
      ])
    }
    yield* sql.unsafe(
      "UPDATE runs SET history_line_count = ?, last_step = ?, history_keys = ? WHERE id = ?",
      [rows.length, lastStep, JSON.stringify({ keys: { loss: { previousValue: 0.5 } } }), runId]
    )
  })

export const insertFile = (runId: number, name: string, bytes: Uint8Array, mimetype: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [{ id }] = (yield* sql.unsafe<{ id: number }>(
      `INSERT INTO files (run_id, name, md5, mimetype, size_bytes, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
      [runId, name, md5Base64(bytes), mimetype, bytes.length, "2024-06-01T10:42:58"]
    )) as unknown as [{ id: number }]
    for (let idx = 0; idx * FILE_CHUNK_SIZE < bytes.length; idx++) {
      yield* sql.unsafe("INSERT INTO file_chunks (file_id, idx, data) VALUES (?, ?, ?)", [
        id,
        idx,
        bytes.subarray(idx * FILE_CHUNK_SIZE, (idx + 1) * FILE_CHUNK_SIZE)
      ])
    }
  })

export const insertProject = (entity: string, name: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe("INSERT INTO entities (name, is_team) VALUES (?, 1) ON CONFLICT (name) DO NOTHING", [entity])
    const [{ id }] = (yield* sql.unsafe<{ id: number }>(
      `INSERT INTO projects (entity_id, name, created_at) SELECT id, ?, '2024-03-02T09:15:11' FROM entities WHERE name = ?
       RETURNING id`,
      [name, entity]
    )) as unknown as [{ id: number }]
    return id
  })

export const demoUserId = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql.unsafe<{ id: number }>("SELECT id FROM users ORDER BY id LIMIT 1")
).pipe(Effect.map((rows) => rows[0]!.id))

/** The main fixture: `ent/proj` with runs `abc123` (history, events, files) and `def456`, sweep `sw1`. */
export const seedMain = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const userId = yield* demoUserId
  const projectId = yield* insertProject("ent", "proj")
  const runId = yield* insertRun(projectId, userId, {
    name: "abc123",
    createdAt: "2024-06-01T10:00:03",
    displayName: "run-abc123",
    tags: ["baseline"],
    sweep: "sw1",
    config: "{\"lr\": {\"value\": 0.02, \"desc\": null}, \"batch_size\": {\"value\": 32, \"desc\": null}}",
    summary: "{\"loss\": NaN, \"acc\": 0.9, \"_step\": 11}"
  })
  const history = Array.from({ length: 12 }, (_, step) =>
    step % 2 === 0
      ? `{"_step": ${step}, "loss": ${step === 4 ? "NaN" : 1 / (step + 1)}, "acc": ${step / 12}}`
      : `{"_step": ${step}, "loss": ${1 / (step + 1)}}`)
  yield* insertHistory(runId, history)
  for (let seq = 0; seq < 6; seq++) {
    yield* sql.unsafe("INSERT INTO events (run_id, seq, row) VALUES (?, ?, ?)", [
      runId,
      seq,
      `{"_wandb": true, "_timestamp": ${1700000000 + seq * 10}, "system.cpu": ${seq === 2 ? "Infinity" : 30 + seq}}`
    ])
  }
  yield* insertFile(runId, "x.txt", new TextEncoder().encode(SMALL_TEXT), "text/plain")
  yield* insertFile(runId, "config.yaml", new TextEncoder().encode("lr: 0.02\n"), "application/x-yaml")
  yield* insertFile(runId, BIG_FILE, patternBytes(BIG_SIZE), "application/octet-stream")
  yield* insertRun(projectId, userId, { name: "def456", createdAt: "2024-06-02T10:00:00", sweep: "sw1" })
  yield* insertRun(projectId, userId, { name: "ghi789", createdAt: "2024-06-03T10:00:00" })
  yield* sql.unsafe(
    `INSERT INTO sweeps (project_id, name, display_name, method, state, best_loss, config, created_at, run_count_expected)
     VALUES (?, 'sw1', 'lr-grid', 'grid', 'FINISHED', 0.0213, ?, '2024-05-30T08:00:00', 2)`,
    [projectId, "method: grid\nparameters:\n  lr:\n    values: [0.01, 0.02]\n"]
  )
})

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

export const basic = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString("base64")}`

/** POSTs a GraphQL request (raw `payload` object) with the server's key unless `auth` overrides it. */
export const post = (
  server: LocalServer["Type"],
  payload: unknown,
  auth: string | null = basic(Redacted.value(server.apiKey))
): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const response = await fetch(`${server.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(auth === null ? {} : { authorization: auth }) },
      body: typeof payload === "string" ? payload : JSON.stringify(payload)
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: JSON.parse(text) }
  })

export const gql = (server: LocalServer["Type"], query: string, variables?: Record<string, unknown>) =>
  post(server, { query, variables, operationName: "" })

/** GETs a URL with the server's key (unless `auth` overrides it), returning the raw bytes. */
export const getBytes = (
  server: LocalServer["Type"],
  url: string,
  headers: Record<string, string> = {},
  auth: string | null = basic(Redacted.value(server.apiKey))
) =>
  Effect.promise(async () => {
    const response = await fetch(url.startsWith("http") ? url : `${server.baseUrl}${url}`, {
      headers: { ...headers, ...(auth === null ? {} : { authorization: auth }) }
    })
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) }
  })
