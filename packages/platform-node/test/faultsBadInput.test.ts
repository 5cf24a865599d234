/**
 * The "Bad input" table of packages/core/README.md, row by row, against the local server: each
 * malformed input gets its typed error, and the client-side checks send no request at all
 * (the server's request counter stays put).
 */
import { describe, expect, it } from "@effect/vitest"
import { Download, type GraphQLClient, History, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { FaultInjection, LocalServer } from "@effect-wandb/server"
import { NodeContext } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { Effect, Layer, Stream } from "effect"

type Services = WandbApi.WandbApi | GraphQLClient.GraphQLClient | Download.DownloadContext

/** A demo server that counts requests, and the client on it. */
const setup = Effect.gen(function*() {
  const counter = yield* FaultInjection.make("")
  const { demo, server } = yield* LocalServer.make({ faults: counter, seed: { projects: 1, runsPerProject: 1 } })
  const project = `${demo!.entity}/${demo!.projects[0]!.name}`
  const run = `${project}/${demo!.projects[0]!.runs[0]!.name}`
  const layer = NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey }))
  /** The error of `effect`, and how many requests it sent. */
  const refuse = <E>(effect: Effect.Effect<unknown, E, Services>) =>
    Effect.gen(function*() {
      const before = (yield* counter.counters).requests
      const error = yield* Effect.flip(effect).pipe(Effect.provide(layer))
      return { error, requests: (yield* counter.counters).requests - before }
    })
  return { refuse, project, run }
})

const api = WandbApi.WandbApi
const drain = <A, E, R>(stream: Stream.Stream<A, E, R>) => Stream.runDrain(stream)

describe("bad input", () => {
  it.scopedLive("each malformed input gets its typed error; client-side checks send nothing", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { project, refuse, run } = yield* setup
      const root = yield* fs.makeTempDirectoryScoped()
      const before = (effect: Effect.Effect<unknown, unknown, Services>) =>
        Effect.map(refuse(effect), ({ error, requests }) => ({ ...(error as object), requests }))

      // path
      for (const path of ["a/b/c/d/e", "", "demo/mnist-cnn/runs/x/y"]) {
        expect(yield* before(Effect.flatMap(api, (a) => a.run(path)))).toMatchObject({ _tag: "InvalidPath", requests: 0 })
      }
      expect(yield* before(Effect.flatMap(api, (a) => drain(a.runs("a/b/c"))))).toMatchObject({
        _tag: "InvalidPath",
        requests: 0
      })
      // filter: not an object → InvalidArgument before sending; refused by the server → FilterRejected
      expect(yield* before(Effect.flatMap(api, (a) => drain(a.runs(project, { filters: [] as never }))))).toMatchObject({
        _tag: "InvalidArgument",
        argument: "filters",
        requests: 0
      })
      expect(yield* before(Effect.flatMap(api, (a) => drain(a.runs(project, { filters: { $bogus: 1 } as never })))))
        .toMatchObject({ _tag: "FilterRejected", filters: "{\"$bogus\":1}", requests: 1 })
      // order: malformed → InvalidArgument; unknown key → FilterRejected (the server's 400)
      expect(yield* before(Effect.flatMap(api, (a) => drain(a.runs(project, { order: "+created_at,-name" })))))
        .toMatchObject({ _tag: "InvalidArgument", argument: "order", requests: 0 })
      expect(yield* before(Effect.flatMap(api, (a) => drain(a.runs(project, { order: "-nonsense" }))))).toMatchObject({
        _tag: "FilterRejected",
        requests: 1
      })
      // page size
      for (const perPage of [0, -1, 1.5, 1001]) {
        expect(yield* before(Effect.flatMap(api, (a) => drain(a.runs(project, { perPage }))))).toMatchObject({
          _tag: "InvalidArgument",
          argument: "perPage",
          requests: 0
        })
      }
      // samples (and scan options)
      const target = { entity: run.split("/")[0]!, project: run.split("/")[1]!, id: run.split("/")[2]! }
      for (const samples of [0, -5, 2.5]) {
        expect(yield* before(History.history(target, { samples }))).toMatchObject({
          _tag: "InvalidArgument",
          argument: "samples",
          requests: 0
        })
      }
      expect(yield* before(drain(History.scanHistory(target, { pageSize: 0 })))).toMatchObject({
        _tag: "InvalidArgument",
        argument: "pageSize",
        requests: 0
      })
      // file name
      for (const name of ["../escape", "/etc/passwd", "a\\b", "a\0b", "C:x", "a//b", "./a", ""]) {
        const file = { name, url: `${run}/x` }
        expect(yield* before(Download.download(file, { root }))).toMatchObject({ _tag: "UnsafeFileName", requests: 0 })
      }
      expect(yield* fs.readDirectory(root)).toEqual([])
      // run id
      expect(yield* before(Effect.flatMap(api, (a) => a.createRun({ project: "x", runId: "bad id" })))).toMatchObject({
        _tag: "InvalidArgument",
        argument: "runId",
        requests: 0
      })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("base URL (and the other settings) → InvalidArgument when the layer is built", () =>
    Effect.gen(function*() {
      for (const baseUrl of ["not a url", "ftp://api.example", "https://api.example/?x=1", "https://user:pw@api.example"]) {
        const error = yield* Effect.flip(Layer.build(NodeWandb.layer({ baseUrl })).pipe(Effect.scoped))
        expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "baseUrl" })
      }
      const timeout = yield* Effect.flip(Layer.build(NodeWandb.layer({ timeout: "0 millis" })).pipe(Effect.scoped))
      expect(timeout).toMatchObject({ _tag: "InvalidArgument", argument: "timeout" })
    }))
})
