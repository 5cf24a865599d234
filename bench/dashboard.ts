/**
 * Dashboard benchmark: N runs × 3 metrics × 500 samples from one project of the local server,
 * at 20 ms and 100 ms of injected latency per request.
 *
 *   pnpm exec tsx bench/dashboard.ts [--runs N] [--steps N] [--write]   (from the repository root)
 *
 * Naive: what the Python client's users write — the full runs listing (`WandbApi.runs`, every
 * config and summary key, 50 runs per page) then one `History.history` per run, one after the
 * other. effect-wandb: `LightRuns.runs` (ids and state only, 500 per page) into
 * `Histories.histories` (sampledHistory selected on 50 runs per request, 4 requests at once).
 * Both read the same rows (checked). Server and client share this process (the server's SQLite
 * work counts in both timings); one measurement each, after a warm-up of both on 20 runs.
 * `--write` stores the table in bench/RESULTS.md (section "Dashboard: many runs' histories").
 */
import { Histories, History, LightRuns, WandbApi } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { LocalServer } from "@effect-wandb/server"
import { Effect, Option, Stream } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { numberFlag } from "./src/args.js"
import { writeSection } from "./src/results.js"

const RUNS = numberFlag("--runs", 500)
const STEPS = numberFlag("--steps", 500)
const LATENCIES = [20, 100] as const
const KEYS = ["loss", "accuracy", "lr"]
const SAMPLES = 500
const PROJECT = "mnist-cnn"

interface Outcome {
  readonly seconds: number
  readonly requests: number
  readonly runs: number
  readonly rows: number
}

const timed = <E, R>(
  effect: Effect.Effect<{ readonly runs: number; readonly rows: number }, E, R>,
  requests: () => number
) =>
  Effect.gen(function*() {
    const before = requests()
    const start = performance.now()
    const result = yield* effect
    return { seconds: (performance.now() - start) / 1000, requests: requests() - before, ...result } satisfies Outcome
  })

const naive = (limit: number) =>
  Effect.gen(function*() {
    const api = yield* WandbApi.WandbApi
    const runs = yield* Stream.runCollect(Stream.take(api.runs(`demo/${PROJECT}`), limit))
    let rows = 0
    for (const run of runs) rows += (yield* History.history(run, { keys: KEYS, samples: SAMPLES })).rows.length
    return { runs: runs.length, rows }
  })

const batched = (limit: number) =>
  Histories.histories(Stream.take(LightRuns.runs(`demo/${PROJECT}`, { perPage: 500 }), limit), {
    keys: KEYS,
    samples: SAMPLES,
    runsPerRequest: 50,
    concurrency: 4
  }).pipe(Stream.runFold({ runs: 0, rows: 0 }, (acc, h) => ({ runs: acc.runs + 1, rows: acc.rows + h.rows.length })))

const measure = (database: string, latencyMs: number) =>
  Effect.scoped(Effect.gen(function*() {
    let requests = 0
    const { server } = yield* LocalServer.make({
      database,
      latencyMs,
      faultInjection: () =>
        Effect.sync(() => {
          requests++
          return Option.none()
        })
    })
    const client = NodeWandb.layer({ baseUrl: server.baseUrl, apiKey: server.apiKey })
    const count = () => requests
    yield* Effect.provide(Effect.all([naive(20), batched(20)]), client) // warm-up
    const slow = yield* Effect.provide(timed(naive(RUNS), count), client)
    const fast = yield* Effect.provide(timed(batched(RUNS), count), client)
    if (slow.runs !== fast.runs || slow.rows !== fast.rows) {
      return yield* Effect.dieMessage(`the clients read different data: ${JSON.stringify({ slow, fast })}`)
    }
    return { latencyMs, slow, fast }
  }))

const main = Effect.gen(function*() {
  const dir = mkdtempSync(join(tmpdir(), "bench-dashboard-"))
  const database = join(dir, "dashboard.db")
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  const seedStart = performance.now()
  yield* Effect.scoped(LocalServer.make({
    database,
    seed: { projects: 1, runsPerProject: RUNS, stepsPerRun: STEPS, filesPerRun: 0, largeFileBytes: 0 }
  }))
  console.error(`seeded ${RUNS} runs × ${STEPS} steps in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)
  const results = []
  for (const latencyMs of LATENCIES) {
    const result = yield* measure(database, latencyMs)
    console.error(JSON.stringify(result))
    results.push(result)
  }
  const lines = [
    `${RUNS} runs × ${KEYS.length} metrics (${KEYS.join(", ")}) × ${SAMPLES} samples from one project of the local server`,
    `(demo data, ${STEPS} steps per finished run). Command: \`pnpm exec tsx bench/dashboard.ts${
      RUNS === 500 ? "" : ` --runs ${RUNS}`
    }${STEPS === 500 ? "" : ` --steps ${STEPS}`} --write\` (${new Date().toISOString().slice(0, 16)}Z).`,
    "",
    "| latency per request | naive: full listing + one history per run, sequential | requests | effect-wandb: LightRuns + Histories.histories | requests | ratio |",
    "| --- | --- | --- | --- | --- | --- |",
    ...results.map(({ fast, latencyMs, slow }) =>
      `| ${latencyMs} ms | ${slow.seconds.toFixed(2)} s | ${slow.requests} | ${fast.seconds.toFixed(2)} s | ${fast.requests} | ${
        (slow.seconds / fast.seconds).toFixed(1)
      }× |`
    ),
    "",
    `Both read the same ${results[0]!.slow.runs} runs and ${results[0]!.slow.rows} rows (checked). Naive is what a`,
    "user of the Python client writes: `api.runs(path)` (every config and summary key, 50 runs per page) and",
    "`run.history(keys=…, samples=500)` run after run. effect-wandb lists ids and state only (500 runs per page) and",
    "selects `sampledHistory` on 50 runs per request, 4 requests at once (`Histories.histories` defaults). Server and",
    "client share one process on the 2-core machine, so the server's SQLite sampling is in both timings; one",
    "measurement per cell after a warm-up on 20 runs."
  ]
  console.log(lines.join("\n"))
  if (process.argv.includes("--write")) writeSection("Dashboard: many runs' histories", lines)
})

Effect.runPromise(Effect.scoped(main)).catch((error) => {
  console.error(error)
  process.exit(1)
})
