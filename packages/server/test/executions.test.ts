import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Executions from "../src/internal/executions.js"

describe("GraphQL executions", () => {
  it.effect("run one at a time, in order, the event loop's pending callbacks between them", () =>
    Effect.gen(function*() {
      const executions = Executions.make()
      const log: Array<string> = []
      const execution = (name: string) =>
        executions(Effect.promise(async () => {
          log.push(`${name} starts`)
          // a resolver's promise: executions interleaved at such points before
          await Promise.resolve()
          // stands for the I/O a turn of the event loop does (an answer flushed, a request read)
          setImmediate(() => log.push(`turn after ${name}`))
          log.push(`${name} ends`)
        }))
      yield* Effect.all([execution("a"), execution("b"), execution("c")], { concurrency: "unbounded" })
      expect(log).toEqual([
        "a starts",
        "a ends",
        "turn after a",
        "b starts",
        "b ends",
        "turn after b",
        "c starts",
        "c ends"
      ])
    }))
})
