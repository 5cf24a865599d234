/**
 * A local server holding one random file, whose file answers a test can replace or cut short,
 * with a client Layer, a temporary download root and the `Range` header of every file request.
 */
import { Download, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { DemoData, LocalServer } from "@effect-wandb/server"
import { FileSystem } from "@effect/platform"
import type { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Chunk, Context, Effect, Option, Stream } from "effect"
import { randomBytes } from "node:crypto"

/** The server's `SqlClient` (its Tag lives in @effect/sql; Tags are keyed by name). */
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.putFile>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

export interface OneFileServer {
  readonly size: number
  readonly retry: WandbConfig.Options["retry"]
  /** Answer the n-th file request (1-based) with this instead (given the file's bytes); undefined: the server answers. */
  readonly answer?: undefined | ((
    n: number,
    bytes: Uint8Array,
    request: HttpServerRequest.HttpServerRequest
  ) => HttpServerResponse.HttpServerResponse | undefined)
  /** The body of the n-th file answer the server itself gives (cut short, say); unchanged by default. */
  readonly body?: <E>(n: number, body: Stream.Stream<Uint8Array, E>) => Stream.Stream<Uint8Array, E>
}

export const oneFileServer = (setup: OneFileServer) =>
  Effect.gen(function*() {
    const bytes = randomBytes(setup.size)
    const ranges: Array<string | undefined> = []
    const { demo, server, sql } = yield* LocalServer.make({
      seed: { projects: 1, runsPerProject: 1, filesPerRun: 0, largeFileBytes: 0, stepsPerRun: 1 },
      faultInjection: (request) =>
        Effect.sync(() => {
          if (!request.url.startsWith("/files/")) return Option.none()
          ranges.push(request.headers["range"])
          return Option.fromNullable(setup.answer?.(ranges.length, bytes, request))
        }),
      transformFileBody: (_file, body) => setup.body?.(ranges.length, body) ?? body
    })
    const run = demo!.projects[0]!.runs[0]!
    yield* DemoData.putFile(run.id, "data.bin", bytes).pipe(Effect.provideService(Sql, sql as unknown as Sql))
    const layer = NodeWandb.layerFrom(
      WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey, retry: setup.retry })
    )
    const file = yield* Effect.flatMap(WandbApi.WandbApi, (api) =>
      Effect.map(
        Stream.runCollect(api.files(`${demo!.entity}/${demo!.projects[0]!.name}/${run.name}`)),
        Chunk.unsafeHead
      )).pipe(Effect.provide(layer))
    ranges.length = 0
    const fs = yield* FileSystem.FileSystem
    const root = yield* fs.makeTempDirectoryScoped()
    const download = (target: Download.DownloadableFile = file) =>
      Download.download(target, { root }).pipe(Effect.provide(layer))
    const entries = fs.readDirectory(root)
    return { bytes, file, root, ranges, download, entries, layer, read: (path: string) => fs.readFile(path) }
  })
