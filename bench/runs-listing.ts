/**
 * Runs listing benchmark: all 10,000 runs of a project (every field: config, summary, system
 * metrics, history keys) read from the local server by `WandbApi.runs` and by a naive
 * baseline, at 0 ms and 20 ms of injected latency per request.
 *
 *   pnpm exec tsx bench/runs-listing.ts [--runs N] [--per-page N,N…] [--rounds N] [--quick] [--write]   (from the repository root)
 *
 * The server (SQLite file in the temp directory, reused between invocations of the same size)
 * runs in this process; each measured listing runs in its own child process (this file bundled by
 * esbuild, plain `node`), so the client does not share an event loop with the server. The
 * baseline is what a user would write by hand: the official client's `Runs` document for every
 * run field (`lazy=False`; it also asks for the project's run count with every page, which
 * effect-wandb's leaves out) and the same page size, one page after the other with `fetch`, the
 * body through `JSON.parse` and each run's `config` / `summaryMetrics` / `systemMetrics` through a
 * lenient JSON parse — no prefetch. effect-wandb additionally validates the response, flattens the config and
 * builds `Run` values, while fetching the next page as the current one is decoded. A third client,
 * the naive loop run through effect-wandb's `GraphQLClient.execute`, tells the transport's share of
 * the CPU from the listing's own (second table).
 * Each client runs `--rounds` times (default 5; alternating, after one warm-up listing); the table shows the
 * median. Page sizes (default `50,500`): 50 is `WandbApi.runs`'s default (and the official
 * clients'); a larger page is the user's `perPage` choice, given to both clients alike. One more
 * row at 0 ms lists the same runs through a filter on a config value (every run matches it).
 * `--write` stores the table in bench/RESULTS.md (section "Runs listing"). `--quick` (CI): 1000 runs,
 * one round, failing only when the clients disagree (run count, checksum).
 * BENCH_NODE_ARGS: extra node flags for the children, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
 */
import { GraphQLClient, LenientJson, WandbApi } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import type * as ServerPackage from "@effect-wandb/server"
import { Effect, ManagedRuntime, Redacted, Schema, Stream } from "effect"
import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { numberFlag } from "./src/args.js"
import { bundleChild, main, runChild } from "./src/child.js"
import { naivePost } from "./src/naivePost.js"
import { writeSection } from "./src/results.js"
import { median } from "./src/stats.js"

const QUICK = process.argv.includes("--quick")
const RUNS = numberFlag("--runs", QUICK ? 1000 : 10_000)
const PAGE_SIZES = (() => {
  const index = process.argv.indexOf("--per-page")
  return (index === -1 ? "50,500" : process.argv[index + 1]!).split(",").map(Number)
})()
/** The page size of a measured child (set by the parent). */
const PER_PAGE = Number(process.env.BENCH_PER_PAGE ?? PAGE_SIZES[0])
/** Whether a measured child lists through {@link FILTER} (set by the parent). */
const FILTERED = process.env.BENCH_FILTERED === "1"
/** The filtered row's filter, as `WandbApi.runs` takes it; every run of the data matches it. */
const FILTER = { "config.lr": { $gt: 0 } }
/** The same as the official clients send it (W&B's own form of a config key). */
const FILTER_ON_THE_WIRE = JSON.stringify({ "config.lr.value": { $gt: 0 } })
/** 5 by default: single listings at 0 ms move by ±15-30 % from one child to the next (see the notes). */
const ROUNDS = numberFlag("--rounds", QUICK ? 1 : 5)
const LATENCIES = [0, 20] as const
const ENTITY = "bench"
const PROJECT = "runs-listing"

/**
 * `transport`: the baseline's loop (same pages, one after the other, the same three fields parsed
 * per run) through effect-wandb's `GraphQLClient.execute` instead of `fetch`: what the listing costs
 * without building `Run` values, to tell the transport's share from the listing's own.
 */
type Client = "effect-wandb" | "baseline" | "transport"

/** One listing: wall time and the client process's CPU time (user + system). */
interface Timing {
  readonly seconds: number
  readonly cpuSeconds: number
}

interface Measurement {
  readonly client: Client
  readonly latencyMs: number
  readonly runs: number
  /** Sum of every run's history line count, to check both clients read the same runs. */
  readonly checksum: number
  /** The first listing of a fresh process (what one CLI invocation sees). */
  readonly cold: Timing
  /** A second listing in the same process, same client (a long-running program). */
  readonly warm: Timing
}

type Listing = () => Promise<{ readonly runs: number; readonly checksum: number }>

// ---------------------------------------------------------------- child: one measured process

const effectWandb = (baseUrl: string, apiKey: string): Listing => {
  const runtime = ManagedRuntime.make(NodeWandb.layer({ baseUrl, apiKey: Redacted.make(apiKey) }))
  const listing = Effect.flatMap(WandbApi.WandbApi, (api) =>
    api.runs(`${ENTITY}/${PROJECT}`, { perPage: PER_PAGE, ...(FILTERED ? { filters: FILTER } : {}) }).pipe(
      Stream.runFold({ runs: 0, checksum: 0 }, (acc, run) => ({
        runs: acc.runs + 1,
        checksum: acc.checksum + run.historyLineCount
      }))
    ))
  return () => runtime.runPromise(listing)
}

/**
 * The official client's `Runs` document for `api.runs(path, lazy=False)` (every run field, what
 * `WandbApi.runs` reads): effect-wandb's own plus the project's `internalId`,
 * `runCount(filters)` and `readOnly`, which the official client asks with every page.
 */
const runsDocument = (() => {
  const ours = WandbApi.operations.find((operation) => operation.name === "Runs")!.document
  const official = ours.replace(/project\(name: \$project, entityName: \$entity\) \{/, "$& internalId runCount(filters: $filters) readOnly")
  if (official === ours) throw new Error("the Runs document changed: update the official form here")
  return official
})()

const runsVariables = (cursor: string | null) => ({
  entity: ENTITY,
  project: PROJECT,
  cursor,
  perPage: PER_PAGE,
  order: "+created_at",
  filters: FILTERED ? FILTER_ON_THE_WIRE : "{}"
})

/** What the naive loop does with one page's `data`; the next cursor, or null after the last page. */
const consumePage = (data: any, acc: { runs: number; checksum: number }): string | null => {
  const { edges, pageInfo } = data.project.runs
  for (const { node } of edges) {
    for (const field of ["config", "summaryMetrics", "systemMetrics"]) LenientJson.parse(node[field] ?? "{}")
    acc.runs++
    acc.checksum += node.historyLineCount
  }
  return !pageInfo.hasNextPage || edges.length === 0 ? null : edges[edges.length - 1].cursor
}

const baseline = (baseUrl: string, apiKey: string): Listing => {
  const post = naivePost(baseUrl, apiKey)
  return async () => {
    const acc = { runs: 0, checksum: 0 }
    let cursor: string | null = null
    do {
      const response = await post(runsDocument, runsVariables(cursor))
        cursor = consumePage((await response.json() as any).data, acc)
    } while (cursor !== null)
    return acc
  }
}

const transport = (baseUrl: string, apiKey: string): Listing => {
  const runtime = ManagedRuntime.make(NodeWandb.layer({ baseUrl, apiKey: Redacted.make(apiKey) }))
  const operation = GraphQLClient.operation("Runs", runsDocument, Schema.Unknown)
  const listing = Effect.gen(function*() {
    const gql = yield* GraphQLClient.GraphQLClient
    const acc = { runs: 0, checksum: 0 }
    let cursor: string | null = null
    do cursor = consumePage(yield* gql.execute(operation, runsVariables(cursor)), acc)
    while (cursor !== null)
    return acc
  })
  return () => runtime.runPromise(listing)
}

const timed = async (listing: Listing) => {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const result = await listing()
  const used = process.cpuUsage(cpu)
  return { result, timing: { seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 } }
}

const child = async (client: Client) => {
  const { WANDB_BASE_URL: baseUrl, WANDB_API_KEY: apiKey, BENCH_LATENCY: latency } = process.env
  const listing = { baseline, "effect-wandb": effectWandb, transport }[client](baseUrl!, apiKey!)
  const cold = await timed(listing)
  const warm = await timed(listing)
  const measurement: Measurement = {
    client,
    latencyMs: Number(latency),
    ...cold.result,
    cold: cold.timing,
    warm: warm.timing
  }
  console.log(JSON.stringify(measurement))
  process.exit(0)
}

// ---------------------------------------------------------------- parent: data, server, table

const seed = (server: typeof ServerPackage, file: string) =>
  Effect.gen(function*() {
    if (existsSync(file)) return
    const partial = `${file}.partial`
    for (const suffix of ["", "-wal", "-shm"]) rmSync(partial + suffix, { force: true })
    yield* Effect.scoped(
      server.LocalServer.make({
        database: partial,
        seed: { entity: ENTITY, projects: 1, runsPerProject: RUNS, stepsPerRun: 5, filesPerRun: 0, largeFileBytes: 0 }
      })
    )
    yield* Effect.promise(() => renameProject(server, partial))
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(partial + suffix)) renameSync(partial + suffix, file + suffix)
    }
  })

/** The demo generator names its projects itself; give the benchmark's one a fixed name. */
const renameProject = (server: typeof ServerPackage, file: string) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const { sql } = yield* server.LocalServer.make({ database: file })
    yield* sql.unsafe(`UPDATE projects SET name = ? WHERE id = (SELECT MIN(id) FROM projects)`, [PROJECT])
    yield* sql.unsafe("PRAGMA wal_checkpoint(TRUNCATE)")
  })))

/** Runs one listing in a fresh Node process (`bundle`: this file bundled) and returns what it measured. */
const measure = (bundle: string, client: Client, env: Record<string, string>) =>
  runChild<Measurement>(client, [bundle, "--child", client], { env })

const perSecond = (timing: Timing) => RUNS / timing.seconds

/** The measurement with the median rate for one pass. */
const medianByRate = (ms: ReadonlyArray<Measurement>, pass: "cold" | "warm"): Timing =>
  [...ms].map((m) => m[pass]).sort((a, b) => perSecond(a) - perSecond(b))[Math.floor(ms.length / 2)]!

const cells = (ours: Timing, theirs: Timing) =>
  `${perSecond(ours).toFixed(0)} | ${perSecond(theirs).toFixed(0)} | ${(perSecond(ours) / perSecond(theirs)).toFixed(2)}×`

/** One row's measurements, for the targets. */
interface Verdict {
  readonly row: string
  readonly ours: ReadonlyArray<Measurement>
  readonly theirs: ReadonlyArray<Measurement>
  readonly viaTransport: ReadonlyArray<Measurement>
}

const medianCpu = (ms: ReadonlyArray<Measurement>, pass: "cold" | "warm") => median(ms.map((m) => m[pass].cpuSeconds))

/** Issue #13's targets for the listing: at least the naive loop's speed, at most 1.25 × its CPU, in every row. */
const verdictLines = (verdicts: ReadonlyArray<Verdict>): Array<string> => {
  const passes = ["cold", "warm"] as const
  const speeds = verdicts.flatMap((v) =>
    passes.map((pass) => ({ at: `${v.row}, ${pass}`, ratio: perSecond(medianByRate(v.ours, pass)) / perSecond(medianByRate(v.theirs, pass)) }))
  )
  const cpus = verdicts.flatMap((v) =>
    passes.map((pass) => ({
      at: `${v.row}, ${pass}`,
      ratio: medianCpu(v.ours, pass) / medianCpu(v.theirs, pass),
      transport: medianCpu(v.viaTransport, pass) / medianCpu(v.theirs, pass)
    }))
  )
  const below = speeds.filter((s) => s.ratio < 1)
  const over = cpus.filter((c) => c.ratio > 1.25)
  return [
    `- Speed ≥ 1.0 × the naive loop in every row, cold and warm (target): ${
      below.length === 0 ? "met" : `NOT met in ${below.map((s) => `${s.at} (${s.ratio.toFixed(3)} ×)`).join("; ")}`
    }.`,
    `- Client CPU ≤ 1.25 × the baseline's in every row (target): ${
      over.length === 0
        ? "met"
        : `NOT met in ${
          over.map((c) => `${c.at} (${c.ratio.toFixed(2)} ×; the same loop on effect-wandb's \`GraphQLClient\` ${c.transport.toFixed(2)} ×)`).join("; ")
        }`
    }.`
  ]
}

/** One row of the tables: a page size, and whether the listing goes through {@link FILTER}. */
interface RowSpec {
  readonly perPage: number
  readonly filtered: boolean
}

/** Every page size at each latency; at 0 ms also the first page size through the filter. */
const rowSpecs = (latencyMs: number): ReadonlyArray<RowSpec> => [
  ...PAGE_SIZES.map((perPage) => ({ perPage, filtered: false })),
  ...(latencyMs === 0 ? [{ perPage: PAGE_SIZES[0]!, filtered: true }] : [])
]

const parent = Effect.gen(function*() {
  const server = yield* Effect.promise(() => import("@effect-wandb/server"))
  const file = join(tmpdir(), `effect-wandb-bench-runs-${RUNS}.sqlite`)
  const seeding = performance.now()
  yield* seed(server, file)
  console.error(`data: ${RUNS} runs in ${file} (ready in ${((performance.now() - seeding) / 1000).toFixed(1)} s)`)
  const dir = mkdtempSync(join(tmpdir(), "wandb-bench-runs-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  const bundle = join(dir, "runs-listing-child.mjs")
  yield* bundleChild(import.meta.url, bundle)

  const rows: Array<string> = []
  const cpuRows: Array<string> = []
  const verdicts: Array<Verdict> = []
  for (const latencyMs of LATENCIES) {
    const measured = yield* Effect.scoped(Effect.gen(function*() {
      const { server: running } = yield* server.LocalServer.make({ database: file, latencyMs })
      const base = {
        WANDB_BASE_URL: running.baseUrl,
        WANDB_API_KEY: Redacted.value(running.apiKey),
        BENCH_LATENCY: String(latencyMs)
      }
      yield* measure(bundle, "baseline", { ...base, BENCH_PER_PAGE: String(PAGE_SIZES[0]) }) // warm-up: SQLite page cache, JIT of the server
      const results: Array<readonly [row: RowSpec, Array<Measurement>]> = []
      for (const row of rowSpecs(latencyMs)) {
        const env = { ...base, BENCH_PER_PAGE: String(row.perPage), BENCH_FILTERED: row.filtered ? "1" : "0" }
        const round: Array<Measurement> = []
        // alternate the clients so that a change of machine load hits both alike
        for (let i = 0; i < ROUNDS; i++) {
          round.push(
            yield* measure(bundle, "effect-wandb", env),
            yield* measure(bundle, "baseline", env),
            yield* measure(bundle, "transport", env)
          )
        }
        results.push([row, round])
      }
      return results
    }))
    for (const [row, results] of measured) {
      const bad = results.find((m) => m.runs !== RUNS || m.checksum !== results[0]!.checksum)
      if (bad !== undefined) return yield* Effect.fail(new Error(`clients disagree: ${JSON.stringify(results)}`))
      const ours = results.filter((m) => m.client === "effect-wandb")
      const theirs = results.filter((m) => m.client === "baseline")
      const viaTransport = results.filter((m) => m.client === "transport")
      const label = `${row.perPage}${row.filtered ? `, filtered (\`${JSON.stringify(FILTER)}\`)` : ""}`
      console.error(`latency ${latencyMs} ms, ${label} per page: ${
        results.map((m) => `${m.client} ${perSecond(m.cold).toFixed(0)}/s cold, ${perSecond(m.warm).toFixed(0)}/s warm`).join("; ")
      }`)
      rows.push(
        `| ${latencyMs} ms | ${label} | ${cells(medianByRate(ours, "cold"), medianByRate(theirs, "cold"))} | ${
          cells(medianByRate(ours, "warm"), medianByRate(theirs, "warm"))
        } | ${medianByRate(ours, "cold").cpuSeconds.toFixed(2)} s / ${medianByRate(theirs, "cold").cpuSeconds.toFixed(2)} s |`
      )
      const cpu = (pass: "cold" | "warm") => {
        const [own, loop, naive] = [medianCpu(ours, pass), medianCpu(viaTransport, pass), medianCpu(theirs, pass)]
        return `${own.toFixed(2)} s / ${loop.toFixed(2)} s / ${naive.toFixed(2)} s (${(own / naive).toFixed(2)}× / ${
          (loop / naive).toFixed(2)
        }×)`
      }
      cpuRows.push(`| ${latencyMs} ms | ${label} | ${cpu("cold")} | ${cpu("warm")} |`)
      verdicts.push({ row: `${latencyMs} ms, ${row.perPage} per page${row.filtered ? ", filtered" : ""}`, ours, theirs, viaTransport })
    }
  }
  const table = [
    "Runs/s. Cold: the first listing of a fresh process; warm: a second listing in the same process. Both clients use the",
    `row's page size: ${PAGE_SIZES[0]} is \`WandbApi.runs\`'s default (the official clients' too), a larger one is what a user`,
    "gets by passing `perPage`.",
    "",
    "| latency per request | runs per page | cold: effect-wandb | cold: naive sequential baseline | cold ratio | warm: effect-wandb | warm: baseline | warm ratio | client CPU, cold (effect-wandb / baseline) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "Client CPU per listing (medians of the same rounds): effect-wandb's `WandbApi.runs`; the naive loop run through",
    "effect-wandb's `GraphQLClient.execute` instead of `fetch` (same pages one after the other, the same three fields",
    "parsed per run, no `Run` values); the naive baseline. What `WandbApi.runs` spends above the second column is the",
    "listing's own work: validating nodes, history keys, the flattened config, `Run` values, the request sent ahead.",
    "",
    "| latency per request | runs per page | client CPU, cold: `WandbApi.runs` / loop on `GraphQLClient` / baseline (ratios to the baseline) | the same, warm |",
    "| --- | --- | --- | --- |",
    ...cpuRows,
    "",
    ...verdictLines(verdicts)
  ].join("\n")
  console.log(table)
  if (process.argv.includes("--write")) writeResults(table)
})

/** What the table does not say; from diagnostic runs made while tuning (2026-11-27, same machine, on undici). */
const NOTES = [
  "Clients: effect-wandb is `WandbApi.runs(path, { perPage })` over `NodeWandb.layer` (`node:http`), the next page",
  "requested while the current one is converted: it validates every node, parses config / summary / system metrics /",
  "history keys leniently, flattens the config and builds `Run` values. The baseline sends the official client's `Runs`",
  "document for every run field (`lazy=False`) with the same page size through `fetch`, one page after the other, `JSON.parse`s",
  "the body and lenient-parses config, summaryMetrics and systemMetrics of each run. The second table's middle client is",
  "that same loop on effect-wandb's `GraphQLClient` (`NodeWandb.layer`, the same answers parsed, checked for errors and",
  "matched against a schema of `Unknown`).",
  "",
  "The official document also asks for the project's `runCount(filters)` (with `internalId` and `readOnly`) with every",
  "page; effect-wandb's leaves them out since 2026-12-07 (`WandbApi.countRuns` counts once). Unfiltered, the local",
  "server counts from its index and the rows show no difference beyond the machine's noise (alternating listings by",
  "hand: 1.27 s against 1.34 s, medians of 8). Through a filter on a config value it evaluates the filter on every run",
  "of the project for each page's count, so a listing of n runs costs n²/50 evaluations: the filtered row. The real",
  "W&B service computes the count the same way for each page it is asked for (what its cost is there is not measured).",
  "The machine has 2 CPUs shared by server, client and other work: single runs vary by ±30 %.",
  "Each child is this file bundled by esbuild and run by plain `node`, as in the other benchmarks (until 2026-11-28",
  "the children ran the source under tsx).",
  "",
  "What bounds the rows that miss a target (measurements of 2026-12-07 below):",
  "",
  "- Speed, 0 ms: the server's time per page and the cursor chain, the same for every client. Of the 5-6 ms a page of",
  "  50 runs takes, 4-5 ms pass between the request written and the answer's head; each request needs the cursor of",
  "  the page before it, so pages cannot overlap. What a client adds to the chain is reading the answer and sending",
  "  the next request (0.8-1.1 ms for `WandbApi.runs`, which converts each page while the server works on the next;",
  "  0.6-1.5 ms for the naive loop's `response.json()` and parsing). Cold, the first 200 requests also compile and",
  "  optimise effect-wandb's request path: the loop on `GraphQLClient` is then as slow as `WandbApi.runs`.",
  "- Speed, 20 ms with 50 per page: 200 round trips one after the other (about 29 ms each with the server's time) in",
  "  both clients.",
  "- CPU: `WandbApi.runs` returns validated `Run` values (every node checked, four JSON texts parsed per run, the",
  "  config flattened, dates read, a class instance built), where the naive loop parses three texts and keeps",
  "  nothing. The transport alone (the second table's middle column) is at or near the baseline's CPU.",
  "",
  "What changed on 2026-12-06 (diagnostic runs: a 0 ms and a 20 ms server started by hand on a copy of this",
  "benchmark's database, one child at a time, `--trace-gc-nvp`, `--cpu-prof`, and loops of single layers):",
  "",
  "- The next page's request left only after the current page had been converted. Fibers resume one another in",
  "  microtasks, so the consumer converted page n (1-9 ms) before the fiber fetching ahead reached `http.request`",
  "  for page n + 1: timestamps per page read answer, parse, convert, *then* send. Conversion now waits for a",
  "  macrotask first (`internal/macrotask.ts`), by which time the request is on the wire. At 20 ms the chain",
  "  per page fell to what the naive loop pays, and the 20 ms rows went from 0.89-0.94x to about 1.0x.",
  "- `@effect/platform-node`'s `NodeHttpClient` cost about 1 ms of CPU per 87 KB page more than our own",
  "  `node:http` client (`platform-node/src/internal/nodeHttpClient.ts`, now `NodeWandb`'s): 400 pages took",
  "  1.40 s of CPU on it against 1.0-1.1 s (bare `node:http` + `JSON.parse`: 0.6-0.9 s).",
  "- Every GraphQL answer outlived young-generation collections and was promoted: 2.7-3.2 MB survived each",
  "  scavenge (the baseline: 0.1-0.5 MB), about 0.25 s of garbage collection per 400 pages. Taking layers away",
  "  one at a time found it: the answer was parsed inside the fiber that the per-attempt timeout races",
  "  (`Effect.timeoutFail`); parsed after the race, in the caller's fiber, a loop of `GraphQLClient.execute` keeps",
  "  0.8 MB per scavenge. (Which reference inside the race keeps the result was not pinned down.) Responses",
  "  served from memory are a class now, not `Object.create(response)`, which made every response a prototype.",
  "- What remains is the listing's own output: converting nodes into `Run` values (the baseline builds none)",
  "  keeps about 2.1 MB alive per scavenge (the page's parsed JSON, which the runs' strings slice, while its runs",
  "  are built), `Schema.Class`'s constructor copies each run's fields twice (`lazilyMergeDefaults` about 0.05 s",
  "  per listing), and history keys are parsed too. Client CPU stays about 1.3-1.5x the baseline's at 50 per page.",
  "- Still open (2026-12-06, later; same method, 2 warm listings of 10,000 runs at 50 per page): effect-wandb's",
  "  child has 35 scavenges promoting about 58 MB and pausing about 250 ms, the baseline's 23 scavenges, 17 MB and",
  "  80 ms. A heap snapshot taken mid-listing holds only the current page (150 JSON strings for 50 runs), so what",
  "  is promoted is dead by then; the allocation site is `JSON.parse` of the answer. No change to the promotion",
  "  came from: `prefetchPages` 1 instead of 2, removing `bufferChunks` and the macrotask, the platform's",
  "  `FinalizationRegistry` for responses, a plain pull loop instead of `Stream.paginateChunkEffect`, skipping the",
  "  conversion of nodes, or dropping each page right after `GraphQLClient.execute` (54 MB still). A bare loop of",
  "  `GraphQLClient.execute` promotes about 93 KB per page (56 MB per 600 pages; 50 MB with the tracer disabled),",
  "  about one parsed answer per request. The cause was not found.",
  "- 2026-12-06, evening: the local server reads its database through a memory map (`PRAGMA mmap_size`), which",
  "  lowers the server's CPU per request for both clients alike.",
  "- The full run of 20:34Z: the 0 ms rows at 50 per page fell to 0.65-0.73× because the baseline got faster",
  "  with the server's memory map (4886 to 6409 runs/s cold) while effect-wandb stayed at 4150-4400 runs/s: at 0 ms",
  "  the naive loop is bound by the server, effect-wandb by its own CPU. By hand afterwards (server alone, 0 ms,",
  "  two children each): CPU cold 1.26-1.30 s against 0.89-0.92 s, warm 0.87-0.88 s against 0.50-0.51 s. Profiles of",
  "  one pair show no single cost: garbage collection 0.33 s against 0.18 s, Effect's runtime about 0.3 s, decoding",
  "  the runs (with `Schema`) about 0.2 s, parsing the answers about the same in both.",
  "- The run of 21:14Z (after the server lost its per-request spans): 0.84×/0.95× at 0 ms and 50 per page",
  "  where the same client gave 0.65×/0.73× in the full run of 20:34Z: on this machine the 0 ms rows move by",
  "  about ±15 % from run to run, more than any change of this session.",
  "- 2026-12-06, night: the second table runs the naive loop itself on effect-wandb's `GraphQLClient` over",
  "  `NodeWandb.layer`. Cold, its CPU is the baseline's or less at 0 ms (0.97-1.00× with 50 per page, 0.82-0.84×",
  "  with 500, in the run of 22:03Z and in one at about 21:57Z), 0.82-0.86× at 20 ms with 500 per page, and",
  "  1.04-1.27× at 20 ms with 50 per page (200 requests, each after 20 ms idle). So at 0 ms the transport (HTTP",
  "  client, retries, timeout, span, parsing, error mapping) is not what the listing loses on. What bounds the 0",
  "  ms, 50-per-page row is `WandbApi.runs`'s own work above that loop, 0.4-0.5 s of CPU cold and 0.2-0.4 s warm",
  "  per 10,000 runs (40-50 and 20-40 µs per run): validating each node, parsing a fourth JSON text per run (the",
  "  history keys, 354 bytes per run in this data), the flattened config, the `Run` values, the prefetching stream.",
  "  With the client CPU-bound and the server on the same 2 shared cores, that work shows in the 0 ms rows only; at",
  "  20 ms it overlaps the round trips. Changed: `GraphQLClient` returns `data` its operation's schema would decode",
  "  unchanged as it was parsed, without the `Schema` interpreter's copy of every object (runs pages: 22 MB less",
  "  allocation per 400 pages of 50 runs). Tried the same evening, nothing measurable (alternating single listings,",
  "  ±15 %): building `Run` values without the `Schema.Class` constructor's copies (`Object.assign` onto the",
  "  prototype: the allocation moved into the instance's growing property store, 57 MB per 20,000 runs, instead of",
  "  going away), the listing without its `bufferChunks` stage, and clearing the links of Effect's `MutableList`",
  "  nodes when they leave a queue (a dead node promoted to the old generation keeps its successors alive through",
  "  young collections; the bare `GraphQLClient.execute` loop promoted the same 21 MB per 400 pages either way).",
  "- 2026-12-06, later that night: the listing promoted about 60 MB per 400 pages of 50 runs (two listings,",
  "  `--trace-gc-nvp`) against 21-25 MB for the loop on `GraphQLClient`, most of it parsed answers (48 MB of them",
  "  in a sampling heap profile of the objects that outlived young collections, 18 MB for the loop). Not V8's page",
  "  promotion (`--no-page-promotion`: the same), the listing's set of returned ids or its per-page span (each",
  "  taken out: the same). Found by rebuilding the pipeline one stage at a time on the same pages:",
  "  `Stream.paginateChunkEffect` alone 21-23 MB; with `Stream.bufferChunks` (the pages fetched ahead) 51 MB; with",
  "  `Stream.mapChunksEffect` (their conversion), even converting nothing, 48 MB; converting in a pull loop",
  "  (`Stream.repeatEffectChunkOption`) 24 MB; pages fetched ahead by a producer fiber into a queue instead of",
  "  `bufferChunks`, still 58-60 MB. Changed: listings send the next page's request while the current page is",
  "  converted and read its answer only when the consumer reaches it (`internal/pagination.ts`; the answer waits in",
  "  the connection, as in history scans): 21-22 MB promoted and 166-172 ms of young-collection pauses per two",
  "  listings, against 58-60 MB and 240-315 ms; client CPU in six alternating pairs of children (0 ms, 50 per page)",
  "  1.34-1.51 s cold (median 1.39 s) against 1.39-1.75 s (1.47 s), warm 0.77-1.01 s against 0.82-0.99 s. A cursor",
  "  is only known once the page before it is read, so one request ahead is all a listing can use; `prefetchPages`",
  "  is gone.",
  "- 2026-12-07 (a 0 ms server started by hand on a copy of this benchmark's database; the clients' `http.request`",
  "  calls and answers timestamped, alternating): per page, 4-5 ms from the request written to the answer's head for",
  "  every client; `WandbApi.runs`'s conversion of a page ends 1-3.5 ms after the next request left, before that",
  "  answer's head arrives, so it is off the chain. Whole listings, four pairs of children of four listings each:",
  "  0.96-1.58 s against the naive loop's 0.96-1.74 s. A run of 5 rounds at 0 ms and 50 per page on the quiet",
  "  machine: cold 0.90 ×, warm 1.06 ×; the loop on `GraphQLClient` ran as slowly cold as `WandbApi.runs` (5355-5775",
  "  against 5060-6084 runs/s; the naive loop 5412-6609). Changed: 5 rounds instead of 3, since single listings at",
  "  0 ms move by ±15-30 % from one child to the next.",
  "- 2026-12-07, CPU at 20 ms (CPU profiles of two listings per child): 2.24 s of samples for `WandbApi.runs` against",
  "  1.93 s for the loop on `GraphQLClient`; of the difference, converting nodes (`internal/decode.ts`) about 0.1 s,",
  "  the `Schema.Class` constructors of the `Run` values about 0.06 s, the rest the stream and its fibers. V8 ran 8",
  "  full collections in the listing's child against 1 in the naive loop's (`--trace-gc`): the `Run` values and the",
  "  page's parsed answer outlive young collections while the next answer is awaited.",
  "",
  "Before 2026-12-06 (same method, `NodeWandb` on `@effect/platform-node`'s `node:http` client): garbage",
  "collection 1.0 s in effect-wandb's child against 0.43 s in the baseline's, and the socket `writev` 0.75 s against",
  "0.54 s (on loopback the kernel delivers each request to the server in the sender's time).",
  "",
  "The bullets below come from diagnostic runs made on 2026-11-27, when `NodeWandb` still ran on undici.",
  "",
  "- Client CPU per warm listing (50 per page, server in another process): `fetch` + `JSON.parse` alone 0.5–0.6 s; the",
  "  baseline 0.55–0.65 s; a loop of `GraphQLClient.execute` without any run decoding 0.7–0.9 s; `WandbApi.runs`",
  "  1.1–1.3 s. Decoding 10,000 run nodes in isolation: 0.37–0.46 s before, 0.20–0.24 s after the schema fast path",
  "  (nodes the wire schema would return unchanged skip the `Schema` interpreter; anything else still gets its",
  "  `DecodeError`). Of those 0.2 s about half is `JSON.parse` of the config / summary / system text, which the",
  "  baseline pays as well, and about 0.05 s the `Run` class constructor.",
  "- What remains at 50 per page is per request: the Effect HTTP stack costs about 1–1.5 ms of CPU per request more",
  "  than `fetch` (profiles show undici's socket `writev` at about 0.7 ms per request), plus garbage collection. A",
  "  larger `perPage` divides it (second and fourth rows).",
  "- Latency: each request needs the previous page's last cursor, so pages cannot be requested in parallel; only",
  "  decoding overlaps the next request. At 20 ms both clients are bound by the 200 round trips; the extra",
  "  per-request CPU above sits on that chain, and on 2 shared cores decoding competes with the server, hence a ratio",
  "  a little under 1. The default page size stays 50 (W&B's own; the server's maximum is not documented);",
  "  `perPage` (up to 1000) is the user's lever: 500 per page is about 4× faster at 20 ms for both clients.",
  "- Server, per 50-run page: about 1 ms of SQLite (count 0.26 ms, ids 0.04–0.2 ms, rows 0.6 ms); the rest is",
  "  graphql-js execution and `JSON.stringify` of the response."
]

/** This benchmark's section of bench/RESULTS.md. */
const writeResults = (table: string) =>
  writeSection("Runs listing", [
    `Listing all ${RUNS} runs of one project (every field) from the local server; each client in its own process,`,
    `median of ${ROUNDS} alternating rounds.`,
    `Command: \`pnpm exec tsx bench/runs-listing.ts --write\` from the repository root (${new Date().toISOString().slice(0, 16)}Z).`,
    "",
    table,
    "",
    ...NOTES
  ])

await main<Client>(parent, child)
