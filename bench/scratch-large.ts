import { DemoData, LocalServer } from "@effect-wandb/server"
import { Context, Effect, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pattern } from "./src/pattern.js"
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.putFile>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")
const MiB = 1024 * 1024
Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const dir = mkdtempSync(join(tmpdir(), "scratch-large-"))
  const { server, sql } = yield* LocalServer.make({ database: join(dir, "bench.sqlite"), port: 8126 })
  const demo = yield* DemoData.seedDemo({ projects: 1, runsPerProject: 1, stepsPerRun: 1, filesPerRun: 0, largeFileBytes: 0 }).pipe(Effect.provideService(Sql, sql))
  const run = demo.projects[0]!.runs[0]!
  yield* DemoData.putFile(run.id, "large/model.bin", { size: 512 * MiB, chunk: pattern(1) }).pipe(Effect.provideService(Sql, sql))
  writeFileSync("/tmp/scratch/large-env", `export BENCH_BASE_URL=${server.baseUrl} BENCH_API_KEY=${Redacted.value(server.apiKey)} BENCH_RUN_PATH=${demo.entity}/${demo.projects[0]!.name}/${run.name}\n`)
  console.error("ready")
  yield* Effect.never
})))
