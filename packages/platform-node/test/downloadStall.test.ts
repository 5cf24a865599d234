/**
 * A download body that stalls after part of a block: the stall watchdog (the per-request
 * timeout) gives up on the response, the bytes already received are written, and the resume
 * asks for exactly the rest. Real HTTP against the local server, real disk.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Download, WandbApi } from "@effect-wandb/core"
import { DemoData } from "@effect-wandb/server"
import { FileSystem } from "@effect/platform"
import { Chunk, Context, Effect, Option, Stream } from "effect"
import { randomBytes } from "node:crypto"
import { Demo, layer as demoLayer } from "./fixtures.js"

/** The server's `SqlClient` (its Tag lives in @effect/sql; Tags are keyed by name). */
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.putFile>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

/** Fewer bytes than one write block (256 KiB), so only the stall path can have written them. */
const SENT_BEFORE_STALL = 100_000

/** The `Range` header of every file request, in order. */
const ranges: Array<string | undefined> = []

const TestLayer = demoLayer({
  demo: { projects: 1, runsPerProject: 1, stepsPerRun: 1, filesPerRun: 0, largeFileBytes: 0 },
  client: { timeout: "500 millis", retry: { maxAttempts: 3, baseDelay: "1 millis", maxDelay: "5 millis" } },
  server: {
    faultInjection: (request) =>
      Effect.sync(() => {
        if (request.url.startsWith("/files/")) ranges.push(request.headers["range"])
        return Option.none()
      }),
    // the first answer sends part of the file, then nothing (the connection stays open)
    transformFileBody: (_file, body) =>
      ranges.length === 1
        ? Stream.concat(Stream.map(Stream.take(body, 1), (chunk) => chunk.subarray(0, SENT_BEFORE_STALL)), Stream.never)
        : body
  }
})

layer(TestLayer, { excludeTestServices: true })((it) => {
  describe("download stall", () => {
    it.scoped("a body stalling mid-block is resumed right after the bytes received, byte-identical", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { sql, summary } = yield* Demo
        const project = summary.projects[0]!
        const run = project.runs[0]!
        const bytes = randomBytes(600_000)
        yield* DemoData.putFile(run.id, "stall/mid-block.bin", bytes).pipe(Effect.provideService(Sql, sql), Effect.orDie)
        const api = yield* WandbApi.WandbApi
        const file = Chunk.unsafeHead(
          yield* Stream.runCollect(
            api.files(`${summary.entity}/${project.name}/${run.name}`, { names: ["stall/mid-block.bin"] })
          )
        )
        const root = yield* fs.makeTempDirectoryScoped({ prefix: "wandb-dl-stall-" })
        const path = yield* Download.download(file, { root })
        expect(Buffer.compare(yield* fs.readFile(path), bytes)).toBe(0)
        expect(ranges).toEqual([undefined, `bytes=${SENT_BEFORE_STALL}-`])
        expect((yield* fs.readDirectory(root, { recursive: true })).sort()).toEqual(["stall", "stall/mid-block.bin"])
      }))
  })
})
