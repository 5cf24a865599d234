/**
 * Deterministic demo data for the local server, and the bulk writers it uses (history rows,
 * system events, files) which the engine and tests call too.
 *
 * {@link seedDemo} fills an initialised database (tables from the schema exist) with entity
 * `demo`: several projects (`mnist-cnn`, `cifar-resnet`, `llm-finetune`, …) of runs with wrapped
 * configs, summaries (including a `NaN` and an image media object), loss/accuracy curves with
 * noise and sparse validation keys, system events, files of various sizes and a sweep. The same
 * seed and options always write byte-identical rows: every value and timestamp derives from a
 * seeded PRNG, never from the clock.
 *
 * @since 0.1.0
 */
import * as LenientJson from "@effect-wandb/core/LenientJson"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { createHash } from "node:crypto"
import { FILE_CHUNK_SIZE } from "./internal/ddl.js"
import { seedProjectArtifacts } from "./internal/demo/artifacts.js"
import * as Generate from "./internal/demo/generate.js"
import { hashSeed, makeRandom } from "./internal/demo/random.js"

/**
 * Sizes and identity of the demo dataset. Defaults seed in well under two seconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface DemoOptions {
  /** PRNG seed (default `1`). */
  readonly seed?: number
  /** Entity name (default `"demo"`). */
  readonly entity?: string
  /** Number of projects (default `3`). */
  readonly projects?: number
  /** Runs in each project (default `8`). */
  readonly runsPerProject?: number
  /** History rows of a finished run (default `200`); unfinished runs stop earlier. */
  readonly stepsPerRun?: number
  /** User metric keys per history row (default `6`: loss, accuracy, lr, val_loss, val_accuracy, grad_norm; more add throughput, epoch, metric_<n>). */
  readonly metricKeys?: number
  /** Files per run (default `6`; `0` for none). */
  readonly filesPerRun?: number
  /** Size of `checkpoints/model.pt` on the first run of the first project (default 2.5 MiB; `0` for none). */
  readonly largeFileBytes?: number
  /** Per project a dataset and a model artifact of 3 versions each, logged and used by its runs (default `true`). */
  readonly artifacts?: boolean
}

/**
 * What {@link seedDemo} wrote, to navigate the dataset from tests, demos and benchmarks.
 *
 * @since 0.1.0
 * @category models
 */
export interface DemoSummary {
  readonly entity: string
  readonly projects: ReadonlyArray<DemoProject>
  readonly sweeps: ReadonlyArray<DemoSweep>
  /** The large file, when one was written. */
  readonly largeFile: { readonly project: string; readonly run: string; readonly name: string; readonly size: number } | null
  /** The artifact collections written (`type`, `collection`, number of versions) per project. */
  readonly artifacts: ReadonlyArray<DemoArtifact>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DemoArtifact {
  readonly project: string
  readonly type: string
  readonly collection: string
  readonly versions: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DemoProject {
  readonly name: string
  readonly runs: ReadonlyArray<DemoRun>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DemoRun {
  /** The run id (`runs.name`, 8 characters of `[a-z0-9]`). */
  readonly name: string
  /** The database row id (`runs.id`). */
  readonly id: number
  readonly displayName: string
  readonly state: string
  readonly sweep: string | null
  readonly historyRows: number
  readonly eventRows: number
  readonly files: ReadonlyArray<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DemoSweep {
  readonly project: string
  readonly name: string
  readonly method: string
  readonly runs: ReadonlyArray<string>
  readonly bestLoss: number | null
}

/**
 * File bytes for {@link putFile}: the bytes, a string (UTF-8), or a size with a generator of any
 * byte range (called once per chunk, so large files never sit in memory whole).
 *
 * @since 0.1.0
 * @category models
 */
export type FileContent =
  | Uint8Array
  | string
  | { readonly size: number; readonly chunk: (offset: number, length: number) => Uint8Array }

/**
 * A stored file's row id, base64 MD5 digest and size.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredFile {
  readonly id: number
  readonly md5: string
  readonly size: number
}

type Param = string | number | null | Uint8Array

/** Largest batch of rows per multi-row INSERT (bounded by SQLite's 32766 variables). */
const MAX_BATCH_ROWS = 2000

/** Multi-row INSERTs of `rows` into `table`, `MAX_BATCH_ROWS` at a time. */
const insertRows = (table: string, columns: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Param>>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const tuple = `(${columns.map(() => "?").join(", ")})`
    const head = `INSERT INTO ${table} (${columns.join(", ")}) VALUES `
    for (let start = 0; start < rows.length; start += MAX_BATCH_ROWS) {
      const batch = rows.slice(start, start + MAX_BATCH_ROWS)
      yield* sql.unsafe(head + batch.map(() => tuple).join(", "), batch.flat())
    }
  })

const withTransaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(effect))

const badInput = (message: string) => Effect.fail(new SqlError({ message }))

const toStandardJson = (value: unknown): string => LenientJson.toStandard(LenientJson.stringify(value))

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Records `previousValue` for every key of `row`, nested dicts flattened with dots (media objects kept whole). */
const recordKeys = (keys: Record<string, { previousValue: unknown }>, row: Record<string, unknown>, prefix: string) => {
  for (const [key, value] of Object.entries(row)) {
    if (isPlainObject(value) && !("_type" in value) && Object.keys(value).length > 0) {
      recordKeys(keys, value, `${prefix}${key}.`)
    } else {
      keys[`${prefix}${key}`] = { previousValue: value }
    }
  }
}

/**
 * Appends history rows to run `runId` (the `runs.id`). Each row needs an integer `_step`,
 * ascending and above the run's `last_step`. Writes `history.row` as lenient JSON (bare `NaN`
 * kept), dense `seq` continuing the run's, `keys` as `,k1,k2,…,`, and updates `runs.last_step`,
 * `history_line_count` and `history_keys` (`{"lastStep": n, "keys": {"k": {"previousValue": v}}}`,
 * standard JSON). One transaction with batched multi-row INSERTs. Fails with `SqlError` for an
 * unknown run or out-of-order steps.
 *
 * @since 0.1.0
 * @category writers
 */
export const appendHistory = (
  runId: number,
  rows: ReadonlyArray<Record<string, unknown>>
): Effect.Effect<void, SqlError, SqlClient.SqlClient> => withTransaction(writeHistory(runId, rows))

/** {@link appendHistory} without its own transaction (the seeder runs inside one). */
const writeHistory = (runId: number, rows: ReadonlyArray<Record<string, unknown>>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [run] = yield* sql<{ last_step: number | null; history_line_count: number; history_keys: string }>`
      SELECT last_step, history_line_count, history_keys FROM runs WHERE id = ${runId}`
    if (run === undefined) return yield* badInput(`appendHistory: no run with id ${runId}`)
    if (rows.length === 0) return
    const info = JSON.parse(run.history_keys) as { lastStep?: number; keys?: Record<string, { previousValue: unknown }> }
    const keys = info.keys ?? {}
    let last = run.last_step
    const tuples: Array<ReadonlyArray<Param>> = new Array(rows.length)
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      const step = row._step
      if (typeof step !== "number" || !Number.isInteger(step) || (last !== null && step <= last)) {
        return yield* badInput(
          `appendHistory: row ${i} of run ${runId} has _step ${String(step)}; steps must be integers above ${last ?? "none"}`
        )
      }
      last = step
      recordKeys(keys, row, "")
      tuples[i] = [runId, step, run.history_line_count + i, `,${Object.keys(row).join(",")},`, LenientJson.stringify(row)]
    }
    yield* insertRows("history", ["run_id", "step", "seq", "keys", "row"], tuples)
    yield* sql`UPDATE runs SET ${
      sql.update({
        last_step: last,
        history_line_count: run.history_line_count + rows.length,
        history_keys: toStandardJson({ lastStep: last, keys })
      })
    } WHERE id = ${runId}`
  })

/**
 * Appends system-event rows to run `runId`: `events.row` as lenient JSON with dense `seq`
 * continuing the run's. One transaction with batched multi-row INSERTs.
 *
 * @since 0.1.0
 * @category writers
 */
export const appendEvents = (
  runId: number,
  rows: ReadonlyArray<Record<string, unknown>>
): Effect.Effect<void, SqlError, SqlClient.SqlClient> => withTransaction(writeEvents(runId, rows))

/** {@link appendEvents} without its own transaction. */
const writeEvents = (runId: number, rows: ReadonlyArray<Record<string, unknown>>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [next] = yield* sql<{ seq: number }>`SELECT COALESCE(MAX(seq) + 1, 0) AS seq FROM events WHERE run_id = ${runId}`
    const first = next?.seq ?? 0
    yield* insertRows("events", ["run_id", "seq", "row"], rows.map((row, i) => [runId, first + i, LenientJson.stringify(row)]))
  })

const toBuffer = (bytes: Uint8Array): Uint8Array =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Writes (or replaces) file `name` of run `runId`: a `files` row and its bytes as
 * `FILE_CHUNK_SIZE` chunks in `file_chunks`, chunk by chunk, with `md5` the base64 of the raw
 * MD5 digest. `updatedAt` defaults to now (demo data passes its own).
 *
 * @since 0.1.0
 * @category writers
 */
export const putFile = (
  runId: number,
  name: string,
  content: FileContent,
  options?: { readonly mimetype?: string | null; readonly updatedAt?: string }
): Effect.Effect<StoredFile, SqlError, SqlClient.SqlClient> => withTransaction(writeFile(runId, name, content, options))

/** {@link putFile} without its own transaction. */
const writeFile = (
  runId: number,
  name: string,
  content: FileContent,
  options?: { readonly mimetype?: string | null; readonly updatedAt?: string }
) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const source = typeof content === "string" ? new TextEncoder().encode(content) : content
    const size = source instanceof Uint8Array ? source.byteLength : source.size
    if (!Number.isSafeInteger(size) || size < 0) return yield* badInput(`putFile: invalid size ${size} for ${name}`)
    const [file] = yield* sql<{ id: number }>`
      INSERT INTO files ${
      sql.insert({
        run_id: runId,
        name,
        md5: "",
        mimetype: options?.mimetype ?? null,
        size_bytes: size,
        updated_at: options?.updatedAt ?? Generate.isoSeconds(Date.now())
      })
    }
      ON CONFLICT (run_id, name) DO UPDATE SET
        md5 = excluded.md5, mimetype = excluded.mimetype, size_bytes = excluded.size_bytes, updated_at = excluded.updated_at
      RETURNING id`
    const id = file!.id
    yield* sql`DELETE FROM file_chunks WHERE file_id = ${id}`
    const hash = createHash("md5")
    for (let idx = 0, offset = 0; offset < size; idx++, offset += FILE_CHUNK_SIZE) {
      const length = Math.min(FILE_CHUNK_SIZE, size - offset)
      const chunk = source instanceof Uint8Array ? source.subarray(offset, offset + length) : source.chunk(offset, length)
      if (chunk.byteLength !== length) {
        return yield* badInput(`putFile: generator gave ${chunk.byteLength} bytes at offset ${offset} of ${name}, expected ${length}`)
      }
      hash.update(chunk)
      yield* sql`INSERT INTO file_chunks (file_id, idx, data) VALUES (${id}, ${idx}, ${toBuffer(chunk)})`
    }
    const md5 = hash.digest("base64")
    yield* sql`UPDATE files SET md5 = ${md5} WHERE id = ${id}`
    return { id, md5, size } satisfies StoredFile
  })

/** Rows are generated and appended this many at a time, so huge runs never sit in memory. */
const GENERATE_CHUNK = 20_000

const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** Writes one run (row, history, events, summary, files) and returns what it wrote. */
const writeRun = (
  plan: Generate.RunPlan,
  context: {
    readonly projectId: number
    readonly userId: number | null
    readonly metricKeys: number
    readonly filesPerRun: number
    readonly largeFileBytes: number
  }
) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const config = LenientJson.stringify(Generate.runConfig(plan))
    const lastStep = plan.steps - 1
    const endMs = plan.createdMs + Math.round(Generate.runtimeAt(plan, lastStep) * 1000)
    const [row] = yield* sql<{ id: number }>`INSERT INTO runs ${
      sql.insert({
        project_id: context.projectId,
        name: plan.name,
        display_name: plan.displayName,
        state: plan.state,
        user_id: context.userId,
        sweep_name: plan.sweep,
        group_name: plan.group,
        job_type: plan.jobType,
        commit_hash: plan.commit,
        host: plan.host,
        created_at: Generate.isoSeconds(plan.createdMs),
        heartbeat_at: Generate.isoSeconds(endMs),
        updated_at: Generate.isoSeconds(endMs),
        duration: Math.round((endMs - plan.createdMs) / 1000),
        notes: plan.notes,
        tags: JSON.stringify(plan.tags),
        config,
        config_query: LenientJson.toStandard(config)
      })
    } RETURNING id`
    const runId = row!.id

    const history = Generate.makeHistory(plan, context.metricKeys)
    const latest: Record<string, unknown> = {}
    for (let from = 0; from < plan.steps; from += GENERATE_CHUNK) {
      const rows = history.rows(from, Math.min(plan.steps, from + GENERATE_CHUNK))
      for (const r of rows) Object.assign(latest, r)
      yield* writeHistory(runId, rows)
    }
    const events = Generate.makeEvents(plan)
    let lastEvent: Record<string, unknown> = {}
    for (let from = 0; from < events.count; from += GENERATE_CHUNK) {
      const rows = events.rows(from, Math.min(events.count, from + GENERATE_CHUNK))
      lastEvent = rows[rows.length - 1] ?? lastEvent
      yield* writeEvents(runId, rows)
    }

    const image = Generate.exampleImage(plan, lastStep)
    const imageBytes = image.bytes()
    const summary = {
      ...latest,
      ...(plan.diverges ? { best_val_loss: Number.NaN } : {}),
      examples: {
        _type: "image-file",
        path: image.name,
        sha256: sha256Hex(imageBytes),
        size: imageBytes.byteLength,
        format: "png",
        width: 28,
        height: 28
      },
      _wandb: { runtime: Math.round(Generate.runtimeAt(plan, lastStep)) }
    }
    const summaryText = LenientJson.stringify(summary)
    const systemMetrics = Object.fromEntries(Object.entries(lastEvent).filter(([k]) => k.startsWith("system.")))
    yield* sql`UPDATE runs SET ${
      sql.update({
        summary_metrics: summaryText,
        summary_query: LenientJson.toStandard(summaryText),
        system_metrics: JSON.stringify(systemMetrics)
      })
    } WHERE id = ${runId}`

    const files = Generate.runFiles(plan, {
      count: context.filesPerRun,
      largeFileBytes: context.largeFileBytes,
      summaryText,
      lastStep
    })
    for (const file of files) {
      yield* writeFile(runId, file.name, file.content, { mimetype: file.mimetype, updatedAt: Generate.isoSeconds(endMs) })
    }
    const finalLoss = latest.val_loss
    return {
      run: {
        name: plan.name,
        id: runId,
        displayName: plan.displayName,
        state: plan.state,
        sweep: plan.sweep,
        historyRows: plan.steps,
        eventRows: events.count,
        files: files.map((f) => f.name)
      } satisfies DemoRun,
      valLoss: typeof finalLoss === "number" && Number.isFinite(finalLoss) ? finalLoss : null
    }
  })

const DAY_MS = 86_400_000
/** Sweep runs: the odd-indexed runs 1, 3, 5, 7 of the first project. */
const isSweepRun = (projectIndex: number, index: number) => projectIndex === 0 && index % 2 === 1 && index < 8

/**
 * Writes the demo dataset into an initialised database (see the module docs). Users are not
 * written: runs and projects belong to the user `demo-user` when it exists, else to no one.
 * Deterministic for a given seed and options.
 *
 * @since 0.1.0
 * @category seeding
 */
export const seedDemo = (options?: DemoOptions): Effect.Effect<DemoSummary, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const seed = options?.seed ?? 1
    const entity = options?.entity ?? "demo"
    const projectCount = options?.projects ?? 3
    const runsPerProject = options?.runsPerProject ?? 8
    const steps = options?.stepsPerRun ?? 200
    const metricKeys = options?.metricKeys ?? 6
    const filesPerRun = options?.filesPerRun ?? 6
    const largeFileBytes = options?.largeFileBytes ?? 2.5 * 1024 * 1024
    for (const [key, value] of Object.entries({ projectCount, runsPerProject, steps, metricKeys, filesPerRun, largeFileBytes })) {
      if (!Number.isSafeInteger(value) || value < 0) return yield* badInput(`seedDemo: ${key} must be a non-negative integer, got ${value}`)
    }
    if (steps === 0) return yield* badInput("seedDemo: stepsPerRun must be at least 1")

    const [user] = yield* sql<{ id: number }>`SELECT id FROM users WHERE username = 'demo-user'`
    const userId = user?.id ?? null
    yield* sql`INSERT INTO entities (name) VALUES (${entity}) ON CONFLICT (name) DO NOTHING`
    const [entityRow] = yield* sql<{ id: number }>`SELECT id FROM entities WHERE name = ${entity}`
    const rng = makeRandom(hashSeed(seed))
    // 2024-01-01 plus up to ~half a year, from the seed
    const baseMs = Date.UTC(2024, 0, 1) + rng.int(0, 180 * 24) * 3_600_000
    const usedIds = new Set<string>()
    const projects: Array<DemoProject> = []
    const sweeps: Array<DemoSweep> = []
    let largeFile: DemoSummary["largeFile"] = null
    const artifacts: Array<DemoArtifact> = []

    for (let p = 0; p < projectCount; p++) {
      const name = Generate.projectName(p)
      const projectBaseMs = baseMs + p * 3 * DAY_MS
      const [project] = yield* sql<{ id: number }>`INSERT INTO projects ${
        sql.insert({
          entity_id: entityRow!.id,
          name,
          description: Generate.projectDescription(name),
          created_at: Generate.isoSeconds(projectBaseMs - DAY_MS),
          user_id: userId
        })
      } RETURNING id`
      const hasSweep = p === 0 && runsPerProject > 1
      const sweepName = hasSweep ? makeRandom(hashSeed(seed, 99)).id(8) : null
      const runs: Array<DemoRun> = []
      const sweepLosses: Array<number> = []
      for (let i = 0; i < runsPerProject; i++) {
        const plan = Generate.planRun({
          seed,
          projectIndex: p,
          index: i,
          baseMs: projectBaseMs,
          steps,
          usedIds,
          sweep: isSweepRun(p, i) ? sweepName : null
        })
        const written = yield* writeRun(plan, {
          projectId: project!.id,
          userId,
          metricKeys,
          filesPerRun,
          largeFileBytes: p === 0 && i === 0 ? largeFileBytes : 0
        })
        runs.push(written.run)
        if (plan.sweep !== null && written.valLoss !== null) sweepLosses.push(written.valLoss)
        if (p === 0 && i === 0 && largeFileBytes > 0) {
          largeFile = { project: name, run: plan.name, name: "checkpoints/model.pt", size: largeFileBytes }
        }
      }
      projects.push({ name, runs })
      if (options?.artifacts !== false) {
        artifacts.push(...yield* seedProjectArtifacts(seed, entity, name, runs.map((run) => run.name), projectBaseMs))
      }
      if (sweepName !== null) {
        const method = makeRandom(hashSeed(seed, 98)).chance(0.5) ? "grid" : "bayes"
        const bestLoss = sweepLosses.length === 0 ? null : Math.min(...sweepLosses)
        yield* sql`INSERT INTO sweeps ${
          sql.insert({
            project_id: project!.id,
            name: sweepName,
            display_name: `lr-sweep-${sweepName.slice(0, 4)}`,
            method,
            state: "FINISHED",
            description: "Learning-rate and batch-size sweep",
            best_loss: bestLoss,
            config: Generate.sweepYaml(method),
            created_at: Generate.isoSeconds(projectBaseMs - 3_600_000),
            updated_at: Generate.isoSeconds(projectBaseMs + runsPerProject * 37 * 60_000),
            run_count_expected: method === "grid" ? 6 : null
          })
        }`
        sweeps.push({
          project: name,
          name: sweepName,
          method,
          runs: runs.filter((r) => r.sweep !== null).map((r) => r.name),
          bestLoss
        })
      }
    }
    return { entity, projects, sweeps, largeFile, artifacts }
  }).pipe(withTransaction)
