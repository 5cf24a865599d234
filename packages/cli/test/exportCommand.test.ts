/**
 * `effect-wandb export` against the local server: Parquet per run read back with DuckDB (not
 * the writer's library), resuming skips complete runs, NDJSON and CSV into one file.
 */
import { DuckDBInstance } from "@duckdb/node-api"
import * as History from "@effect-wandb/core/History"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { runCli, serverEnv, ServerWithApiLive } from "./helpers.js"

const tempDir = () => mkdtempSync(path.join(tmpdir(), "effect-wandb-export-test-"))

const query = (sql: string) =>
  Effect.promise(async () => {
    const instance = await DuckDBInstance.create(":memory:")
    const connection = await instance.connect()
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS()
    } finally {
      connection.closeSync()
      instance.closeSync()
    }
  })

const KEYS = ["loss", "accuracy"]

layer(ServerWithApiLive, { excludeTestServices: true })("export command", (it) => {
  it.effect("parquet per run: DuckDB reads every row with the values of the history scan; a re-run resumes", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const api = yield* WandbApi.WandbApi
      const runs = Chunk.toReadonlyArray(yield* Stream.runCollect(api.runs("demo/cifar-resnet")))
      const dir = tempDir()
      const args = ["export", "demo/cifar-resnet", "--to", dir, "--format", "parquet", "--keys", KEYS.join(","), "--config-keys", "lr", "--summary-keys", "val_loss", "--row-group", "50"]
      const first = yield* runCli(args, env)
      expect(first.code, first.stderr).toBe(0)
      expect(readdirSync(dir).sort()).toEqual(runs.map((r) => `${r.id}.parquet`).sort())
      let total = 0
      for (const run of runs) {
        const scanned = Chunk.toReadonlyArray(yield* Stream.runCollect(History.scanHistory(run, { keys: KEYS, join: "outer" })))
        total += scanned.length
        const file = path.join(dir, `${run.id}.parquet`)
        const rows = yield* query(`SELECT * FROM read_parquet('${file}') ORDER BY _step`)
        expect(rows.length, run.id).toBe(scanned.length)
        expect(rows.map((r) => Number(r["_step"]))).toEqual(scanned.map((r) => r._step))
        expect(rows.map((r) => r["loss"])).toEqual(scanned.map((r) => r["loss"]))
        expect(rows.map((r) => r["accuracy"])).toEqual(scanned.map((r) => r["accuracy"]))
        expect(new Set(rows.map((r) => r["run"]))).toEqual(new Set([run.id]))
        expect(rows[0]!["config.lr"]).toBe(run.config.lr)
        expect(rows[0]!["summary.val_loss"]).toBe(run.summary.val_loss ?? null)
      }
      expect(first.stderr).toContain(`exported ${runs.length} of ${runs.length} runs (${total} rows)`)
      const [count] = yield* query(`SELECT count(*) AS n FROM read_parquet('${dir}/*.parquet')`)
      expect(Number(count!["n"])).toBe(total)

      // resumable: an interrupted run (its file missing) is redone, the complete ones skipped
      const keep = path.join(dir, `${runs[1]!.id}.parquet`)
      const before = statSync(keep).mtimeMs
      rmSync(path.join(dir, `${runs[0]!.id}.parquet`))
      const again = yield* runCli(args, env)
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toContain(`exported 1 of ${runs.length} runs`)
      expect(again.stderr).toContain(`${runs.length - 1} already complete, skipped`)
      expect(statSync(keep).mtimeMs).toBe(before)
      expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([])
      rmSync(dir, { recursive: true, force: true })
    }))

  it.effect("ndjson and csv into one file: one row per run and step", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const api = yield* WandbApi.WandbApi
      const runs = Chunk.toReadonlyArray(yield* Stream.runCollect(api.runs("demo/llm-finetune")))
      const counts = yield* Effect.forEach(runs, (run) => Stream.runCount(History.scanHistory(run, { keys: ["loss"] })))
      const total = counts.reduce((a, b) => a + b, 0)
      const dir = tempDir()
      const ndjsonFile = path.join(dir, "all.ndjson")
      const ndjson = yield* runCli(["export", "demo/llm-finetune", "--to", ndjsonFile, "--format", "ndjson", "--keys", "loss"], env)
      expect(ndjson.code, ndjson.stderr).toBe(0)
      const lines = readFileSync(ndjsonFile, "utf8").trim().split("\n").map((l) => JSON.parse(l))
      expect(lines.length).toBe(total)
      expect(Object.keys(lines[0]!)).toEqual(["run", "_step", "loss"])
      expect(new Set(lines.map((l) => l.run))).toEqual(new Set(runs.map((r) => r.id)))
      const csvFile = path.join(dir, "all.csv")
      const csv = yield* runCli(["export", "demo/llm-finetune", "--to", csvFile, "--format", "csv", "--keys", "loss"], env)
      expect(csv.code, csv.stderr).toBe(0)
      const csvLines = readFileSync(csvFile, "utf8").trim().split("\n")
      expect(csvLines[0]).toBe("run,_step,loss")
      expect(csvLines.length).toBe(total + 1)
      const bad = yield* runCli(["export", "demo/llm-finetune", "--to", csvFile, "--concurrency", "0"], env)
      expect(bad.code).toBe(2)
      rmSync(dir, { recursive: true, force: true })
    }))
})
