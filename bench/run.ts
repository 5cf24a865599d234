/**
 * Runs every benchmark, one after the other, each in its own process:
 *
 *   npm run bench               all of them, full size; rewrites bench/RESULTS.md
 *   npm run bench -- --quick    small sizes, one round each (about a minute); RESULTS.md untouched
 *
 * A benchmark fails only when it is broken: clients that disagree on row counts or checksums,
 * files with missing bytes or a failed md5, a child that crashes. No time, ratio or memory figure
 * can fail it (those are measurements, written down, not assertions). The full run writes the
 * date, Node version, CPU count and the load average around each benchmark at the top of
 * RESULTS.md; each benchmark writes its own section.
 */
import { spawnSync } from "node:child_process"
import { cpus, loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import { writePreamble } from "./src/results.js"

const quick = process.argv.includes("--quick")

/** The benchmark files, in the order they run; the last ones have no quick mode and run only in full runs. */
const withQuickMode: ReadonlyArray<string> = [
  "request-overhead.ts",
  "runs-listing.ts",
  "history-scan.ts",
  "cli-scan.ts",
  "downloads.ts",
  "artifacts.ts"
]
const benchmarks = quick ? withQuickMode : [...withQuickMode, "dashboard.ts", "export.ts", "file-listings.ts"]

interface Outcome {
  readonly file: string
  readonly ok: boolean
  readonly seconds: number
  readonly loadBefore: number
  readonly loadAfter: number
}

const tsx = fileURLToPath(import.meta.resolve("tsx/cli"))

const runOne = (file: string): Outcome => {
  const loadBefore = loadavg()[0]!
  const start = performance.now()
  console.error(`\n=== ${file}${quick ? " --quick" : ""} (load average ${loadBefore.toFixed(2)})`)
  const result = spawnSync(process.execPath, [tsx, fileURLToPath(new URL(file, import.meta.url)), quick ? "--quick" : "--write"], {
    stdio: "inherit"
  })
  return { file, ok: result.status === 0, seconds: (performance.now() - start) / 1000, loadBefore, loadAfter: loadavg()[0]! }
}

const outcomes = benchmarks.map(runOne)
const fmt = (n: number) => n.toFixed(2)
const lines = [
  "| benchmark | outcome | time | load average before / after |",
  "| --- | --- | --- | --- |",
  ...outcomes.map((o) =>
    `| \`${o.file}\` | ${o.ok ? "ok" : "BROKEN"} | ${o.seconds.toFixed(0)} s | ${fmt(o.loadBefore)} / ${fmt(o.loadAfter)} |`
  )
]
console.error(`\n${lines.join("\n")}`)

if (!quick) {
  writePreamble([
    `Last full run: \`npm run bench\`, ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${cpus().length} CPUs`,
    "(shared with other work: read the ratios, measured in one run with the clients alternating, rather than",
    "absolute times). `npm run bench -- --quick` runs every benchmark small, in about a minute, and fails only",
    "on a broken benchmark (row counts, checksums, md5), never on a time; CI (`.ci/run`) runs it.",
    "",
    ...lines
  ])
}

const broken = outcomes.filter((o) => !o.ok)
console.log(`${outcomes.length - broken.length} of ${outcomes.length} benchmarks ran correctly${quick ? " (quick)" : ""}`)
process.exit(broken.length === 0 ? 0 : 1)
