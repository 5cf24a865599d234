/**
 * The local server's request limits (its `Limits` module) as the client sees them: a refusal
 * is a 400, which the client reports at once as a typed error after one request — no retries.
 */
import { describe, expect, it } from "@effect/vitest"
import { type GraphQLClient, History, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { FaultInjection, LocalServer } from "@effect-wandb/server"
import { Effect, Stream } from "effect"

/** A demo server that counts requests, and the client on it. */
const setup = Effect.gen(function*() {
  const counter = yield* FaultInjection.make("")
  const { demo, server } = yield* LocalServer.make({ faults: counter, seed: { projects: 1, runsPerProject: 1 } })
  const project = demo!.projects[0]!
  const layer = NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey }))
  /** The error of `effect`, and how many requests it sent. */
  const refuse = <E>(effect: Effect.Effect<unknown, E, WandbApi.WandbApi | GraphQLClient.GraphQLClient>) =>
    Effect.gen(function*() {
      const before = (yield* counter.counters).requests
      const error = yield* Effect.flip(effect).pipe(Effect.provide(layer))
      return { error: error as unknown, requests: (yield* counter.counters).requests - before }
    })
  return {
    refuse,
    path: `${demo!.entity}/${project.name}`,
    run: { entity: demo!.entity, project: project.name, id: project.runs[0]!.name }
  }
})

describe("server limits through the client", () => {
  it.scopedLive("a filter over the server's limits → FilterRejected after one request", () =>
    Effect.gen(function*() {
      const { path, refuse } = yield* setup
      const runs = (filters: unknown) =>
        Effect.flatMap(WandbApi.WandbApi, (api) => Stream.runDrain(api.runs(path, { filters: filters as never })))
      // 1000 alternatives: before the limits, SQLite's "Expression tree is too large" was a 500, retried
      const wide = yield* refuse(runs({ $or: Array.from({ length: 1000 }, (_, i) => ({ name: `r${i}` })) }))
      expect(wide.error).toMatchObject({ _tag: "FilterRejected" })
      expect((wide.error as { reason: string }).reason).toContain("maxFilterTerms")
      expect(wide.requests).toBe(1)
      let deep: unknown = { state: "finished" }
      for (let i = 0; i < 100; i++) deep = { $and: [deep] }
      const nested = yield* refuse(runs(deep))
      expect(nested.error).toMatchObject({ _tag: "FilterRejected" })
      expect((nested.error as { reason: string }).reason).toContain("maxFilterDepth")
      expect(nested.requests).toBe(1)
    }))

  it.scopedLive("samples over the server's cap → ServerError 400, attempts 1", () =>
    Effect.gen(function*() {
      const { refuse, run } = yield* setup
      const refused = yield* refuse(History.history(run, { samples: 200_000 }))
      expect(refused.error).toMatchObject({ _tag: "ServerError", status: 400, attempts: 1 })
      expect((refused.error as { reason: string }).reason).toContain("maxSamples")
      expect(refused.requests).toBe(1)
    }))
})
