/**
 * Runs the fault suite's scenarios (see `test/faultsSuite.ts`) and prints its figures: faults
 * injected, requests retried, runs/rows/files/bytes compared with the fault-free results, typed
 * errors reached, partial files found. Exits with status 1 when any scenario differs from the
 * baseline or leaves a partial file.
 *
 *   pnpm --filter @effect-wandb/platform-node run fault-suite
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { type Figures, runScenario, scenarios } from "../test/faultsSuite.js"

const pad = (text: string | number, width: number) => String(text).padStart(width)

const errorsOf = (figures: Figures) =>
  Object.entries(figures.typedErrors).map(([tag, n]) => `${tag}×${n}`).join(" ") || "-"

const main = Effect.gen(function*() {
  yield* Console.log(
    `${"scenario".padEnd(66)} ${pad("faults", 6)} ${pad("retried", 7)} ${pad("runs", 4)} ${pad("rows", 5)} ${
      pad("files", 5)
    } ${pad("bytes", 9)} ${pad("partial", 7)}  typed errors`
  )
  const all: Array<Figures> = []
  for (const scenario of scenarios) {
    const figures = yield* runScenario(scenario)
    all.push(figures)
    yield* Console.log(
      `${figures.scenario.padEnd(66)} ${pad(figures.faultsInjected, 6)} ${pad(figures.requestsRetried, 7)} ${
        pad(figures.runsCompared, 4)
      } ${pad(figures.rowsCompared, 5)} ${pad(figures.filesCompared, 5)} ${pad(figures.bytesCompared, 9)} ${
        pad(figures.partialFiles, 7)
      }  ${errorsOf(figures)}`
    )
    for (const problem of figures.problems) yield* Console.error(`  PROBLEM: ${problem}`)
  }
  const sum = (f: (figures: Figures) => number) => all.reduce((n, figures) => n + f(figures), 0)
  const problems = sum((f) => f.problems.length)
  yield* Console.log(
    [
      "",
      `scenarios:            ${all.length} (${all.length - all.filter((f) => f.problems.length > 0).length} passed)`,
      `faults injected:      ${sum((f) => f.faultsInjected)}`,
      `requests retried:     ${sum((f) => f.requestsRetried)}`,
      `runs compared:        ${sum((f) => f.runsCompared)}`,
      `rows compared:        ${sum((f) => f.rowsCompared)}`,
      `files compared:       ${sum((f) => f.filesCompared)}`,
      `bytes compared:       ${sum((f) => f.bytesCompared)}`,
      `typed errors reached: ${sum((f) => Object.values(f.typedErrors).reduce((n, c) => n + c, 0))}`,
      `partial files found:  ${sum((f) => f.partialFiles)}`,
      `differences:          ${problems}`
    ].join("\n")
  )
  if (problems > 0 || sum((f) => f.partialFiles) > 0) return yield* Effect.fail("the fault suite found differences")
})

NodeRuntime.runMain(main.pipe(Effect.provide(NodeContext.layer)))
