/**
 * History over real HTTP against the local server (real GraphQL, real SQLite): every test
 * writes its own run with known rows, then reads it back with `History`.
 */
import { describe, expect, layer } from "@effect/vitest"
import { History, WandbApi, WandbConfig } from "@effect-wandb/core"
import { DemoData, LocalServer } from "@effect-wandb/server"
import { NodeWandb } from "@effect-wandb/platform-node"
import { Chunk, Context, Effect, Layer, Stream } from "effect"

type Row = Record<string, unknown>

/** The server's database client. Its Tag lives in @effect/sql, which this package does not depend on; Tags are keyed by name. */
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.appendHistory>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

const ENTITY = LocalServer.DEFAULT_ENTITY
const PROJECT = "history-tests"

const ServerLayer = LocalServer.layerWithSql()
const ClientLayer = Layer.unwrapEffect(
  Effect.map(LocalServer.LocalServer, ({ apiKey, baseUrl }) =>
    WandbApi.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl, apiKey })))
).pipe(Layer.provide(NodeWandb.layerPlatform))
const TestLayer = ClientLayer.pipe(Layer.provideMerge(ServerLayer))

/** Creates run `name` in the test project and stores `rows` (and `events`) as its history. */
const makeRun = (name: string, rows: ReadonlyArray<Row>, events: ReadonlyArray<Row> = []) =>
  Effect.gen(function*() {
    const sql = yield* Sql
    yield* sql.unsafe(
      `INSERT INTO projects (entity_id, name, created_at)
       SELECT id, ?, '2024-01-01T00:00:00' FROM entities WHERE name = ? ON CONFLICT DO NOTHING`,
      [PROJECT, ENTITY]
    )
    const [run] = yield* sql.unsafe<{ id: number }>(
      `INSERT INTO runs (project_id, name, state, created_at)
       SELECT p.id, ?, 'finished', '2024-01-01T00:00:00' FROM projects p JOIN entities e ON e.id = p.entity_id
       WHERE e.name = ? AND p.name = ? RETURNING id`,
      [name, ENTITY, PROJECT]
    )
    yield* DemoData.appendHistory(run!.id, rows)
    if (events.length > 0) yield* DemoData.appendEvents(run!.id, events)
    return { entity: ENTITY, project: PROJECT, id: name }
  }).pipe(Effect.orDie)

const image = { _type: "image-file", path: "media/images/s.png", sha256: "ab12", size: 20, format: "png" }

/**
 * Steps 0…99, then a gap to 500…599, then 1,000,000…1,000,149 (gaps); `loss` on every row
 * (NaN every 13th, ±Infinity twice), `val_acc` every 10th step (sparse), a media object
 * every 50th step.
 */
const gappyRows: ReadonlyArray<Row> = [
  ...Array.from({ length: 100 }, (_, i) => i),
  ...Array.from({ length: 100 }, (_, i) => 500 + i),
  ...Array.from({ length: 150 }, (_, i) => 1_000_000 + i)
].map((step, i) => ({
  _step: step,
  _runtime: i * 0.25,
  _timestamp: 1_717_236_000 + i,
  loss: step === 7 ? Infinity : step === 8 ? -Infinity : i % 13 === 0 ? NaN : 1 / (i + 1),
  ...(step % 10 === 0 ? { val_acc: i / 350 } : {}),
  ...(step % 50 === 0 ? { samples: image } : {})
}))

const long10 = Array.from({ length: 10 }, (_, i) => ({ _step: i, v: i }))

const scan = (run: History.HistoryTarget, options?: History.ScanOptions) =>
  Effect.map(Stream.runCollect(History.scanHistory(run, options)), Chunk.toArray)

const project = (rows: ReadonlyArray<Row>, keys: ReadonlyArray<string>) =>
  rows.map((row) => Object.fromEntries(["_step", ...keys].filter((k) => k in row).map((k) => [k, row[k]])))

layer(TestLayer, { excludeTestServices: true })("History against the local server", (it) => {
  describe("scanHistory", () => {
    it.effect("its consumer's own requests get a connection while answers wait unread in every other", () =>
      Effect.gen(function*() {
        const run = yield* makeRun("consumer-requests", gappyRows)
        const { apiKey, baseUrl } = yield* LocalServer.LocalServer
        // 16 answers ahead on 4 sockets; each chunk of rows makes a request of its own, which waits
        // until the answers nobody has claimed are read into memory
        const users = yield* Effect.flatMap(WandbApi.WandbApi, (api) =>
          History.scanHistory(run, { pageSize: 7 }).pipe(
            Stream.mapChunksEffect((rows) => Effect.as(api.viewer, rows)),
            Stream.runCount
          )).pipe(
            Effect.provide(NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl, apiKey }), { maxSockets: 4 })),
            Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error("the consumer's request waited for a socket") })
          )
        expect(users).toBe(gappyRows.length)
      }), 60_000)

    it.effect("completes on 2 sockets when windows are continued: the answers waiting in every connection are read first", () =>
      Effect.gen(function*() {
        const run = yield* makeRun("few-sockets", gappyRows)
        const { apiKey, baseUrl } = yield* LocalServer.LocalServer
        for (const pageSize of [1, 7]) {
          // 16 requests ahead, 2 sockets: a window's rest (a page came back full) needs a third
          const rows = yield* scan(run, { pageSize }).pipe(
            Effect.provide(NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl, apiKey }), { maxSockets: 2 })),
            Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error(`pageSize ${pageSize}: waited for a socket`) })
          )
          expect(rows.map((row) => row._step)).toEqual(gappyRows.map((row) => row._step))
        }
      }), 60_000)

    it.effect("returns exactly the stored rows (gaps, sparse keys, NaN, media) for page sizes that do and don't divide the range", () =>
      Effect.gen(function*() {
        const run = yield* makeRun("gappy", gappyRows)
        for (const pageSize of [1, 7, 50, 100, 350, 1000]) {
          const rows = yield* scan(run, { pageSize })
          expect(rows.length).toBe(gappyRows.length)
          expect(rows).toEqual(gappyRows)
        }
        const sequential = yield* scan(run, { pageSize: 30, concurrency: 1 })
        expect(sequential).toEqual(gappyRows)
      }))

    it.effect("scans a run whose steps start far from 0", () =>
      Effect.gen(function*() {
        const stored = Array.from({ length: 250 }, (_, i) => ({ _step: 7_000_000_000 + i * 3, x: i }))
        const run = yield* makeRun("far", stored)
        expect(yield* scan(run, { pageSize: 100 })).toEqual(stored)
        expect(yield* scan(run, { pageSize: 100, keys: ["x"] })).toEqual(stored)
      }))

    it.effect("honours minStep (inclusive) and maxStep (exclusive), with and without keys", () =>
      Effect.gen(function*() {
        const run = yield* makeRun("bounded", gappyRows)
        const inRange = (min: number, max: number) =>
          gappyRows.filter((r) => (r._step as number) >= min && (r._step as number) < max)
        expect(yield* scan(run, { minStep: 50, maxStep: 550, pageSize: 16 })).toEqual(inRange(50, 550))
        expect(yield* scan(run, { minStep: 600, maxStep: 1_000_000 })).toEqual([])
        expect(yield* scan(run, { minStep: 1_000_100 })).toEqual(inRange(1_000_100, Infinity))
        expect(yield* scan(run, { maxStep: 10, pageSize: 3 })).toEqual(inRange(0, 10))
        expect(yield* scan(run, { minStep: 0, maxStep: 1_000_005, keys: ["val_acc"], pageSize: 9 })).toEqual(
          project(inRange(0, 1_000_005).filter((r) => "val_acc" in r), ["val_acc"])
        )
      }))

    it.effect("keys: the default inner join drops rows without every key; the outer join keeps them with nulls", () =>
      Effect.gen(function*() {
        const run = yield* makeRun("joins", gappyRows)
        const inner = yield* scan(run, { keys: ["loss", "val_acc"], pageSize: 64 })
        expect(inner).toEqual(project(gappyRows.filter((r) => "val_acc" in r), ["loss", "val_acc"]))
        const outer = yield* scan(run, { keys: ["val_acc", "samples"], join: "outer", pageSize: 64 })
        const expected = gappyRows
          .filter((r) => "val_acc" in r || "samples" in r)
          .map((r) => ({ _step: r._step, val_acc: r.val_acc ?? null, samples: r.samples ?? null }))
        expect(outer).toEqual(expected)
        const innerSame = yield* scan(run, { keys: ["val_acc", "samples"] })
        expect(innerSame.length).toBeLessThan(outer.length)
        expect(outer.filter((r) => r.val_acc !== null && r.samples !== null)).toEqual(innerSame)
      }))

    it.effect("takes lastStep from a Run loaded through WandbApi", () =>
      Effect.gen(function*() {
        yield* makeRun("loaded", gappyRows.slice(0, 120))
        const api = yield* WandbApi.WandbApi
        const run = yield* api.run(`${ENTITY}/${PROJECT}/loaded`)
        expect(run.historyKeys.lastStep).toBe(519)
        expect(yield* scan(run, { pageSize: 25 })).toEqual(gappyRows.slice(0, 120))
      }))

    it.effect("fails with RunNotFound / ProjectNotFound for unknown runs", () =>
      Effect.gen(function*() {
        yield* makeRun("exists", long10)
        const noRun = yield* scan({ entity: ENTITY, project: PROJECT, id: "missing" }).pipe(Effect.flip)
        expect(noRun._tag).toBe("RunNotFound")
        const noProject = yield* scan({ entity: ENTITY, project: "nope", id: "missing" }).pipe(Effect.flip)
        expect(noProject._tag).toBe("ProjectNotFound")
      }))
  })

  describe("history (sampled)", () => {
    const long = Array.from({ length: 1000 }, (_, i) => ({
      _step: i * 2,
      loss: i % 9 === 0 ? NaN : 1000 - i,
      ...(i % 4 === 0 ? { val: i } : {})
    }))

    it.effect("returns at most `samples` rows including the first and last", () =>
      Effect.gen(function*() {
        const run = yield* makeRun("sampled", long)
        const { columns, rows, xAxis } = yield* History.history(run, { samples: 37 })
        expect(rows.length).toBe(37)
        expect(rows[0]).toEqual(long[0])
        expect(rows[36]).toEqual(long[999])
        expect(xAxis).toBe("_step")
        expect(columns._step).toEqual(rows.map((r) => r._step))
        expect(columns.val).toEqual(rows.map((r) => r.val ?? null))
        const all = yield* History.history(run, { samples: 5000 })
        expect(all.rows).toEqual(long)
      }))

    it.effect("with keys: only rows having every key (default) or any key (outer), first and last kept", () =>
      Effect.gen(function*() {
        const run = yield* makeRun("sampled-keys", long)
        const withVal = long.filter((r) => "val" in r)
        const inner = yield* History.history(run, { samples: 11, keys: ["loss", "val"] })
        expect(inner.rows.length).toBe(11)
        expect(inner.rows[0]).toEqual(withVal[0])
        expect(inner.rows[10]).toEqual(withVal[withVal.length - 1])
        expect(Object.keys(inner.columns)).toEqual(["_step", "loss", "val"])
        const outer = yield* History.history(run, { samples: 2000, keys: ["loss", "val"], join: "outer" })
        expect(outer.rows).toEqual(long.map((r) => ({ _step: r._step, loss: r.loss, val: r.val ?? null })))
      }))

    it.effect("system stream: sampled events, first and last included", () =>
      Effect.gen(function*() {
        const events = Array.from({ length: 60 }, (_, i) => ({
          _wandb: true,
          _runtime: i * 30,
          _timestamp: 1_717_236_000 + i * 30,
          "system.cpu": i % 7 === 0 ? NaN : i,
          "system.gpu.0.gpu": 50 + i
        }))
        const run = yield* makeRun("system", long.slice(0, 5), events)
        const sampled = yield* History.history(run, { stream: "system", samples: 8 })
        expect(sampled.rows.length).toBe(8)
        expect(sampled.rows[0]).toEqual(events[0])
        expect(sampled.rows[7]).toEqual(events[59])
        expect(sampled.xAxis).toBe("_runtime")
        expect(Object.keys(sampled.columns)[0]).toBe("_runtime")
        const all = yield* History.history(run, { stream: "system", samples: 100 })
        expect(all.rows).toEqual(events)
        const rejected = yield* History.history(run, { stream: "system", keys: ["system.cpu"] }).pipe(Effect.flip)
        expect(rejected).toMatchObject({ _tag: "InvalidArgument", argument: "keys" })
      }))
  })
})
