// `npm test`: every check of the project, as CI runs it, in as little wall time as two cores allow.
//
// 1. `pnpm check` (the type-check builds what the other steps read), with Debian's chromium
//    installed beside it when missing (network and disk, not CPU);
// 2. then vitest (its output as it comes) beside the other checks, one after another: lint and
//    the API docs (docgen type-checks every @example). Their output is printed when each ends.
// 3. vitest's totals as one closing line (scripts/test-summary.mjs). Exit code 1 if any step failed.
import { spawn } from "node:child_process"

/** Runs `command` through the shell; its output either passed through or kept and returned. */
const run = (command, { quiet }) =>
  new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(command, { shell: true, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" })
    let output = ""
    if (quiet) {
      child.stdout.on("data", (data) => (output += data))
      child.stderr.on("data", (data) => (output += data))
    }
    child.on("close", (code) => {
      resolve({ command, code: code ?? 1, output, seconds: (Date.now() - started) / 1000 })
    })
  })

const report = (step) => {
  if (step.output !== "") process.stdout.write(`\n$ ${step.command}\n${step.output}`)
  console.log(`${step.code === 0 ? "ok" : "FAILED"}: ${step.command} (${step.seconds.toFixed(0)} s)`)
  return step
}

/** The steps of `commands`, one after another, each reported as it ends; stops at the first failure. */
const inSequence = async (commands) => {
  const steps = []
  for (const command of commands) {
    const step = report(await run(command, { quiet: true }))
    steps.push(step)
    if (step.code !== 0) break
  }
  return steps
}

const first = await Promise.all([run("pnpm check", { quiet: false }), run("sh scripts/ensure-chromium.sh", { quiet: false })])
first.forEach(report)
if (first.some((step) => step.code !== 0)) process.exit(1)

const [vitest, others] = await Promise.all([
  run("pnpm vitest", { quiet: false }).then(report),
  inSequence(["pnpm lint", "pnpm docgen"])
])
const summary = await run("node scripts/test-summary.mjs", { quiet: false })
const failed = [vitest, ...others, summary].filter((step) => step.code !== 0)
for (const step of failed) console.log(`failed: ${step.command}`)
process.exit(failed.length === 0 ? 0 : 1)
