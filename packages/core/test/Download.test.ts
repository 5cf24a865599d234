import { FileSystem, HttpClient, HttpClientResponse, Path } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Stream, TestClock } from "effect"
import { createHash } from "node:crypto"
import * as Download from "../src/Download.js"
import * as Hashing from "../src/Hashing.js"
import { WandbHttpClient } from "../src/WandbHttpClient.js"

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64")
const bytesOf = (text: string) => new TextEncoder().encode(text)

/**
 * A file system kept in a Map (files only; directories are implied), enough for `download`. Every
 * file was last modified at the epoch (the `TestClock`'s start).
 */
const memoryFileSystem = (files: Map<string, Uint8Array>) =>
  FileSystem.layerNoop({
    exists: (path) => Effect.sync(() => files.has(path)),
    readDirectory: (directory) =>
      Effect.sync(() => [...files.keys()].filter((path) => path.startsWith(`${directory}/`)).map((path) => path.slice(directory.length + 1))),
    stat: (path) =>
      Effect.sync(() => ({ ...statOfEpoch, size: FileSystem.Size(files.get(path)?.length ?? 0) }) as FileSystem.File.Info),
    stream: (path) => Stream.make(files.get(path)!),
    makeDirectory: () => Effect.void,
    // a file opened for writing ("w" truncates, "a" appends); `download` only calls writeAll
    open: (path, options) =>
      Effect.sync(() => {
        if (options?.flag !== "a") files.set(path, new Uint8Array(0))
        const writeAll = (chunk: Uint8Array) =>
          Effect.sync(() => {
            const old = files.get(path) ?? new Uint8Array(0)
            const next = new Uint8Array(old.length + chunk.length)
            next.set(old)
            next.set(chunk, old.length)
            files.set(path, next)
          })
        return { writeAll } as unknown as FileSystem.File
      }),
    rename: (from, to) => Effect.sync(() => (files.set(to, files.get(from)!), files.delete(from))),
    remove: (path) => Effect.sync(() => void files.delete(path))
  })

const statOfEpoch = { type: "File", mtime: Option.some(new Date(0)) }

/** Serves `routes[url]` as the body (split in 3-byte chunks), 404 for anything else. */
const memoryHttp = (routes: Record<string, { status?: number; body: Uint8Array }>, requests: Array<string>) =>
  Layer.succeed(
    WandbHttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => {
        requests.push(request.url)
        const route = routes[request.url]
        const chunks = route === undefined ? [] : Chunk.toReadonlyArray(Chunk.chunksOf(Chunk.fromIterable(route.body), 3))
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(Uint8Array.from(chunk))
            controller.close()
          }
        })
        return HttpClientResponse.fromWeb(request, new Response(body, { status: route?.status ?? (route ? 200 : 404) }))
      })
    )
  )

/** `Hashing` on node:crypto (what the platform layers supply), recording the bytes each hasher was fed. */
const recordingHashing = (fed: Array<Array<Uint8Array>>) =>
  Hashing.layer(() => {
    const hash = createHash("md5")
    const parts: Array<Uint8Array> = []
    fed.push(parts)
    return {
      update: (bytes) => {
        parts.push(Uint8Array.from(bytes))
        hash.update(bytes)
      },
      digest: () => new Uint8Array(hash.digest())
    }
  })

const setup = (routes: Record<string, { status?: number; body: Uint8Array }>) => {
  const files = new Map<string, Uint8Array>()
  const requests: Array<string> = []
  const hashed: Array<Array<Uint8Array>> = []
  const layer = Layer.mergeAll(memoryFileSystem(files), memoryHttp(routes, requests), Path.layer, recordingHashing(hashed))
  return { files, requests, hashed, layer }
}

const url = (name: string) => `http://wandb.test/files/acme/mnist/run1/${name}`

describe("Download", () => {
  it.effect("refuses unsafe names before any request or write", () =>
    Effect.gen(function*() {
      const { files, layer, requests } = setup({})
      const names = ["", "../x", "a/../../x", "/etc/passwd", "a\\b", "a\0b", "C:x", "a//b", "a/", "./a"]
      for (const name of names) {
        const error = yield* Effect.flip(Download.download({ name, url: url("x") }, { root: "out" }).pipe(Effect.provide(layer)))
        expect(error._tag, name).toBe("UnsafeFileName")
      }
      expect(requests).toEqual([])
      expect(files.size).toBe(0)
    }))

  it.effect("writes a verified file under root, nested names included, and leaves no temp file", () =>
    Effect.gen(function*() {
      const body = bytesOf("hello, weights and biases")
      const { files, layer } = setup({ [url("media/a.txt")]: { body } })
      const path = yield* Download.download(
        { name: "media/a.txt", url: url("media/a.txt"), md5: md5(body), sizeBytes: body.length },
        { root: "out" }
      ).pipe(Effect.provide(layer))
      expect(path).toBe("out/media/a.txt")
      expect([...files.keys()]).toEqual(["out/media/a.txt"])
      expect(files.get(path)).toEqual(body)
    }))

  it.effect("the digest comes from the Hashing service, fed exactly the bytes written", () =>
    Effect.gen(function*() {
      const body = bytesOf("0123456789abcdef".repeat(400))
      const { files, hashed, layer } = setup({ [url("big.bin")]: { body } })
      yield* Download.download({ name: "big.bin", url: url("big.bin"), md5: md5(body) }).pipe(Effect.provide(layer))
      expect(hashed.length).toBe(1)
      const fed = new Uint8Array(hashed[0]!.reduce((n, part) => n + part.length, 0))
      hashed[0]!.reduce((at, part) => (fed.set(part, at), at + part.length), 0)
      expect(fed).toEqual(body)
      expect(files.get("big.bin")).toEqual(body)
      // a service whose digest is fixed decides the check: core has no MD5 of its own
      const fixed = Hashing.layer(() => ({ update: () => {}, digest: () => new Uint8Array(16).fill(7) }))
      const sevens = "BwcHBwcHBwcHBwcHBwcHBw=="
      const accepted = yield* Download.download({ name: "other.bin", url: url("big.bin"), md5: sevens }).pipe(
        Effect.provide(Layer.merge(layer, fixed))
      )
      expect(accepted).toBe("other.bin")
      const refused = yield* Effect.flip(Download.download({ name: "third.bin", url: url("big.bin"), md5: md5(body) })).pipe(
        Effect.provide(Layer.merge(layer, fixed))
      )
      expect(refused).toMatchObject({ _tag: "ChecksumMismatch", actual: sevens })
    }))

  it.effect("fails with ChecksumMismatch on a wrong md5 or size, removing the temp file and keeping the old one", () =>
    Effect.gen(function*() {
      const body = bytesOf("fresh bytes")
      const { files, layer } = setup({ [url("a.txt")]: { body } })
      files.set("a.txt", bytesOf("old"))
      const wrongMd5 = yield* Effect.flip(
        Download.download({ name: "a.txt", url: url("a.txt"), md5: md5(bytesOf("other")) }, { replace: true })
      ).pipe(Effect.provide(layer))
      expect(wrongMd5._tag).toBe("ChecksumMismatch")
      const wrongSize = yield* Effect.flip(
        Download.download({ name: "a.txt", url: url("a.txt"), md5: md5(body), sizeBytes: body.length + 1 }, { replace: true })
      ).pipe(Effect.provide(layer))
      expect(wrongSize).toMatchObject({ _tag: "ChecksumMismatch", expected: `${body.length + 1} bytes` })
      expect([...files.keys()]).toEqual(["a.txt"])
      expect(files.get("a.txt")).toEqual(bytesOf("old"))
    }))

  it.effect("a leftover .part is reused once the Clock finds it stale, and left alone before", () =>
    Effect.gen(function*() {
      const body = bytesOf("0123456789abcdef".repeat(40))
      const { files, hashed, layer } = setup({ [url("a.bin")]: { body } })
      const part = "out/.a.bin.killed.part"
      const download = Download.download({ name: "a.bin", url: url("a.bin"), md5: md5(body) }, { root: "out", replace: true })
        .pipe(Effect.provide(layer))
      files.set(part, body.subarray(0, 100))
      yield* TestClock.adjust("10 seconds")
      yield* download
      expect(files.get(part)).toEqual(body.subarray(0, 100))
      expect(hashed[0]![0]!.length).toBeGreaterThan(100)
      yield* TestClock.adjust("1 minute")
      yield* download
      expect([...files.keys()]).toEqual(["out/a.bin"])
      expect(files.get("out/a.bin")).toEqual(body)
      // the part's bytes were hashed first, as the prefix the download resumed after
      expect(hashed[1]![0]).toEqual(body.subarray(0, 100))
    }))

  it.effect("refuses an existing target without replace before fetching", () =>
    Effect.gen(function*() {
      const { files, layer, requests } = setup({ [url("a.txt")]: { body: bytesOf("new") } })
      files.set("a.txt", bytesOf("old"))
      const error = yield* Effect.flip(Download.download({ name: "a.txt", url: url("a.txt") })).pipe(Effect.provide(layer))
      expect(error).toMatchObject({ _tag: "FileAlreadyExists", path: "a.txt" })
      expect(requests).toEqual([])
      expect(files.get("a.txt")).toEqual(bytesOf("old"))
    }))

  it.effect("maps HTTP statuses to the core errors", () =>
    Effect.gen(function*() {
      const body = bytesOf("nope")
      const { layer } = setup({
        [url("401")]: { status: 401, body },
        [url("403")]: { status: 403, body },
        [url("429")]: { status: 429, body },
        [url("500")]: { status: 500, body }
      })
      const tagOf = (name: string) =>
        Download.download({ name, url: url(name) }).pipe(Effect.flip, Effect.map((e) => e._tag), Effect.provide(layer))
      expect(yield* tagOf("401")).toBe("Unauthorized")
      expect(yield* tagOf("403")).toBe("PermissionDenied")
      expect(yield* tagOf("429")).toBe("RateLimited")
      expect(yield* tagOf("500")).toBe("ServerError")
      const missing = yield* Effect.flip(Download.download({ name: "gone.txt", url: url("gone.txt") })).pipe(
        Effect.provide(layer)
      )
      expect(missing).toMatchObject({ _tag: "FileNotFound", runPath: "acme/mnist/run1", name: "gone.txt" })
    }))

  it.effect("downloadAll reports per-file and overall progress in order, failures as events", () =>
    Effect.gen(function*() {
      const a = bytesOf("a".repeat(10))
      const b = bytesOf("b".repeat(7))
      const { files, layer } = setup({ [url("a")]: { body: a }, [url("b")]: { body: b } })
      const events = yield* Download.downloadAll([
        { name: "a", url: url("a"), md5: md5(a), sizeBytes: a.length },
        { name: "bad", url: url("b"), md5: md5(a), sizeBytes: b.length },
        { name: "dir/b", url: url("b"), md5: md5(b), sizeBytes: b.length }
      ], { root: "r", concurrency: 2 }).pipe(Stream.runCollect, Effect.map(Chunk.toReadonlyArray), Effect.provide(layer))
      const last = events[events.length - 1]!
      expect(last).toMatchObject({
        _tag: "Completed",
        overall: { filesTotal: 3, filesFinished: 2, filesFailed: 1, bytesDone: 17, totalBytes: 17 }
      })
      expect(events.filter(Download.DownloadEvent.$is("Failed")).map((e) => [e.name, e.error._tag])).toEqual([
        ["bad", "ChecksumMismatch"]
      ])
      expect(events.filter(Download.DownloadEvent.$is("Finished")).map((e) => e.path).sort()).toEqual(["r/a", "r/dir/b"])
      const progressA = events.filter(Download.DownloadEvent.$is("Progress")).filter((e) => e.name === "a")
      expect(progressA.map((e) => e.bytesDone)).toEqual([3, 6, 9, 10])
      expect(progressA.every((e) => e.totalBytes === 10)).toBe(true)
      expect(events.find((e) => e._tag === "Finished" && e.name === "a")).toMatchObject({ bytes: 10 })
      expect([...files.keys()].sort()).toEqual(["r/a", "r/dir/b"])
    }))

  it.effect("a URL that is not http(s) is a DecodeError at once: no request, nothing written, also in downloadAll", () =>
    Effect.gen(function*() {
      const { files, layer, requests } = setup({})
      for (const bad of ["file:///etc/passwd", "ftp://host/x", "data:text/plain,hi", "javascript:alert(1)", "::"]) {
        const error = yield* Effect.flip(Download.download({ name: "x", url: bad }, { root: "r" }).pipe(Effect.provide(layer)))
        expect(error, bad).toMatchObject({ _tag: "DecodeError", field: "url" })
      }
      const events = yield* Download.downloadAll([{ name: "x", url: "file:///etc/passwd" }], { root: "r" }).pipe(
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        Effect.provide(layer)
      )
      expect(events.map((e) => e._tag)).toEqual(["Failed", "Completed"])
      expect(requests).toEqual([])
      expect(files.size).toBe(0)
    }))

  it.live("downloadAll ends (with the defect) instead of hanging when a download dies", () =>
    Effect.gen(function*() {
      const body = bytesOf("abc")
      const { layer } = setup({ [url("a")]: { body } })
      const dying = Layer.merge(layer, FileSystem.layerNoop({ makeDirectory: () => Effect.die("disk on fire"), exists: () => Effect.succeed(false) }))
      const exit = yield* Download.downloadAll([{ name: "a", url: url("a") }], { root: "r" }).pipe(
        Stream.runCollect,
        Effect.provide(dying),
        Effect.timeout("5 seconds"),
        Effect.exit
      )
      expect(String(exit)).toContain("disk on fire")
    }))
})
