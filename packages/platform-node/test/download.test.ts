/**
 * `Download` over real HTTP against the local server (files stored in SQLite, streamed with
 * Content-Length), writing to the real disk. Faults come from the server's hooks: a body
 * transform (corrupt, cut, stall) and a request hook that counts file requests.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Download, WandbApi } from "@effect-wandb/core"
import { DemoData } from "@effect-wandb/server"
import { FileSystem, Path } from "@effect/platform"
import { Chunk, Context, Effect, Fiber, Option, Redacted, Schedule, Stream } from "effect"
import { randomBytes } from "node:crypto"
import { Demo, layer as demoLayer } from "./fixtures.js"

/** The server's `SqlClient` (its Tag lives in @effect/sql; Tags are keyed by name). */
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.putFile>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

type BodyTransform = (body: Stream.Stream<Uint8Array, any>) => Stream.Stream<Uint8Array, any>

/** Per file name: how the server mangles its body. Names are unique per test (tests run concurrently). */
const faults = new Map<string, BodyTransform>()
/** Per file name: how many GET requests reached the server. */
const requests = new Map<string, number>()

const TestLayer = demoLayer({
  demo: { projects: 1, runsPerProject: 1, stepsPerRun: 1, filesPerRun: 0, largeFileBytes: 0 },
  client: { retry: { maxAttempts: 1 } },
  server: {
    transformFileBody: (file, body) => faults.get(file.name)?.(body) ?? body,
    faultInjection: (request) =>
      Effect.sync(() => {
        const name = /^\/files\/[^/]+\/[^/]+\/[^/]+\/(.+)$/.exec(request.url)?.[1]
        if (name !== undefined) requests.set(decodeURIComponent(name), (requests.get(decodeURIComponent(name)) ?? 0) + 1)
        return Option.none()
      })
  }
})

/** Stores `bytes` as run file `name` and returns it as the API lists it. */
const addFile = (name: string, bytes: Uint8Array) =>
  Effect.gen(function*() {
    const { sql, summary } = yield* Demo
    const project = summary.projects[0]!
    const run = project.runs[0]!
    yield* DemoData.putFile(run.id, name, bytes).pipe(Effect.provideService(Sql, sql), Effect.orDie)
    const api = yield* WandbApi.WandbApi
    const files = yield* Stream.runCollect(api.files(`${summary.entity}/${project.name}/${run.name}`, { names: [name] }))
    return Chunk.unsafeHead(files)
  })

/** Everything under `root`, recursively, with sizes. */
const tree = (root: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const entries = yield* fs.readDirectory(root, { recursive: true })
    return entries.sort()
  })

const tempRoot = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "wandb-dl-" }))

describe("Download (Node, local server)", () => {
  layer(TestLayer, { excludeTestServices: true, timeout: 60_000 })("download", (it) => {
    it.scoped("streams a nested file to disk, verified, with no temp file left", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const bytes = randomBytes(2.5 * 1024 * 1024)
        const file = yield* addFile("nested/dir/ok.bin", bytes)
        const root = yield* tempRoot
        const target = yield* Download.download(file, { root })
        expect(target).toBe(path.join(root, "nested/dir/ok.bin"))
        expect(Buffer.from(yield* fs.readFile(target)).equals(bytes)).toBe(true)
        expect(yield* tree(root)).toEqual(["nested", "nested/dir", "nested/dir/ok.bin"])
      }))

    it.scoped("refuses an existing file without replace before fetching; replaces it with replace", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const bytes = randomBytes(100_000)
        const file = yield* addFile("exists.bin", bytes)
        const root = yield* tempRoot
        yield* fs.writeFileString(`${root}/exists.bin`, "old")
        const error = yield* Effect.flip(Download.download(file, { root }))
        expect(error).toMatchObject({ _tag: "FileAlreadyExists", path: `${root}/exists.bin` })
        expect(requests.get("exists.bin") ?? 0).toBe(0)
        expect(yield* fs.readFileString(`${root}/exists.bin`)).toBe("old")
        yield* Download.download(file, { root, replace: true })
        expect(requests.get("exists.bin")).toBe(1)
        expect(Buffer.from(yield* fs.readFile(`${root}/exists.bin`)).equals(bytes)).toBe(true)
        expect(yield* tree(root)).toEqual(["exists.bin"])
      }))

    it.scoped("fails with ChecksumMismatch on corrupted bytes, keeping the old file and no temp file", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const file = yield* addFile("corrupt.bin", randomBytes(1_500_000))
        faults.set("corrupt.bin", (body) =>
          Stream.map(body, (chunk) => {
            const copy = Uint8Array.from(chunk)
            copy[copy.length >> 1] ^= 0xff
            return copy
          }))
        const root = yield* tempRoot
        yield* fs.writeFileString(`${root}/corrupt.bin`, "old")
        const error = yield* Effect.flip(Download.download(file, { root, replace: true }))
        expect(error).toMatchObject({ _tag: "ChecksumMismatch", name: "corrupt.bin", expected: file.md5 })
        expect(yield* fs.readFileString(`${root}/corrupt.bin`)).toBe("old")
        expect(yield* tree(root)).toEqual(["corrupt.bin"])
      }))

    it.scoped("fails with TransportError when the connection is cut mid-body, leaving nothing behind", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const file = yield* addFile("cut/file.bin", randomBytes(3 * 1024 * 1024))
        // the first 1 MiB chunk, then the end; then nothing (a resume without progress is a failed attempt)
        let responses = 0
        faults.set("cut/file.bin", (body) => Stream.take(body, responses++ === 0 ? 1 : 0))
        const root = yield* tempRoot
        const error = yield* Effect.flip(Download.download(file, { root }))
        expect(error._tag).toBe("TransportError")
        expect(yield* fs.exists(`${root}/cut/file.bin`)).toBe(false)
        expect(yield* tree(root)).toEqual(["cut"])
      }))

    it.scoped("removes the temp file when the fiber is interrupted mid-download", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const file = yield* addFile("stall.bin", randomBytes(3 * 1024 * 1024))
        faults.set("stall.bin", (body) => Stream.concat(Stream.take(body, 1), Stream.never)) // 1 MiB, then silence
        const root = yield* tempRoot
        yield* fs.writeFileString(`${root}/stall.bin`, "old")
        const fiber = yield* Effect.fork(Download.download(file, { root, replace: true }))
        // Wait until the temporary file holds the first chunk (polling, no timing assertion).
        yield* tree(root).pipe(
          Effect.flatMap((entries) => {
            const temp = entries.find((entry) => entry.endsWith(".part"))
            return temp === undefined ? Effect.succeed(0) : Effect.map(fs.stat(`${root}/${temp}`), (s) => Number(s.size))
          }),
          Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (size) => size >= 1024 * 1024 })
        )
        yield* Fiber.interrupt(fiber)
        expect(yield* tree(root)).toEqual(["stall.bin"])
        expect(yield* fs.readFileString(`${root}/stall.bin`)).toBe("old")
      }))

    it.scoped("refuses names that escape the root without requesting or writing anything", () =>
      Effect.gen(function*() {
        const path = yield* Path.Path
        const file = yield* addFile("safe.bin", randomBytes(1000))
        const root = yield* tempRoot
        const inner = path.join(root, "inner")
        for (const name of ["../escape.bin", "a/../../escape.bin", `${root}/abs.bin`, "a\\b.bin", "C:/x.bin", "a\0b"]) {
          const error = yield* Effect.flip(Download.download({ name, url: file.url, md5: file.md5 }, { root: inner }))
          expect(error._tag, name).toBe("UnsafeFileName")
        }
        expect(requests.get("safe.bin") ?? 0).toBe(0)
        expect(yield* tree(root)).toEqual([])
      }))

    it.scoped("maps a missing file to FileNotFound and never shows the API key", () =>
      Effect.gen(function*() {
        const { server, summary } = yield* Demo
        const file = yield* addFile("present.bin", randomBytes(10))
        const root = yield* tempRoot
        const error = yield* Effect.flip(
          Download.download({ name: "absent.bin", url: file.url.replace("present.bin", "absent.bin") }, { root })
        )
        const project = summary.projects[0]!
        expect(error).toMatchObject({
          _tag: "FileNotFound",
          name: "absent.bin",
          runPath: `${summary.entity}/${project.name}/${project.runs[0]!.name}`
        })
        expect(JSON.stringify(error) + error.message).not.toContain(Redacted.value(server.apiKey))
      }))

    it.scoped("downloadAll: bounded concurrency, failures as events, totals equal to the bytes on disk", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sizes = [1, 700, 65_536, 300_000, 1_048_576, 1_048_577, 2_000_000, 5, 123_457, 999_999, 42, 1_500_000]
        const files = yield* Effect.forEach(sizes, (size, i) => addFile(`all/f${i}.bin`, randomBytes(size)))
        const bad = yield* addFile("all/bad.bin", randomBytes(50_000))
        faults.set("all/bad.bin", (body) => Stream.map(body, (chunk) => chunk.map((b) => b ^ 1)))
        const root = yield* tempRoot
        const events = Chunk.toReadonlyArray(
          yield* Stream.runCollect(Download.downloadAll([...files, bad], { root, concurrency: 3 }))
        )

        const inFlight = new Set<number>()
        let maxInFlight = 0
        for (const event of events) {
          if (event._tag === "Started") inFlight.add(event.index)
          if (event._tag === "Finished" || event._tag === "Failed") inFlight.delete(event.index)
          maxInFlight = Math.max(maxInFlight, inFlight.size)
        }
        expect(maxInFlight).toBeLessThanOrEqual(3)

        const last = events[events.length - 1]!
        expect(last._tag).toBe("Completed")
        const onDisk = yield* Effect.forEach(files, (file) => Effect.map(fs.stat(`${root}/${file.name}`), (s) => Number(s.size)))
        const total = onDisk.reduce((a, b) => a + b, 0)
        expect(onDisk).toEqual(sizes)
        expect(last.overall).toEqual({
          filesTotal: 13,
          filesFinished: 12,
          filesFailed: 1,
          bytesDone: total,
          totalBytes: total
        })
        const failed = events.filter(Download.DownloadEvent.$is("Failed"))
        expect(failed.map((e) => [e.name, e.error._tag])).toEqual([["all/bad.bin", "ChecksumMismatch"]])
        // Overall bytes only grow while files succeed; each Progress reports the file's running count.
        const progress = events.filter(Download.DownloadEvent.$is("Progress")).filter((e) => e.name === "all/f6.bin")
        expect(progress[progress.length - 1]!.bytesDone).toBe(2_000_000)
        expect(progress.every((e) => e.totalBytes === 2_000_000)).toBe(true)
        expect((yield* tree(`${root}/all`)).length).toBe(12)
      }))
  })
})
