import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as DemoData from "../src/DemoData.js"
import { FILE_CHUNK_SIZE } from "../src/internal/ddl.js"
import { MemoryDb } from "./fixtures/dataDb.js"

const small: DemoData.DemoOptions = { projects: 2, runsPerProject: 4, stepsPerRun: 30, largeFileBytes: 1_500_000 }

/** Every row of every table the seeder writes, as text (chunks as their md5). */
const dump = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const tables: Record<string, string> = {
    entities: "SELECT * FROM entities ORDER BY id",
    projects: "SELECT * FROM projects ORDER BY id",
    sweeps: "SELECT * FROM sweeps ORDER BY id",
    runs: "SELECT * FROM runs ORDER BY id",
    history: "SELECT * FROM history ORDER BY run_id, step",
    events: "SELECT * FROM events ORDER BY run_id, seq",
    files: "SELECT * FROM files ORDER BY id",
    file_chunks: "SELECT file_id, idx, length(data) AS n, hex(substr(data, 1, 64)) AS head FROM file_chunks ORDER BY file_id, idx"
  }
  const out: Record<string, string> = {}
  for (const [table, query] of Object.entries(tables)) out[table] = JSON.stringify(yield* sql.unsafe(query))
  return out
})

const seeded = (options: DemoData.DemoOptions) =>
  Effect.gen(function*() {
    const summary = yield* DemoData.seedDemo(options)
    return { summary, rows: yield* dump }
  }).pipe(Effect.provide(MemoryDb))

const fileBytes = (fileId: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const chunks = yield* sql<{ data: Uint8Array }>`SELECT data FROM file_chunks WHERE file_id = ${fileId} ORDER BY idx`
    return Buffer.concat(chunks.map((c) => c.data))
  })

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64")

const insertRun = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`INSERT INTO entities (id, name) VALUES (1, 'e')`
  yield* sql`INSERT INTO projects (id, entity_id, name, created_at) VALUES (1, 1, 'p', '2024-01-01T00:00:00')`
  const [run] = yield* sql<{ id: number }>`
    INSERT INTO runs (project_id, name, created_at) VALUES (1, 'r1', '2024-01-01T00:00:00') RETURNING id`
  return run!.id
})

describe("seedDemo", () => {
  it.effect("is deterministic: same seed, same rows; another seed, other rows", () =>
    Effect.gen(function*() {
      const a = yield* seeded({ ...small, seed: 7 })
      const b = yield* seeded({ ...small, seed: 7 })
      const c = yield* seeded({ ...small, seed: 8 })
      expect(b.rows).toEqual(a.rows)
      expect(b.summary).toEqual(a.summary)
      for (const table of ["runs", "history", "events", "files", "sweeps"]) {
        expect(c.rows[table], table).not.toEqual(a.rows[table])
      }
    }))

  it.effect("writes the sizes asked for", () =>
    Effect.gen(function*() {
      const { summary } = yield* DemoData.seedDemo(small).pipe(Effect.map((summary) => ({ summary })))
      const sql = yield* SqlClient.SqlClient
      expect(summary.entity).toBe("demo")
      expect(summary.projects.map((p) => p.name)).toEqual(["mnist-cnn", "cifar-resnet"])
      expect(summary.projects.every((p) => p.runs.length === 4)).toBe(true)
      const runs = summary.projects.flatMap((p) => p.runs)
      const [counts] = yield* sql<{ runs: number; history: number; events: number; files: number }>`
        SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM history) AS history,
               (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM files) AS files`
      expect(counts).toEqual({
        runs: 8,
        history: runs.reduce((n, r) => n + r.historyRows, 0),
        events: runs.reduce((n, r) => n + r.eventRows, 0),
        files: runs.reduce((n, r) => n + r.files.length, 0)
      })
      // finished runs have every step; run 0 of each project is finished
      expect(summary.projects.map((p) => p.runs[0]!.historyRows)).toEqual([30, 30])
      expect(runs.every((r) => r.files.length === (r === runs[0] ? 7 : 6))).toBe(true)
    }).pipe(Effect.provide(MemoryDb)))

  it.effect("writes realistic runs, a sweep, NaN summaries, sparse history and a chunked large file", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO users (id, username, name, api_key, default_entity) VALUES (5, 'demo-user', 'Demo', 'k', 'demo')`
      const summary = yield* DemoData.seedDemo()
      expect(summary.projects.map((p) => p.name)).toEqual(["mnist-cnn", "cifar-resnet", "llm-finetune"])
      const runs = yield* sql<{
        name: string
        display_name: string
        state: string
        user_id: number
        config: string
        summary_metrics: string
        summary_query: string
        system_metrics: string
        sweep_name: string | null
      }>`SELECT * FROM runs ORDER BY id`
      expect(runs.length).toBe(24)
      for (const run of runs) {
        expect(run.name).toMatch(/^[a-z0-9]{8}$/)
        expect(run.display_name).toMatch(/^[a-z]+-[a-z]+-\d+$/)
        expect(run.user_id).toBe(5)
        const config = JSON.parse(run.config)
        expect(config.wandb_version).toBe(1)
        expect(config.lr).toEqual({ value: expect.any(Number), desc: null })
        expect(config.optimizer.value).toEqual({ name: expect.any(String), betas: [0.9, 0.999], weight_decay: 0.01 })
        expect(config._wandb.value.cli_version).toBeTypeOf("string")
        const systemMetrics = JSON.parse(run.system_metrics)
        expect(systemMetrics["system.gpu.0.gpu"]).toBeTypeOf("number")
        const summaryQuery = JSON.parse(run.summary_query)
        expect(summaryQuery.examples._type).toBe("image-file")
        expect(summaryQuery._step).toBeTypeOf("number")
      }
      expect(new Set(runs.map((r) => r.state)).has("finished")).toBe(true)
      const crashed = runs.find((r) => r.summary_metrics.includes(":NaN"))!
      expect(crashed.state).toBe("crashed")
      expect(JSON.parse(crashed.summary_query).loss).toBe("NaN")

      const [sweep] = summary.sweeps
      expect(sweep!.runs.length).toBe(4)
      expect(runs.filter((r) => r.sweep_name === sweep!.name).map((r) => r.name)).toEqual(sweep!.runs)
      const [sweepRow] = yield* sql<{ state: string; config: string; best_loss: number; method: string }>`
        SELECT * FROM sweeps WHERE name = ${sweep!.name}`
      expect(sweepRow!.state).toBe("FINISHED")
      expect(sweepRow!.config).toContain(`method: ${sweepRow!.method}`)
      expect(sweepRow!.best_loss).toBe(sweep!.bestLoss)

      const history = yield* sql<{ keys: string; row: string }>`SELECT keys, row FROM history WHERE run_id = 1 ORDER BY seq`
      expect(history.some((h) => h.keys.includes(",val_loss,"))).toBe(true)
      expect(history.some((h) => !h.keys.includes(",val_loss,"))).toBe(true)
      expect(history.every((h) => h.keys.includes(",_step,_runtime,_timestamp,"))).toBe(true)
      const events = yield* sql<{ row: string }>`SELECT row FROM events WHERE run_id = 1 ORDER BY seq`
      expect(JSON.parse(events[0]!.row)._wandb).toBe(true)

      const large = summary.largeFile!
      const [file] = yield* sql<{ id: number; md5: string; size_bytes: number }>`
        SELECT f.id, f.md5, f.size_bytes FROM files f JOIN runs r ON r.id = f.run_id
        WHERE r.name = ${large.run} AND f.name = ${large.name}`
      const chunks = yield* sql<{ n: number }>`SELECT length(data) AS n FROM file_chunks WHERE file_id = ${file!.id} ORDER BY idx`
      expect(chunks.map((c) => c.n)).toEqual([FILE_CHUNK_SIZE, FILE_CHUNK_SIZE, FILE_CHUNK_SIZE / 2])
      const bytes = yield* fileBytes(file!.id)
      expect(bytes.length).toBe(file!.size_bytes)
      expect(md5(bytes)).toBe(file!.md5)

      const [image] = yield* sql<{ id: number; mimetype: string }>`
        SELECT id, mimetype FROM files WHERE run_id = 1 AND name = ${JSON.parse(runs[0]!.summary_query).examples.path}`
      expect(image!.mimetype).toBe("image/png")
      expect((yield* fileBytes(image!.id)).subarray(1, 4).toString()).toBe("PNG")
    }).pipe(Effect.provide(MemoryDb)))

  it.effect("rejects bad sizes with a clear error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(DemoData.seedDemo({ runsPerProject: -1 }))
      expect(error.message).toContain("runsPerProject")
    }).pipe(Effect.provide(MemoryDb)))
})

describe("appendHistory", () => {
  it.effect("keeps seq, keys, last_step, line count and historyKeys", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const runId = yield* insertRun
      yield* DemoData.appendHistory(runId, [
        { _step: 0, loss: 1.5, nested: { a: 1 } },
        { _step: 1, loss: Number.NaN, img: { _type: "image-file", path: "x.png" } }
      ])
      yield* DemoData.appendHistory(runId, [{ _step: 5, acc: 0.5, loss: Number.POSITIVE_INFINITY }])
      const rows = yield* sql<{ step: number; seq: number; keys: string; row: string }>`
        SELECT step, seq, keys, row FROM history WHERE run_id = ${runId} ORDER BY step`
      expect(rows.map((r) => [r.step, r.seq, r.keys])).toEqual([
        [0, 0, ",_step,loss,nested,"],
        [1, 1, ",_step,loss,img,"],
        [5, 2, ",_step,acc,loss,"]
      ])
      expect(rows[1]!.row).toBe(`{"_step":1,"loss":NaN,"img":{"_type":"image-file","path":"x.png"}}`)
      expect(rows[2]!.row).toContain(`"loss":Infinity`)
      const [run] = yield* sql<{ last_step: number; history_line_count: number; history_keys: string }>`
        SELECT last_step, history_line_count, history_keys FROM runs WHERE id = ${runId}`
      expect(run!.last_step).toBe(5)
      expect(run!.history_line_count).toBe(3)
      expect(JSON.parse(run!.history_keys)).toEqual({
        lastStep: 5,
        keys: {
          _step: { previousValue: 5 },
          loss: { previousValue: "Infinity" },
          "nested.a": { previousValue: 1 },
          img: { previousValue: { _type: "image-file", path: "x.png" } },
          acc: { previousValue: 0.5 }
        }
      })
    }).pipe(Effect.provide(MemoryDb)))

  it.effect("rejects steps that do not ascend, and unknown runs", () =>
    Effect.gen(function*() {
      const runId = yield* insertRun
      yield* DemoData.appendHistory(runId, [{ _step: 3 }])
      const repeated = yield* Effect.flip(DemoData.appendHistory(runId, [{ _step: 4 }, { _step: 4 }]))
      expect(repeated.message).toMatch(/row 1 .* _step 4/)
      const missing = yield* Effect.flip(DemoData.appendHistory(runId, [{ loss: 1 }]))
      expect(missing.message).toContain("_step undefined")
      const unknown = yield* Effect.flip(DemoData.appendHistory(999, [{ _step: 0 }]))
      expect(unknown.message).toContain("no run with id 999")
      // the failed batch left nothing behind
      const sql = yield* SqlClient.SqlClient
      const [count] = yield* sql<{ n: number }>`SELECT count(*) AS n FROM history WHERE run_id = ${runId}`
      expect(count!.n).toBe(1)
    }).pipe(Effect.provide(MemoryDb)))

  it.effect("writes many rows in batches", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const runId = yield* insertRun
      yield* DemoData.appendHistory(runId, Array.from({ length: 4500 }, (_, i) => ({ _step: i * 2, v: i })))
      const [stats] = yield* sql<{ n: number; maxSeq: number; lastStep: number }>`
        SELECT count(*) AS n, max(seq) AS maxSeq, (SELECT last_step FROM runs WHERE id = ${runId}) AS lastStep
        FROM history WHERE run_id = ${runId}`
      expect(stats).toEqual({ n: 4500, maxSeq: 4499, lastStep: 8998 })
    }).pipe(Effect.provide(MemoryDb)))
})

describe("appendEvents", () => {
  it.effect("continues the dense seq and keeps bare NaN", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const runId = yield* insertRun
      yield* DemoData.appendEvents(runId, [{ "system.cpu": 1 }, { "system.cpu": Number.NaN }])
      yield* DemoData.appendEvents(runId, [{ "system.cpu": 3 }])
      const rows = yield* sql<{ seq: number; row: string }>`SELECT seq, row FROM events WHERE run_id = ${runId} ORDER BY seq`
      expect(rows).toEqual([
        { seq: 0, row: `{"system.cpu":1}` },
        { seq: 1, row: `{"system.cpu":NaN}` },
        { seq: 2, row: `{"system.cpu":3}` }
      ])
    }).pipe(Effect.provide(MemoryDb)))
})

describe("putFile", () => {
  it.effect("stores bytes in chunks with a base64 md5, and replaces a file of the same name", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const runId = yield* insertRun
      const size = FILE_CHUNK_SIZE * 2 + 10
      const generated = yield* DemoData.putFile(runId, "dir/big.bin", {
        size,
        chunk: (offset, length) => Uint8Array.from({ length }, (_, i) => (offset + i) % 251)
      }, { mimetype: "application/octet-stream", updatedAt: "2024-01-01T00:00:00" })
      const expected = Uint8Array.from({ length: size }, (_, i) => i % 251)
      expect(generated).toEqual({ id: generated.id, md5: md5(expected), size })
      expect(Buffer.compare(yield* fileBytes(generated.id), expected)).toBe(0)

      const replaced = yield* DemoData.putFile(runId, "dir/big.bin", "hello", { mimetype: "text/plain" })
      expect(replaced.id).toBe(generated.id)
      expect(replaced.md5).toBe("XUFAKrxLKna5cZ2REBfFkg==")
      expect((yield* fileBytes(replaced.id)).toString()).toBe("hello")
      const [row] = yield* sql<{ size_bytes: number; mimetype: string; md5: string }>`
        SELECT size_bytes, mimetype, md5 FROM files WHERE id = ${replaced.id}`
      expect(row).toEqual({ size_bytes: 5, mimetype: "text/plain", md5: "XUFAKrxLKna5cZ2REBfFkg==" })

      const empty = yield* DemoData.putFile(runId, "empty.txt", new Uint8Array(0))
      expect(empty.md5).toBe("1B2M2Y8AsgTpgAmY7PhCfg==")
      expect((yield* fileBytes(empty.id)).length).toBe(0)
    }).pipe(Effect.provide(MemoryDb)))

  it.effect("rejects a generator that returns the wrong length", () =>
    Effect.gen(function*() {
      const runId = yield* insertRun
      const error = yield* Effect.flip(
        DemoData.putFile(runId, "bad.bin", { size: 10, chunk: () => new Uint8Array(3) })
      )
      expect(error.message).toMatch(/gave 3 bytes at offset 0 of bad\.bin, expected 10/)
    }).pipe(Effect.provide(MemoryDb)))
})
