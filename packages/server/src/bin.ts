/**
 * Entry point of the `effect-wandb-server` command: starts the server, prints its base URL and
 * API key, and serves until interrupted (Ctrl-C).
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { parseArgs, usage } from "./internal/binArgs.js"
import * as LocalServer from "./LocalServer.js"

const main = Effect.gen(function*() {
  const options = yield* Effect.try({
    try: () => parseArgs(process.argv.slice(2)),
    catch: (e) => new Error(`${(e as Error).message}\n\n${usage}`)
  })
  if (options === "help") return yield* Console.log(usage)
  const { demo, server } = yield* LocalServer.make(options)
  if (demo !== undefined) {
    const runs = demo.projects.reduce((n, p) => n + p.runs.length, 0)
    yield* Console.log(`seeded entity ${demo.entity}: ${demo.projects.length} projects, ${runs} runs`)
  }
  // The whole point of this command is to tell the user the key of their local server.
  yield* Console.log(`W&B-compatible server listening\nWANDB_BASE_URL=${server.baseUrl}`)
  yield* Console.log(`WANDB_API_KEY=${Redacted.value(server.apiKey)}`)
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.tapErrorCause((cause) => Console.error(String(cause)))
)

NodeRuntime.runMain(main, { disableErrorReporting: true })
