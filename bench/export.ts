/**
 * Export benchmark: `effect-wandb export <project> --to DIR --format parquet` of a 200-run
 * project of the local server (demo data), with the CLI's peak RSS and rows per second.
 *
 *   pnpm exec tsx bench/export.ts [--runs N] [--steps N] [--write]   (from the repository root)
 *
 * The server runs in this process; the CLI (its esbuild bundle, built first) in a child `node`
 * whose peak RSS comes from `process.resourceUsage().maxRSS` at exit. Two sizes of the same
 * project (`--steps` and 4× as many) show whether memory grows with the data.
 * `--write` stores the table in bench/RESULTS.md (section "Export to Parquet").
 */
import { LocalServer } from "@effect-wandb/server"
import { Effect, Redacted } from "effect"
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { numberFlag } from "./src/args.js"
import { writeSection } from "./src/results.js"

const RUNS = numberFlag("--runs", 200)
const STEPS = numberFlag("--steps", 500)
const cli = fileURLToPath(new URL("../packages/cli/bin/effect-wandb.js", import.meta.url))

const runExport = (baseUrl: string, apiKey: string, dir: string, preload: string) =>
  Effect.promise(() =>
    new Promise<{ seconds: number; maxRssMiB: number; stderr: string }>((resolve, reject) => {
      const start = performance.now()
      const child = spawn(process.execPath, ["--require", preload, cli, "export", "demo/mnist-cnn", "--to", `${dir}/`, "--format", "parquet"], {
        env: { PATH: process.env.PATH, WANDB_BASE_URL: baseUrl, WANDB_API_KEY: apiKey },
        stdio: ["ignore", "ignore", "pipe"]
      })
      let stderr = ""
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
      child.on("exit", (code) => {
        const seconds = (performance.now() - start) / 1000
        const rss = /maxRSS (\d+)/.exec(stderr)
        if (code !== 0 || rss === null) return reject(new Error(`export failed (${code}): ${stderr}`))
        resolve({ seconds, maxRssMiB: Number(rss[1]) / 1024, stderr })
      })
    })
  )

const measure = (steps: number, work: string, preload: string) =>
  Effect.scoped(Effect.gen(function*() {
    const { server } = yield* LocalServer.make({
      database: join(work, `export-${steps}.db`),
      seed: { projects: 1, runsPerProject: RUNS, stepsPerRun: steps, filesPerRun: 0, largeFileBytes: 0 }
    })
    const dir = join(work, `out-${steps}`)
    const result = yield* runExport(server.baseUrl, Redacted.value(server.apiKey), dir, preload)
    const rows = Number(/\((\d+) rows\)/.exec(result.stderr)?.[1] ?? NaN)
    const files = readdirSync(dir).length
    return { steps, rows, files, ...result }
  }))

const main = Effect.gen(function*() {
  const work = mkdtempSync(join(tmpdir(), "bench-export-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(work, { recursive: true, force: true })))
  const preload = join(work, "rss.cjs")
  writeFileSync(preload, "process.on('exit', () => process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n'))\n")
  const results = []
  for (const steps of [STEPS, STEPS * 4]) {
    const result = yield* measure(steps, work, preload)
    console.error(JSON.stringify({ ...result, stderr: undefined }))
    results.push(result)
  }
  const lines = [
    `\`effect-wandb export demo/mnist-cnn --to DIR --format parquet\` of a ${RUNS}-run project of the local server (demo`,
    `data, every metric key). Command: \`pnpm exec tsx bench/export.ts${RUNS === 200 ? "" : ` --runs ${RUNS}`}${
      STEPS === 500 ? "" : ` --steps ${STEPS}`
    } --write\` (${new Date().toISOString().slice(0, 16)}Z).`,
    "",
    "| steps per finished run | runs (files) | rows | wall time | rows/s | CLI peak RSS |",
    "| --- | --- | --- | --- | --- | --- |",
    ...results.map((r) =>
      `| ${r.steps} | ${r.files} | ${r.rows} | ${r.seconds.toFixed(1)} s | ${Math.round(r.rows / r.seconds)} | ${
        r.maxRssMiB.toFixed(0)
      } MiB |`
    ),
    "",
    "The CLI (esbuild bundle, plain `node`) runs in its own process, the server with SQLite in the benchmark's; both on",
    "the 2-core machine. Rows stream from `History.scanHistory` (1000 per request, 2 runs at once) into one Parquet",
    "file per run (hyparquet-writer, row groups of 10,000): peak RSS should not follow the number of rows."
  ]
  console.log(lines.join("\n"))
  if (process.argv.includes("--write")) writeSection("Export to Parquet", lines)
})

Effect.runPromise(Effect.scoped(main)).catch((error) => {
  console.error(error)
  process.exit(1)
})
