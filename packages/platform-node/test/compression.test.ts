/**
 * `NodeWandb` against a server that gzips its GraphQL answers (`compression`): the client asks for
 * gzip and reads the same runs and history rows as from a server answering as is.
 */
import { describe, expect, it } from "@effect/vitest"
import { History, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { LocalServer } from "@effect-wandb/server"
import { Chunk, Effect, Option, Stream } from "effect"

/** Every run of the first demo project and the history of its longest run, read over NodeWandb. */
const read = (compression: boolean) =>
  Effect.gen(function*() {
    const acceptEncoding: Array<string | undefined> = []
    const { demo, server } = yield* LocalServer.make({
      seed: true,
      compression,
      faultInjection: (request) => Effect.as(Effect.sync(() => acceptEncoding.push(request.headers["accept-encoding"])), Option.none())
    })
    const project = demo!.projects[0]!
    const longest = [...project.runs].sort((a, b) => b.historyRows - a.historyRows)[0]!
    return yield* Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const runs = yield* Stream.runCollect(api.runs(`${demo!.entity}/${project.name}`, { perPage: 3 }))
      const rows = yield* Stream.runCollect(
        History.scanHistory({ entity: demo!.entity, project: project.name, id: longest.name }, { pageSize: 50 })
      )
      return {
        runs: Chunk.toArray(runs).map((run) => ({ id: run.id, config: run.config, summary: run.summary })),
        rows: Chunk.toArray(rows),
        acceptEncoding
      }
    }).pipe(Effect.provide(NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey }))))
  })

describe("compressed answers", () => {
  it.scopedLive("read the same runs and history rows as uncompressed ones", () =>
    Effect.gen(function*() {
      const zipped = yield* read(true)
      const plain = yield* read(false)
      expect(zipped.runs.length).toBeGreaterThan(3)
      expect(zipped.rows.length).toBeGreaterThan(50)
      expect(zipped.runs).toEqual(plain.runs)
      expect(zipped.rows).toEqual(plain.rows)
      expect(new Set(zipped.acceptEncoding)).toEqual(new Set(["gzip, br"]))
    }), 30_000)
})
