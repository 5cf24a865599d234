/**
 * The `scan` command end to end: `effect-wandb scan <run> --format ndjson` of a 100,000-row run
 * (10 metric keys) at 20 ms per request, process start included, as a user runs it (the CLI's
 * esbuild bundle on plain `node`, its output to a file), against the naive sequential client of
 * the history benchmark in a process of its own (start included too).
 *
 *   pnpm exec tsx bench/cli-scan.ts [--rows N] [--latency N] [--rounds N] [--quick] [--write]
 *
 * BENCH_NODE_ARGS: extra node flags for both clients' processes (e.g. "--cpu-prof --cpu-prof-dir=DIR").
 * Wall time is from spawning the process to its exit; peak RSS is the process's `VmHWM`, read
 * when it exits by a one-line preload (`--require`). The reference the issue set: the official
 * Python client on the same data, measured by hand, 4.7 s (wandb 0.30) and 2.9 s (wandb 0.25),
 * peak RSS 109 MB and 61 MB. `--quick` (CI): 10,000 rows, one round, checking only that the
 * command wrote every row.
 */
import { Effect, Redacted } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { numberFlag } from "./src/args.js"
import { childNodeArgs } from "./src/child.js"
import { historyDatabase, KEYS, PROJECT, RUN } from "./src/historyData.js"
import { writeSection } from "./src/results.js"
import { median } from "./src/stats.js"

const QUICK = process.argv.includes("--quick")
const ROWS = numberFlag("--rows", QUICK ? 10_000 : 100_000)
const LATENCY = numberFlag("--latency", 20)
const ROUNDS = numberFlag("--rounds", QUICK ? 1 : 3)
/** The Python clients' scan time and peak RSS on this data (measured by hand, see the issue). */
const PYTHON = { seconds: 2.9, label: "wandb 0.25 (pure Python)" }

const cliDir = fileURLToPath(new URL("../packages/cli/", import.meta.url))
const cliBundle = join(cliDir, "build/effect-wandb.mjs")

interface Measurement {
  readonly client: "cli" | "baseline"
  readonly seconds: number
  readonly peakRssMiB: number
  readonly clientCpu: number
  readonly serverCpu: number
  readonly lines: number
}

/** Reports the process's peak RSS (`VmHWM`) and CPU time (user + system, µs) on stderr as it exits. */
const PRELOAD = `process.on("exit", () => {
  const m = /^VmHWM:\\s+(\\d+) kB$/m.exec(require("fs").readFileSync("/proc/self/status", "utf8"))
  const cpu = process.cpuUsage()
  process.stderr.write("\\nBENCH_PEAK_RSS_KB=" + (m ? m[1] : "0") + " BENCH_CPU_US=" + (cpu.user + cpu.system) + "\\n")
})
`

const countLines = (file: string) =>
  Effect.promise(async () => {
    let lines = 0
    for await (const line of createInterface({ input: createReadStream(file) })) if (line !== "") lines++
    return lines
  })

/**
 * Runs `node --require preload ...argv` with stdout to `out`: wall time from spawn to exit, the
 * process's peak RSS and CPU time, and this process's CPU time meanwhile (the local server's).
 */
const timedProcess = (argv: ReadonlyArray<string>, env: Record<string, string>, preload: string, out: string) =>
  Effect.async<{ seconds: number; peakRssMiB: number; clientCpu: number; serverCpu: number; code: number | null }>((resume) => {
    const start = performance.now()
    const serverStart = process.cpuUsage()
    const proc = spawn(`exec "${process.execPath}" ${childNodeArgs.join(" ")} --require "${preload}" ${argv.map((a) => `"${a}"`).join(" ")} > "${out}"`, {
      shell: true,
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "pipe"]
    })
    let err = ""
    proc.stderr.on("data", (chunk) => (err += chunk))
    proc.on("close", (code) => {
      const seconds = (performance.now() - start) / 1000
      const server = process.cpuUsage(serverStart)
      const report = /BENCH_PEAK_RSS_KB=(\d+) BENCH_CPU_US=(\d+)/.exec(err)
      process.stderr.write(err.replace(/\n?BENCH_PEAK_RSS_KB=\d+ BENCH_CPU_US=\d+\n/, ""))
      resume(Effect.succeed({
        seconds,
        peakRssMiB: report === null ? 0 : Number(report[1]) / 1024,
        clientCpu: report === null ? 0 : Number(report[2]) / 1e6,
        serverCpu: (server.user + server.system) / 1e6,
        code
      }))
    })
  })

/** The naive client (sequential `HistoryPage` requests with fetch), printing ndjson like the CLI. */
const BASELINE = `
const [baseUrl, apiKey, entity, project, run] = process.argv.slice(2)
const authorization = "Basic " + Buffer.from("api:" + apiKey).toString("base64")
const post = async (query, variables) => {
  const response = await fetch(baseUrl + "/graphql", { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify({ query, variables }) })
  if (response.status !== 200) throw new Error("HTTP " + response.status)
  return JSON.parse(await response.text()).data.project.run
}
const { historyKeys } = await post("query K($project: String!, $entity: String!, $name: String!) { project(name: $project, entityName: $entity) { run(name: $name) { historyKeys } } }", { entity, project, name: run })
const end = historyKeys.lastStep + 1
const page = "query P($entity: String!, $project: String!, $run: String!, $minStep: Int64!, $maxStep: Int64!, $pageSize: Int!) { project(name: $project, entityName: $entity) { run(name: $run) { history(minStep: $minStep, maxStep: $maxStep, samples: $pageSize) } } }"
for (let minStep = 0; minStep < end; minStep += 1000) {
  const { history } = await post(page, { entity, project, run, minStep, maxStep: Math.min(minStep + 1000, end), pageSize: 1000 })
  let out = ""
  for (const text of history) out += JSON.stringify(JSON.parse(text)) + "\\n"
  process.stdout.write(out)
}
`

const parent = Effect.gen(function*() {
  const server_ = yield* Effect.promise(() => import("@effect-wandb/server"))
  const file = yield* historyDatabase(server_, ROWS)
  const built = spawnSync(process.execPath, [fileURLToPath(import.meta.resolve("tsx/cli")), "scripts/build.ts"], {
    cwd: cliDir,
    stdio: "inherit"
  })
  if (built.status !== 0) return yield* Effect.fail(new Error("building the CLI failed"))
  const dir = mkdtempSync(join(tmpdir(), "wandb-bench-cli-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  const preload = join(dir, "peak-rss.cjs")
  writeFileSync(preload, PRELOAD)
  const baselineScript = join(dir, "baseline.mjs")
  writeFileSync(baselineScript, BASELINE)
  const { server } = yield* server_.LocalServer.make({ database: file, latencyMs: LATENCY })
  const entity = server_.LocalServer.DEFAULT_ENTITY
  const apiKey = Redacted.value(server.apiKey)
  const out = join(dir, "out.ndjson")
  const all: Array<Measurement> = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const client of ["cli", "baseline"] as const) {
      const argv = client === "cli"
        ? [cliBundle, "scan", `${entity}/${PROJECT}/${RUN}`, "--format", "ndjson", "--base-url", server.baseUrl]
        : [baselineScript, server.baseUrl, apiKey, entity, PROJECT, RUN]
      const run = yield* timedProcess(argv, { WANDB_API_KEY: apiKey }, preload, out)
      const lines = yield* countLines(out)
      console.error(
        `round ${round} ${client}: ${lines} lines in ${run.seconds.toFixed(2)} s, peak RSS ${run.peakRssMiB.toFixed(1)} MiB, CPU ${
          run.clientCpu.toFixed(2)
        } s, server CPU ${run.serverCpu.toFixed(2)} s (exit ${run.code}, load ${loadavg()[0]!.toFixed(2)})`
      )
      if (run.code !== 0 || lines !== ROWS) {
        return yield* Effect.fail(new Error(`${client}: exit ${run.code}, ${lines} rows written, expected ${ROWS}`))
      }
      all.push({ client, seconds: run.seconds, peakRssMiB: run.peakRssMiB, clientCpu: run.clientCpu, serverCpu: run.serverCpu, lines })
    }
  }
  const of = (client: Measurement["client"]) => {
    const runs = all.filter((m) => m.client === client)
    const field = (name: "seconds" | "peakRssMiB" | "clientCpu" | "serverCpu") => median(runs.map((m) => m[name]))
    return { seconds: field("seconds"), peak: field("peakRssMiB"), clientCpu: field("clientCpu"), serverCpu: field("serverCpu") }
  }
  const cli = of("cli")
  const base = of("baseline")
  const row = (label: string, m: typeof cli) =>
    `| ${label} | ${ROWS} | ${m.seconds.toFixed(2)} s | ${m.clientCpu.toFixed(2)} s | ${m.serverCpu.toFixed(2)} s | ${m.peak.toFixed(1)} MiB | ${
      (base.seconds / m.seconds).toFixed(2)
    } × | ${(PYTHON.seconds / m.seconds).toFixed(2)} × |`
  const table = [
    "| client (process start included) | rows | time | client CPU | server CPU | peak RSS | vs the naive client | vs " + PYTHON.label + " (2.9 s) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    row("`effect-wandb scan --format ndjson` (CLI bundle, plain node)", cli),
    row("naive sequential client (fetch, `JSON.parse`, ndjson out)", base)
  ].join("\n")
  const speedup = PYTHON.seconds / cli.seconds
  const verdict = [
    `- ${ROWS} rows at ${LATENCY} ms: ${speedup.toFixed(2)} × faster than 2.9 s (target ≥ 5 ×: ${
      speedup >= 5
        ? "met"
        : `NOT met; bound: the local server alone spent ${cli.serverCpu.toFixed(2)} s of CPU serving the rows, the target is ${
          (PYTHON.seconds / 5).toFixed(2)
        } s with the process start`
    }).`,
    `- Peak RSS ${cli.peak.toFixed(1)} MiB = ${(cli.peak * 1.048576).toFixed(1)} MB (target ≤ 100 MB: ${
      cli.peak * 1.048576 <= 100 ? "met" : "NOT met; bound: see \"What bounds it\" below"
    }).`
  ].join("\n")
  console.log(`${table}\n\n${verdict}`)
  if (process.argv.includes("--write")) {
    writeSection("CLI scan", [
      `Command: \`pnpm exec tsx bench/cli-scan.ts --write\` (${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} CPUs,`,
      `load average ${loadavg()[0]!.toFixed(2)} at the end). One run of ${ROWS} rows × ${KEYS} keys, local server in the parent process`,
      `with ${LATENCY} ms added to every request; each client a fresh process whose wall time runs from spawn to exit and`,
      `whose output goes to a file; peak RSS is the process's \`VmHWM\`. Medians of ${ROUNDS} alternating rounds.`,
      "",
      table,
      "",
      verdict,
      "",
      "What bounds it (2026-12-06, diagnostic runs on the same machine, load average about 1):",
      "- Time: the local server alone spends 1.2–1.5 s of CPU serving the 100,000 rows (the server CPU column in this",
      "  and earlier runs: one event loop, graphql-js and SQLite, 12–15 ms per 1000-row page), the CLI 2.2–2.8 s (of",
      "  which about 0.35 s is starting node and loading the bundle: `effect-wandb --version` takes 0.45 s of wall",
      "  time). On 2 cores the two together cannot finish in less than about 1.7–2.2 s; the target, 0.58 s with the",
      "  process start, is below the server's own CPU time for these rows. Against a W&B service that serves pages",
      "  in parallel the bound would be the client's CPU, 2.2–2.8 s here; the naive client spends less CPU (1.7–2.1 s,",
      "  it builds no row objects beyond `JSON.parse`) but waits for its 100 round trips one after the other.",
      "- CPU of the CLI (profile of a 100,000-row scan at 0 ms, 2026-12-05): garbage collection 0.65 s, the ndjson",
      "  writer 0.47 s, decoding the bodies to text 0.24 s, parsing rows 0.22 s.",
      "- Peak RSS: node alone is 40 MiB; `effect-wandb --version` peaks at 69 MiB (72 MB). Until 2026-12-06 it was",
      "  86 MiB: the web command's HTTP server and proxy and the Parquet writer now load only when their command",
      "  runs, and the bundle left out undici, which `@effect/platform-node/NodeHttpClient` loads next to its",
      "  `node:http` client: the scan's peak went from 177 to 156 MiB in the same conditions. (Later that day",
      "  `NodeWandb` moved to effect-wandb's own `node:http` client, which needs no bundler trick to leave undici out.)",
      "- The rest of the peak is V8's young generation growing with the scan's short-lived garbage (parsed rows,",
      "  their ndjson text). Measured (single rounds): `NODE_OPTIONS=--max-semi-space-size=4` 130 MiB at about 8 %",
      "  more time, `=1` 122 MiB at about 20 % more, `--max-old-space-size=48` 116 MiB at 2.6 × the time (2026-12-05);",
      "  setting the flag from inside the process (`v8.setFlagsFromString`) has no effect, and a flag in the bin's",
      "  shebang is not portable, so the CLI leaves the choice to the user. 100 MB is not reached by any of them.",
      "- Tried without gain: writing each chunk of output before returning the sink's effect (so the effect does not",
      "  hold the text): same peak. Fewer requests in flight (`scan --concurrency`, 2026-12-07, two runs each): 8 and",
      "  4 peaked at 160-162 and 159-185 MiB, the default 16 at 153-158 MiB. In a scan this short V8 runs few full",
      "  collections, and `node:http`'s received chunks are freed only by those (see \"History scan\"): at the peak",
      "  41-44 MiB of array buffers (`process.memoryUsage()` every 5 ms), about every page received (100 pages of",
      "  about 330 KB), whatever the number in flight. Writing stdout with `fs.writeSync` instead of the file stream",
      "  (which turns each text into a `Buffer`) changed nothing (154-155 against 153-166 MiB).",
      "- Changed (2026-12-07, later): those array buffers were dead (a full collection forced at the peak with",
      "  `--expose-gc` left 26 of 30 MiB, 7 MiB once V8's sweeper ran 50 ms later): each page's chunks, kept until the",
      "  body's end, and the joined body, kept while the page was parsed, were promoted. Bodies of known length are now",
      "  read into one buffer of that length, each chunk copied as it arrives, and the answer's buffer is handed to an",
      "  unreferenced one once decoded (see \"History scan\"). Four alternating pairs of runs of the CLI bundle (20 ms",
      "  server started by hand): peak 127-145 MiB against 150-161 MiB, array buffers at most 13-16 MiB against 38-40",
      "  MiB, CPU 1.76-1.90 s against 1.85-1.97 s. What is left above `--version`'s 70 MiB is V8's heap: 14 MiB live",
      "  after a forced collection, the rest young-generation space and garbage awaiting a collection.",
      "- The peak's parts, 2026-12-07, later (V8's space sizes sampled every 5 ms in three scans of the CLI bundle at 20",
      "  ms): peak 124-129 MiB with the young generation at V8's default maximum, 32 MiB (two 16 MiB semi-spaces), the old",
      "  generation at 18 MiB and array buffers at 12-13 MiB, over node's own 40 MiB and the CLI's code. V8 grows the young",
      "  generation to that maximum in any program that allocates at this rate: the naive client's peak (92 MiB in the",
      "  table) holds the same 32 MiB, which is why the target (100 MB = 95.4 MiB) sits 3-4 MiB above a client with no",
      "  library at all. With `--max-semi-space-size=2` (a flag only the user can give node) the young generation stays at",
      "  4 MiB but the old one grows to 43-46 MiB with what no longer dies young: peak 118-124 MiB.",
      "- Compressed answers (2026-12-07, before the change above): `NodeWandb` asks for gzip, as W&B's official clients",
      "  do, and the local server compresses with `--gzip`. Three alternating pairs: 142-144 MiB against 158-161 MiB,",
      "  but 2.80-2.86 s against 2.18-2.24 s on loopback (the server compresses at level 1 on the same 2 cores, the",
      "  client decompresses): a 1000-row page is 116 KB on the wire instead of 328 KB. The benchmark's rows use an",
      "  uncompressing server, as the measurement of the official clients did."
    ])
  }
})

void Effect.runPromise(Effect.scoped(parent)).catch((error) => {
  console.error(error)
  process.exit(1)
})
