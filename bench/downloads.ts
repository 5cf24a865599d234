/**
 * Download benchmark: one 512 MiB file and 200 files of 1 MiB from the local server.
 *
 *   pnpm --filter @effect-wandb/bench exec tsx downloads.ts [--quick] [--write]
 *
 * The server (SQLite file in a temp directory) runs in this process; every measured download
 * runs in its own child process, whose peak RSS during the download (the kernel's high-water
 * mark restarted after the listing, or a 10 ms sampler where that is not possible) is the
 * client's alone. The child is this file bundled by esbuild and run by plain `node` (as an
 * application would ship), not under tsx, whose loader and untree-shaken imports alone take
 * over 150 MB. Reports throughput, peak RSS, and ratios against baselines measured in the
 * same run: for the large file a raw `fetch` piped to disk (no hashing, no Effect), for the
 * many files the same `downloadAll` with concurrency 1 (sequential). `--write` stores the table
 * in bench/RESULTS.md (section "Downloads"). `--quick` (CI): 32 MiB and 20 × 1 MiB, checking only
 * that every client wrote every byte (the downloads verify their md5 themselves); no time can fail it.
 */
import { Download, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import type { DemoData } from "@effect-wandb/server"
import { Chunk, Context, Effect, Redacted, Stream } from "effect"
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { numberFlag } from "./src/args.js"
import { bundleChild, main, peakRssMiB, resetPeakRss, runChild } from "./src/child.js"
import { pattern } from "./src/pattern.js"
import { writeSection } from "./src/results.js"
import { medianOf } from "./src/stats.js"

const MiB = 1024 * 1024
const QUICK = process.argv.includes("--quick")
const LARGE = { name: "large/model.bin", size: (QUICK ? 32 : 512) * MiB }
const MANY = Array.from({ length: QUICK ? 20 : 200 }, (_, i) => ({ name: `many/f${String(i).padStart(3, "0")}.bin`, size: MiB }))
const CONCURRENCY = 8

type Scenario = "large" | "large-raw-fetch" | "many-concurrent" | "many-sequential"

interface Measurement {
  readonly scenario: Scenario
  readonly bytes: number
  readonly seconds: number
  /** User + system CPU time of the client during the download. */
  readonly cpuSeconds: number
  readonly idleRssMiB: number
  readonly peakRssMiB: number
  /** Bytes found in the download directory afterwards (must equal `bytes`). */
  readonly bytesOnDisk: number
  /** User + system CPU time of the server (the parent process) while the child ran. */
  readonly serverCpuSeconds: number
}

/** Total size of the files under `dir`. */
const bytesUnder = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0)

// ---------------------------------------------------------------- child: one measured download

const RUN_PATH = "BENCH_RUN_PATH"

const child = (scenario: Scenario) => {
  let peak = process.memoryUsage.rss()
  let sampler: ReturnType<typeof setInterval> | undefined
  const baseUrl = process.env.BENCH_BASE_URL!
  const apiKey = Redacted.make(process.env.BENCH_API_KEY!)
  const root = process.env.BENCH_ROOT!
  const runPath = process.env[RUN_PATH]!
  const program = Effect.gen(function*() {
    const api = yield* WandbApi.WandbApi
    const names = scenario.startsWith("large") ? [LARGE.name] : MANY.map((f) => f.name)
    const files = Chunk.toReadonlyArray(yield* Stream.runCollect(api.files(runPath, { names, perPage: 1000 })))
    const idle = process.memoryUsage.rss()
    peak = idle
    const highWaterMark = resetPeakRss()
    // Where the kernel's high-water mark cannot be restarted, a sampler every 10 ms (it can miss
    // short peaks, and costs about 0.2 s of CPU per 5 s download, in the CPU column).
    if (!highWaterMark) sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10)
    const cpu = process.cpuUsage()
    const start = performance.now()
    switch (scenario) {
      case "large":
        yield* Download.download(files[0]!, { root })
        break
      case "large-raw-fetch":
        yield* Effect.promise(async () => {
          const response = await fetch(files[0]!.url, {
            headers: { authorization: `Basic ${Buffer.from(`api:${Redacted.value(apiKey)}`).toString("base64")}` }
          })
          await pipeline(Readable.fromWeb(response.body as any), createWriteStream(join(root, "raw.bin")))
        })
        break
      case "many-concurrent":
      case "many-sequential":
        yield* Stream.runDrain(
          Download.downloadAll(files, { root, concurrency: scenario === "many-concurrent" ? CONCURRENCY : 1 })
        )
        break
    }
    const seconds = (performance.now() - start) / 1000
    const used = process.cpuUsage(cpu)
    const cpuSeconds = (used.user + used.system) / 1e6
    const bytes = scenario.startsWith("large") ? LARGE.size : MANY.length * MiB
    const peakRss = highWaterMark ? Math.max(peak / MiB, peakRssMiB()) : peak / MiB
    return {
      scenario,
      bytes,
      seconds,
      cpuSeconds,
      idleRssMiB: idle / MiB,
      peakRssMiB: peakRss,
      bytesOnDisk: bytesUnder(root),
      serverCpuSeconds: 0
    } satisfies Measurement
  })
  return program.pipe(
    Effect.provide(NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl, apiKey }))),
    Effect.runPromise
  ).then((result) => {
    clearInterval(sampler)
    process.stdout.write(JSON.stringify(result) + "\n")
  })
}

// ---------------------------------------------------------------- parent: server + children

const measure = (bundle: string, scenario: Scenario, env: Record<string, string>) =>
  Effect.suspend(() => {
    const root = mkdtempSync(join(tmpdir(), `wandb-bench-${scenario}-`))
    const server = process.cpuUsage()
    return runChild<Measurement>(scenario, [bundle, "--child", scenario, ...(QUICK ? ["--quick"] : [])], { env: { ...env, BENCH_ROOT: root } }).pipe(
      Effect.flatMap((m) => {
        const used = process.cpuUsage(server)
        return m.bytesOnDisk === m.bytes
          ? Effect.succeed({ ...m, serverCpuSeconds: (used.user + used.system) / 1e6 })
          : Effect.fail(new Error(`${scenario}: ${m.bytesOnDisk} bytes on disk, expected ${m.bytes}`))
      }),
      Effect.ensuring(Effect.sync(() => rmSync(root, { recursive: true, force: true })))
    )
  })

/** The server's `SqlClient` (its Tag lives in @effect/sql; Tags are keyed by name). */
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.putFile>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

const fmt = (n: number, digits = 1) => n.toFixed(digits)
const mbps = (m: Measurement) => m.bytes / MiB / m.seconds

/**
 * What the CPU the download used allows: client and server share the machine's CPUs, so the
 * download cannot take less than their CPU time together divided by the CPU count.
 */
const cpuBound = (m: Measurement, baseline: Measurement): string => {
  const cores = cpus().length
  const floor = (m.cpuSeconds + m.serverCpuSeconds) / cores
  return `bound: its client CPU (${fmt(m.cpuSeconds, 2)} s) and the server's (${fmt(m.serverCpuSeconds, 2)} s) on ${cores} CPUs take at least ${
    fmt(floor, 2)
  } s, at most ${fmt(baseline.seconds / floor, 2)} × its baseline`
}

const parent = Effect.gen(function*() {
  // Imported here so the measured children never load the server (SQLite, GraphQL).
  const { DemoData, LocalServer } = yield* Effect.promise(() => import("@effect-wandb/server"))
  const dir = mkdtempSync(join(tmpdir(), "wandb-bench-server-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  const { server, sql } = yield* LocalServer.make({ database: join(dir, "bench.sqlite") })
  const seeded = Date.now()
  const demo = yield* DemoData.seedDemo({ projects: 1, runsPerProject: 1, stepsPerRun: 1, filesPerRun: 0, largeFileBytes: 0 })
    .pipe(Effect.provideService(Sql, sql))
  const project = demo.projects[0]!
  const run = project.runs[0]!
  yield* DemoData.putFile(run.id, LARGE.name, { size: LARGE.size, chunk: pattern(1) }).pipe(Effect.provideService(Sql, sql))
  yield* Effect.forEach(MANY, (file, i) =>
    DemoData.putFile(run.id, file.name, { size: file.size, chunk: pattern(i + 2) }).pipe(Effect.provideService(Sql, sql)))
  console.error(`stored ${LARGE.size / MiB} MiB + ${MANY.length} × 1 MiB in ${fmt((Date.now() - seeded) / 1000)} s`)

  const env = {
    BENCH_BASE_URL: server.baseUrl,
    BENCH_API_KEY: Redacted.value(server.apiKey),
    [RUN_PATH]: `${demo.entity}/${project.name}/${run.name}`
  }
  const bundle = join(dir, "downloads-child.mjs")
  yield* bundleChild(import.meta.url, bundle)
  const scenarios: ReadonlyArray<Scenario> = ["large-raw-fetch", "large", "many-sequential", "many-concurrent"]
  const only = process.argv.indexOf("--only")
  const selected = only === -1 ? scenarios : scenarios.filter((s) => process.argv[only + 1]!.split(",").includes(s))
  const rounds = numberFlag("--rounds", QUICK ? 1 : 3)
  const all: Array<Measurement> = []
  // rounds alternate the scenarios, so that a change of machine load hits all of them alike
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of selected) {
      const m = yield* measure(bundle, scenario, env)
      console.error(
        `round ${round} ${scenario}: ${fmt(mbps(m))} MiB/s, CPU ${fmt(m.cpuSeconds, 2)} s (server ${fmt(m.serverCpuSeconds, 2)} s), RSS before ${fmt(m.idleRssMiB)} MiB, peak RSS ${fmt(m.peakRssMiB)} MiB, load ${fmt(loadavg()[0]!)}`
      )
      all.push(m)
    }
  }
  if (selected.length < scenarios.length) return
  const result = (scenario: Scenario) => medianOf(all.filter((m) => m.scenario === scenario))
  const large = result("large")
  const raw = result("large-raw-fetch")
  const seq = result("many-sequential")
  const conc = result("many-concurrent")
  const row = (label: string, m: Measurement, ratio: string) =>
    `| ${label} | ${fmt(m.bytes / MiB, 0)} MiB | ${fmt(m.seconds, 2)} s | ${fmt(mbps(m))} MiB/s | ${fmt(m.cpuSeconds, 2)} s | ${fmt(m.serverCpuSeconds, 2)} s | ${fmt(m.idleRssMiB)} MiB | ${fmt(m.peakRssMiB)} MiB | ${ratio} |`
  const largeRatio = mbps(large) / mbps(raw)
  const manyRatio = seq.seconds / conc.seconds
  const table = [
    "| scenario | bytes | time | throughput | client CPU | server CPU | RSS before | peak RSS | ratio |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    row(`1 × ${LARGE.size / MiB} MiB, \`Download.download\` (streamed, MD5-verified, temp + rename)`, large, `${fmt(largeRatio, 2)} × raw fetch`),
    row(`1 × ${LARGE.size / MiB} MiB, baseline: raw \`fetch\` piped to a file (no hashing)`, raw, "1.00"),
    row(`${MANY.length} × 1 MiB, \`downloadAll\` concurrency ${CONCURRENCY}`, conc, `${fmt(manyRatio, 2)} × sequential`),
    row(`${MANY.length} × 1 MiB, baseline: \`downloadAll\` concurrency 1 (sequential)`, seq, "1.00")
  ].join("\n")
  const verdict = [
    `- Large file: ${fmt(largeRatio, 2)} × raw fetch (target ≥ 0.9 ×: ${largeRatio >= 0.9 ? "met" : `NOT met; ${cpuBound(large, raw)}`}); peak RSS ${fmt(large.peakRssMiB)} MiB (target < 150 MB: ${large.peakRssMiB * MiB < 150e6 ? "met" : "NOT met"}).`,
    `- Many files: ${fmt(manyRatio, 2)} × sequential (target ≥ 2 ×: ${manyRatio >= 2 ? "met" : `NOT met; ${cpuBound(conc, seq)}`}).`
  ].join("\n")
  console.log(table + "\n\n" + verdict)

  if (process.argv.includes("--write")) {
    writeSection("Downloads", [
      `Command: \`pnpm --filter @effect-wandb/bench exec tsx downloads.ts --write\` (${new Date().toISOString().slice(0, 16)}Z,`,
      `Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} at the end; medians of ${rounds} alternating rounds). Local server`,
      "on 127.0.0.1 (SQLite file, 1 MiB chunks) in the parent process; each download runs in a child process (this",
      "file bundled by esbuild, plain node). \"Peak RSS\" is the child's during the download: the kernel's high-water",
      "mark (`VmHWM`), restarted after the listing (until 2026-11-28: a 10 ms sampler, which can miss short peaks).",
      "\"RSS before\" is the child's RSS after startup and the file listing; \"client CPU\" is the child's user +",
      "system time during the download; \"server CPU\" the parent's (the local server's) meanwhile.",
      "",
      table,
      "",
      verdict,
      "",
      "What the peak is made of (measured in the child, `--trace-gc`, and with variants of the client bundled the",
      "same way): node itself is about 39 MiB; loading the bundle about 31 MiB more (module code; a minified bundle",
      "would load about 12 MiB less, not done here); the listing about 5 MiB. During the download, every received",
      "chunk is a fresh ~64 KiB buffer (Node's HTTP parser copies each body fragment out of its socket buffer), freed",
      "only when V8 collects it: peak minus RSS before is 40–60 MiB even for a client that only drains the body.",
      "Measured changes, medians of 3 runs of `--only large,large-raw-fetch` (peak RSS of the download / raw fetch):",
      "",
      "- before: 156.4 / 146.4 MiB, client CPU 6.0 s. The undici `HttpClient` (the `undici` package, 1 MiB of",
      "  JavaScript, plus its WASM HTTP parser) made RSS before 96 MiB.",
      "- `NodeWandb` on `node:http`/`node:https` (keep-alive agents) instead of undici: RSS before 77 MiB; peak",
      "  137.2 / 134.9 MiB.",
      "- The download copies each chunk into one reused 256 KiB block and writes whole blocks (the chunks die young;",
      "  one write per block, not per chunk), and a body stall is detected by one watchdog per response instead of",
      "  `Stream.timeoutFail`, which raced a timer per chunk: that timer alone grew V8's heap from 33 to 50 MB during",
      "  the download and kept the chunks alive into old space. Peak 122.3 / 134.0 MiB, client CPU 3.5 s.",
      "",
      "- 2026-12-05: MD5 comes from the platform (`Hashing`: `node:crypto` on Node, `@noble/hashes` in browsers)",
      "  instead of core's own TypeScript MD5 (about 2 s of CPU per 512 MiB): the client CPU of the large download",
      "  fell from 3.40 s to within about 0.5 s of the raw fetch's (OpenSSL's MD5 runs at about 600–700 MB/s here).",
      "- `downloadAll`'s speed-up over the sequential loop is bounded by CPU, not by waiting: the server (parent",
      "  process: SQLite reads of 1 MiB chunks, one event loop) and the client share 2 cores with other work, and the",
      "  two CPU columns together approach the run's wall time × 2. Concurrency only overlaps waiting, and there is",
      "  little on loopback.",
      "- The large file, quiet machine (runs of 2026-12-06, load average about 1: 0.82 × in the full run of 03:13Z,",
      "  0.84 × in a run later that morning; the run of 2026-12-05 at load 3–5 gave 1.18 ×): the client is the bound, 4.6 s of",
      "  CPU in 4.9 s and 5.3 s in 5.6 s, one core saturated while the server uses the other. Its CPU profile against",
      "  the raw fetch's (2026-12-06, one round each): writing the file 0.85 s against 0.32 s, garbage collection",
      "  0.78 s against 0.14 s, MD5 0.56 s (the baseline does not hash), Node's HTTP parser 0.38 s. The collections",
      "  come from `node:http` handing every 64 KiB of body over as a fresh `Buffer` (undici's fetch, which the",
      "  baseline uses, recycles its buffers); `NodeWandb` left undici because it cost 20 MiB of RSS before the first",
      "  byte and put the peak at 156 MiB (above the 150 MB target, see above).",
      "- 2026-12-06, later: `NodeWandb` runs on effect-wandb's own `node:http` client",
      "  (`platform-node/src/internal/nodeHttpClient.ts`) instead of `@effect/platform-node`'s. Large file:",
      "  in the first run with it (about 05:38Z, load about 1) the client CPU was 2.4-2.6 s (the raw fetch: 1.5-1.6 s) and",
      "  the download ran at 1.03-1.04 × raw fetch in two of three rounds, peak RSS 122-123 MiB. The two runs after",
      "  it (the full run of 05:59Z at load 2.4, and the next at load 1.4-1.9) gave 0.88 × and 0.86 × on 4.0-4.8 s",
      "  of client CPU; a profile of the last (one round, 4.6 s): garbage collection 0.78 s, file writes 0.70 s, MD5",
      "  0.61 s, Node's HTTP parser 0.16 s: the per-chunk buffers again. Why the first run collected so much less was",
      "  not found; the target counts as not met.",
      "- Many files: 1.92 × (full run) and 1.69 × (above) the sequential loop on the quiet machine, 1.54 × loaded;",
      "  the client and server CPU of the concurrent run together (5.2 s in 2.9 s, 6.7 s in 3.7 s) fill most of",
      "  2 cores: concurrency has little waiting to overlap on loopback.",
      "- 2026-12-06, evening: the local server reads its SQLite file through a memory map (`PRAGMA mmap_size`):",
      "  a 1 MiB chunk costs it about 0.4-0.6 ms instead of 4-8 ms (measured on the table alone), and its CPU for the",
      "  512 MiB file fell from 3.6-4.4 s to 0.9-1.6 s in most runs (some runs still show 3-3.5 s; why was not found).",
      "  The raw fetch then runs at 200-390 MiB/s on 1.3-2.1 s of CPU, and the client is the bound of the large file:",
      "  MD5 alone is about 0.8 s of its core per 512 MiB, so 0.9 × of such a baseline is out of reach on one thread.",
      "  Two client changes measured against it (two alternating runs of 3 rounds each): a streamed body passed on",
      "  in the buffers Node's parser hands over instead of `readable.read()`, which joined whatever was buffered",
      "  into a new buffer (client CPU 4.0-4.9 s against 4.2-5.9 s), and each 256 KiB block hashed while the thread",
      "  pool writes it (3.4-3.8 s against 3.6-4.7 s). What is left is garbage collection: `--trace-gc` shows 17-61",
      "  mark-compacts per 512 MiB started by V8's global limit (external memory: every 64 KiB that arrives is two",
      "  fresh buffers, the socket's and the parser's copy), against 1 for the raw fetch, whose JavaScript",
      "  allocations trigger enough scavenges to free the buffers young.",
      "- Many files, per file (200 × 1 MiB sequential, a loop harness against a server started by hand, 2026-12-06):",
      "  `Download.download` 16-22 ms of wall and client CPU per file against 6-9 ms for a bare `node:http` loop that",
      "  hashes and writes synchronously (run just before; a later run of the bare loop, on a slower machine, 14-17 ms). Of ours: the server's time to the response headers 5-6 ms (the same for",
      "  the bare loop), the body 9 ms, and 0.5-1 ms for each file-system step (the existence check, the directory,",
      "  the search for stale parts, open, rename), each a round trip through libuv's thread pool and a fiber",
      "  resumption; 83 mark-compacts in 600 files (1 for the bare loop). The progress events of `downloadAll` cost",
      "  nothing measurable (a plain `Effect.forEach` of `download` ran the same). The server spends about 8 ms of",
      "  CPU per file request (SQLite 1.6 ms, garbage collection 1.8 ms, Effect's request pipeline about 2 ms, socket",
      "  writes 1 ms), so client and server together fill the 2 cores at concurrency 8. Changed: `downloadAll` lists",
      "  each directory once for stale `.part` files instead of once per file (n²/2 entries for n files).",
      "- The full run of 20:44Z, the first with the server's memory map and the changes above: the large file at",
      "  165 MiB/s (108 MiB/s in the run before) but 0.80 × a raw fetch that now runs at 207 MiB/s; many files at",
      "  72.9 MiB/s (63.5 before) but 1.40 × a sequential loop that gained more (52.2 MiB/s, 37.2 before): with the",
      "  server's per-file wait shorter, the loop has less to overlap.",
      "- The run of 21:15Z (after the server lost its per-request spans): the large file at 0.64 × on 3.90 s of",
      "  client CPU, where the full run of 20:44Z gave 0.80 × on 3.35 s: the client's CPU for the same bytes moves by",
      "  about ±20 % between runs (the mark-compacts above), and the raw fetch's throughput by more.",
      "- 2026-12-06, night: what moves the large file's CPU between runs is V8's choice of collector. Four runs of the",
      "  same child against a local server started by hand (`--trace-gc`): 2, 2 and 7 mark-compacts for 3.4-4.2 s of",
      "  CPU, 51 for 5.3 s. The mark-compacts are incremental markings started by V8's global memory limit ('finalize",
      "  incremental marking via task; GC in old space requested'), which counts the 64 KiB buffers Node's HTTP parser",
      "  allocates for every body fragment; consecutive runs of the same child fall into either mode, so nothing in the",
      "  code was found to choose it. A bare `node:http` loop doing the same work against a plain `node:http` server",
      "  answering from memory (each 256 KiB block copied, hashed with `node:crypto`, written at its offset; `for",
      "  await` over the response, or a `data` handler pausing the response during each write) had no mark-compact in",
      "  eight runs and spent 2.1-4.5 s of CPU: the hashing and the writes are most of any client's work here. Tried: no",
      "  progress `tap` per chunk (fewer JavaScript allocations, so fewer young collections to free the buffers early:",
      "  4.3-5.6 s against 3.7-4.3 s, alternating), hashing each block after its write instead of during it (4.6-5.2",
      "  s); neither kept. The child no longer samples its RSS every 10 ms where the kernel's high-water mark can be",
      "  restarted (Linux): the sampler cost about 0.2 s of CPU per download, in both clients' CPU columns.",
      "- 2026-12-07, many files, where the client's CPU goes (CPU profile of 200 × 1 MiB sequential, 3.9 s, against a",
      "  server started by hand): the main thread idle 1.7 s (waiting for the server and the thread pool's writes);",
      "  Effect's runtime about 0.65 s (3 ms per file: fibers, the body stream's steps per 64 KiB chunk), MD5 0.29 s,",
      "  garbage collection 0.22 s, Node's HTTP parser 0.13 s, the socket writes of the requests 0.08 s, and 0.03 s of",
      "  `DOMException`s (`@effect/platform`'s response wrapper aborts its controller once each streamed body ends). The",
      "  verdict line above gives the bound this CPU sets: with client and server sharing 2 CPUs, the concurrent run",
      "  cannot take less than half their CPU time together.",
      "- 2026-12-07, later, the large file against a minimal verifying client (3-4 alternating rounds each, scratch",
      "  scenarios of this file: the body of a raw `fetch` copied into 256 KiB blocks, each hashed with `node:crypto` and",
      "  written at its offset while the next fills, no Effect): it ran at 0.77-0.80 × the raw fetch in rounds where the",
      "  server spent 3.2-4.0 s of CPU on the file, and at 0.64-1.10 × (median 0.96 ×) where it spent 1.0-1.6 s;",
      "  `Download.download` at 0.45-0.82 × in the same rounds. So a client that verifies the MD5 can come near 0.9 × on",
      "  a quiet server, and ours does not: its main thread does about 0.7 s more (a CPU profile of one round each: 0.52",
      "  s more in Effect's runtime, 0.09 s more garbage collection). The same `Download.download` over the platform's",
      "  `FetchHttpClient` (undici, recycled buffers) instead of `NodeWandb`'s client was no faster (4.0-5.0 s of client",
      "  CPU against 3.5-4.4 s), nor was consuming the body a batch of chunks at a time with one wake-up per turn of the",
      "  event loop (3.4-5.5 s against 3.2-7.2 s: the same code's client CPU moves by 2 × from round to round with V8's",
      "  full collections, see above). Not kept.",
      "- On this shared 2-CPU machine times vary by ±50 % between runs (other jobs' load: see the load averages at",
      "  the top); the CPU and RSS columns are steadier, and the ratios compare clients measured in the same rounds."
    ])
  }
})

void main<Scenario>(parent, child)
