/**
 * Streams closed early leave no connection behind. Listings and history scans send requests
 * ahead of their consumer; an answer that arrived but was never read held its socket until the
 * garbage collector found the response, so a few `Stream.take`s used up the sockets per host
 * and every later request waited for a collection that an idle program never runs.
 */
import { describe, expect, it } from "@effect/vitest"
import { History, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { DemoData, LocalServer } from "@effect-wandb/server"
import { Chunk, Context, Effect, Stream } from "effect"

type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.seedDemo>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

describe("streams closed early", () => {
  it.scopedLive("free their connections: listings and scans taken in part, then more requests, on 2 sockets", () =>
    Effect.gen(function*() {
      const { server, sql } = yield* LocalServer.make()
      const demo = yield* DemoData.seedDemo({}).pipe(Effect.provideService(Sql, sql))
      const project = demo.projects.find((candidate) => candidate.runs.filter((run) => run.historyRows > 20).length > 0)!
      const run = project.runs.find((candidate) => candidate.historyRows > 20)!
      const target = { entity: demo.entity, project: project.name, id: run.name }
      /** The first item, held long enough for the answer sent ahead to arrive before the stream closes. */
      const first = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
        Effect.map(Stream.runCollect(Stream.tap(Stream.take(stream, 1), () => Effect.sleep("100 millis"))), Chunk.toArray)
      const taken = yield* Effect.gen(function*() {
        const api = yield* WandbApi.WandbApi
        const firsts: Array<string> = []
        for (let i = 0; i < 4; i++) {
          const runs = yield* first(api.runs(`${demo.entity}/${project.name}`, { perPage: 1 }))
          firsts.push(...runs.map((listed) => listed.id))
          const rows = yield* first(History.scanHistory(target, { pageSize: 2 }))
          firsts.push(...rows.map((row) => String(row._step)))
        }
        // every socket free again: this request gets one
        firsts.push((yield* api.viewer).username ?? "")
        return firsts
      }).pipe(
        Effect.provide(
          NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey }), { maxSockets: 2 })
        ),
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("a request waited for a socket") })
      )
      expect(taken).toEqual([...Array.from({ length: 4 }, () => [project.runs[0]!.name, "0"]).flat(), "demo-user"])
    }), 30_000)
})
