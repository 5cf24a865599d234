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
  readonly lines: number
}

/** Reports the process's peak RSS (`VmHWM`) on stderr as it exits. */
const PRELOAD = `process.on("exit", () => {
  const m = /^VmHWM:\\s+(\\d+) kB$/m.exec(require("fs").readFileSync("/proc/self/status", "utf8"))
  process.stderr.write("\\nBENCH_PEAK_RSS_KB=" + (m ? m[1] : "0") + "\\n")
})
`

const countLines = (file: string) =>
  Effect.promise(async () => {
    let lines = 0
    for await (const line of createInterface({ input: createReadStream(file) })) if (line !== "") lines++
    return lines
  })

/** Runs `node --require preload ...argv` with stdout to `out`; wall time from spawn to exit, peak RSS. */
const timedProcess = (argv: ReadonlyArray<string>, env: Record<string, string>, preload: string, out: string) =>
  Effect.async<{ seconds: number; peakRssMiB: number; code: number | null }>((resume) => {
    const start = performance.now()
    const proc = spawn(`exec "${process.execPath}" ${childNodeArgs.join(" ")} --require "${preload}" ${argv.map((a) => `"${a}"`).join(" ")} > "${out}"`, {
      shell: true,
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "pipe"]
    })
    let err = ""
    proc.stderr.on("data", (chunk) => (err += chunk))
    proc.on("close", (code) => {
      const seconds = (performance.now() - start) / 1000
      const peak = /BENCH_PEAK_RSS_KB=(\d+)/.exec(err)
      process.stderr.write(err.replace(/\n?BENCH_PEAK_RSS_KB=\d+\n/, ""))
      resume(Effect.succeed({ seconds, peakRssMiB: peak === null ? 0 : Number(peak[1]) / 1024, code }))
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
        `round ${round} ${client}: ${lines} lines in ${run.seconds.toFixed(2)} s, peak RSS ${run.peakRssMiB.toFixed(1)} MiB (exit ${run.code}, load ${loadavg()[0]!.toFixed(2)})`
      )
      if (run.code !== 0 || lines !== ROWS) {
        return yield* Effect.fail(new Error(`${client}: exit ${run.code}, ${lines} rows written, expected ${ROWS}`))
      }
      all.push({ client, seconds: run.seconds, peakRssMiB: run.peakRssMiB, lines })
    }
  }
  const of = (client: Measurement["client"], field: "seconds" | "peakRssMiB") =>
    median(all.filter((m) => m.client === client).map((m) => m[field]))
  const cli = { seconds: of("cli", "seconds"), peak: of("cli", "peakRssMiB") }
  const base = { seconds: of("baseline", "seconds"), peak: of("baseline", "peakRssMiB") }
  const table = [
    "| client (process start included) | rows | time | peak RSS | vs the naive client | vs " + PYTHON.label + " (2.9 s) |",
    "| --- | --- | --- | --- | --- | --- |",
    `| \`effect-wandb scan --format ndjson\` (CLI bundle, plain node) | ${ROWS} | ${cli.seconds.toFixed(2)} s | ${cli.peak.toFixed(1)} MiB | ${
      (base.seconds / cli.seconds).toFixed(2)
    } × | ${(PYTHON.seconds / cli.seconds).toFixed(2)} × |`,
    `| naive sequential client (fetch, \`JSON.parse\`, ndjson out) | ${ROWS} | ${base.seconds.toFixed(2)} s | ${base.peak.toFixed(1)} MiB | 1.00 × | ${
      (PYTHON.seconds / base.seconds).toFixed(2)
    } × |`
  ].join("\n")
  const speedup = PYTHON.seconds / cli.seconds
  const verdict = [
    `- ${ROWS} rows at ${LATENCY} ms: ${speedup.toFixed(2)} × faster than 2.9 s (target ≥ 5 ×: ${speedup >= 5 ? "met" : "NOT met"}).`,
    `- Peak RSS ${cli.peak.toFixed(1)} MiB = ${(cli.peak * 1.048576).toFixed(1)} MB (target ≤ 100 MB: ${cli.peak * 1.048576 <= 100 ? "met" : "NOT met"}).`
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
      "What bounds it (2026-12-05, diagnostic runs on the same machine, single rounds, load average 5–7):",
      "- The CLI is the esbuild bundle (`packages/cli/build`): every command loads the entry (480 KB) and the shared",
      "  chunk (1.5 MB: Effect, `@effect/cli`, the platform, the client, and the web and server commands' HTTP server",
      "  code); only the local server itself is split off. `effect-wandb --version` alone peaks at 73 MiB (node",
      "  alone: 40 MiB) and `--help` takes 0.7 s of wall time here: about 33 MiB and a few hundred ms before the scan",
      "  starts. Loading only what a command needs (each subcommand's implementation behind a dynamic `import()`)",
      "  is not done: it restructures `Main.ts`/`Commands.ts`, which other work changes at the same time.",
      "- The rest of the peak is the V8 heap growing with the scan's garbage (parsed rows, their ndjson text), as in",
      "  the history benchmark. Tried: `--max-semi-space-size=2` 140.5 MiB (5.3 s), `--max-old-space-size=48`",
      "  115.6 MiB (7.2 s, 2.6 × slower), against 175.1 MiB (2.7 s) without flags: a smaller heap costs more time",
      "  in collections than it saves, and neither reaches 100 MB.",
      "- CPU (profile of a 100,000-row scan at 0 ms): garbage collection 0.65 s, the ndjson writer 0.47 s (now",
      "  `jsonText` writes plain rows without first copying them through `toJson`), decoding the bodies to text",
      "  0.24 s, parsing rows 0.22 s. At 20 ms the 100 pages need at least 100 / 16 × 20 ms = 125 ms of waiting;",
      "  the target (0.58 s including process start) is below what node needs to start and load the bundle plus",
      "  this CPU on a loaded 2-core machine."
    ])
  }
})

void Effect.runPromise(Effect.scoped(parent)).catch((error) => {
  console.error(error)
  process.exit(1)
})
