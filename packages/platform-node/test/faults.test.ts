/**
 * The fault suite: scans, listings and downloads against the local server with every fault
 * kind injected (see `faultsSuite.ts`) equal the fault-free results exactly, or end in the
 * documented typed error with nothing partial left behind. Plus authentication: a wrong key is
 * refused without retries, file URLs refuse requests without credentials.
 */
import { describe, expect, it } from "@effect/vitest"
import { Download, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { FaultInjection, LocalServer } from "@effect-wandb/server"
import { NodeContext } from "@effect/platform-node"
import { FileSystem, Path } from "@effect/platform"
import { Chunk, Effect, Redacted, Stream } from "effect"
import { DEMO, runScenario, scenarios } from "./faultsSuite.js"

describe("fault suite", () => {
  for (const scenario of scenarios) {
    it.live(scenario.name, () =>
      Effect.gen(function*() {
        const figures = yield* runScenario(scenario)
        expect(figures.problems).toEqual([])
        expect(figures.partialFiles).toBe(0)
        expect(figures.faultsInjected).toBeGreaterThan(0)
        const allowed = Object.values(scenario.allowed ?? {}).flat()
        if (allowed.length === 0) {
          // everything was retried through: every run, row and byte compared equal
          expect(figures.typedErrors).toEqual({})
          expect(figures.requestsRetried).toBeGreaterThanOrEqual(figures.faultsInjected)
          expect(figures.runsCompared).toBe(7)
          expect(figures.rowsCompared).toBeGreaterThan(300)
          expect(figures.filesCompared).toBe(10)
        } else {
          expect(Object.keys(figures.typedErrors).length).toBeGreaterThan(0)
          expect(Object.keys(figures.typedErrors).every((tag) => allowed.includes(tag))).toBe(true)
        }
      }).pipe(Effect.provide(NodeContext.layer)), 120_000)
  }
})

describe("authentication", () => {
  /** A server with the demo data and a fault injector without faults (it only counts requests). */
  const server = Effect.gen(function*() {
    const counter = yield* FaultInjection.make("")
    const { server } = yield* LocalServer.make({ faults: counter, seed: DEMO })
    return { server, counter }
  })
  const client = (baseUrl: string, apiKey: string | undefined) =>
    NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl, apiKey, retry: { maxAttempts: 5, baseDelay: "1 millis" } }))

  it.scopedLive("a wrong key gets Unauthorized after exactly one request, for GraphQL and for file downloads", () =>
    Effect.gen(function*() {
      const { counter, server: local } = yield* server
      const wrongKey = `local-${"ab".repeat(20)}`
      const api = (effect: Effect.Effect<unknown, unknown, WandbApi.WandbApi>) =>
        Effect.flip(Effect.provide(effect, client(local.baseUrl, wrongKey)))
      const viewer = yield* api(Effect.flatMap(WandbApi.WandbApi, (api) => api.viewer))
      expect(viewer).toMatchObject({ _tag: "Unauthorized" })
      expect((yield* counter.counters).requests).toBe(1)
      const runs = yield* api(Effect.flatMap(WandbApi.WandbApi, (api) => Stream.runCollect(api.runs("demo/"))))
      expect(runs).toMatchObject({ _tag: "Unauthorized" })
      expect((yield* counter.counters).requests).toBe(2)
      expect(`${String(viewer)} ${JSON.stringify(viewer)}`).not.toContain(wrongKey)
    }))

  it.scopedLive("file URLs refuse requests without credentials (401, Unauthorized, nothing written, no retry)", () =>
    Effect.gen(function*() {
      const { counter, server: local } = yield* server
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const [file] = yield* Effect.flatMap(WandbApi.WandbApi, (api) =>
        Effect.flatMap(Stream.runCollect(api.projects("demo")), (projects) =>
          Effect.flatMap(Stream.runCollect(api.runs(`demo/${Chunk.unsafeHead(projects).name}`, { perPage: 1 }).pipe(Stream.take(1))), (runs) =>
            Effect.map(Stream.runCollect(api.files(Chunk.unsafeHead(runs).path.join("/"))), Chunk.toReadonlyArray)))).pipe(
        Effect.provide(client(local.baseUrl, Redacted.value(local.apiKey)))
      )
      yield* counter.reset
      const bare = yield* Effect.promise(() => fetch(file!.url))
      expect(bare.status).toBe(401)
      const root = yield* fs.makeTempDirectoryScoped()
      for (const key of [undefined, `local-${"cd".repeat(20)}`]) {
        const error = yield* Effect.flip(Download.download(file!, { root })).pipe(Effect.provide(client(local.baseUrl, key)))
        expect(error).toMatchObject({ _tag: "Unauthorized" })
      }
      expect((yield* counter.counters).requests).toBe(3)
      expect(yield* fs.exists(path.join(root, file!.name))).toBe(false)
      expect((yield* fs.readDirectory(root, { recursive: true })).filter((entry) => entry.endsWith(".part"))).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)))
})
