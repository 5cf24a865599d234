/**
 * Shared setup of the integration tests: a local server on loopback with the demo dataset,
 * and the client layer pointed at it.
 */
import { NodeWandb } from "@effect-wandb/platform-node"
import { WandbConfig } from "@effect-wandb/core"
import { DemoData, LocalServer } from "@effect-wandb/server"
import { Context, Effect, Layer } from "effect"

/** The server's `SqlClient` (platform-node has no direct dependency on `@effect/sql`). */
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.seedDemo>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

export class Demo extends Context.Tag("test/Demo")<Demo, {
  readonly summary: DemoData.DemoSummary
  readonly server: LocalServer.LocalServer["Type"]
  readonly sql: Sql
}>() {}

/** A server with the demo data (and anything `options` adds), plus the client on it. */
export const layer = (
  options: { readonly server?: LocalServer.Options; readonly demo?: DemoData.DemoOptions; readonly client?: WandbConfig.Options } = {}
) => {
  const demo = Layer.scoped(
    Demo,
    Effect.gen(function*() {
      const { server, sql } = yield* LocalServer.make(options.server)
      const summary = yield* DemoData.seedDemo(options.demo ?? {}).pipe(Effect.provideService(Sql, sql))
      return { summary, server, sql }
    })
  )
  const client = Layer.unwrapEffect(
    Effect.map(Demo, ({ server }) =>
      NodeWandb.layerFrom(
        WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey, ...options.client })
      ))
  )
  return Layer.provideMerge(client, demo)
}
