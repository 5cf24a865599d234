/**
 * Downloads over real HTTP that make progress are not given up on: a resume that received bytes
 * does not count as a failed attempt (only a stall does, within `retry.maxAttempts` and
 * `retry.maxRetryTime`); a 416 after every byte arrived is settled by the md5; URLs other than
 * http(s) are refused at once; `.part` files left by a killed process are reused (or removed).
 */
import { describe, expect, it } from "@effect/vitest"
import { FileSystem, HttpServerResponse, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Download } from "@effect-wandb/core"
import { Chunk, Effect, Stream } from "effect"
import { randomBytes } from "node:crypto"
import { cutAfter, cutAndClose } from "./cuts.js"
import { oneFileServer, type OneFileServer } from "./oneFileServer.js"

interface Setup {
  readonly size: number
  /** Bytes the n-th file response (1-based) sends before the connection drops; undefined = all. */
  readonly cut?: (request: number) => number | undefined
  readonly answer?: OneFileServer["answer"]
  readonly retry: OneFileServer["retry"]
}

const serverWith = ({ cut, ...setup }: Setup) =>
  oneFileServer({
    ...setup,
    body: (n, body) => {
      const limit = cut?.(n)
      return limit === undefined ? body : cutAfter(body, limit)
    }
  })

describe("downloads that make progress", () => {
  it.scopedLive("a connection dropped every 256 KiB: every resume makes progress, so it completes (maxAttempts 3)", () =>
    Effect.gen(function*() {
      const { bytes, download, ranges, read } = yield* serverWith({
        size: 3_000_000,
        cut: () => 256 * 1024,
        retry: { maxAttempts: 3, baseDelay: "200 millis", maxDelay: "1 second", maxRetryTime: "1 second" }
      })
      const path = yield* download()
      expect(Buffer.compare(yield* read(path), bytes)).toBe(0)
      // 12 requests under maxAttempts 3: every resume that made progress started a fresh budget
      expect(ranges.length).toBe(Math.ceil(3_000_000 / (256 * 1024)))
    }).pipe(Effect.provide(NodeContext.layer)), 20_000)

  it.scopedLive("a stall (no byte at each resume) fails within maxRetryTime, not maxAttempts × backoff", () =>
    Effect.gen(function*() {
      const { download, entries, ranges } = yield* serverWith({
        size: 600_000,
        cut: () => 100_000,
        // the resumes answer 200 from byte 0 (Range ignored) and drop before any new byte
        answer: (n, all, request) =>
          n === 1 ? undefined : HttpServerResponse.stream(cutAndClose(request, all, 100_000), {
            status: 200,
            contentType: "application/octet-stream",
            contentLength: all.length
          }),
        retry: { maxAttempts: 100, baseDelay: "300 millis", maxDelay: "300 millis", maxRetryTime: "1 second" }
      })
      const error = yield* Effect.flip(download())
      expect(error).toMatchObject({ _tag: "TransportError" })
      // 300 ms apart, a 1 s budget: a handful of requests, far from maxAttempts 100
      expect(ranges.length).toBeLessThan(8)
      expect(ranges.length).toBeGreaterThanOrEqual(3)
      expect(yield* entries).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)), 40_000)

  it.scopedLive("Content-Length 100 bytes too long: the 416 after every byte is settled by the md5", () =>
    Effect.gen(function*() {
      const { bytes, download, entries, file, ranges, read } = yield* serverWith({
        size: 500_000,
        answer: (n, all, request) =>
          n === 1
            ? HttpServerResponse.stream(cutAndClose(request, all, all.length), {
              status: 200,
              contentType: "application/octet-stream",
              contentLength: all.length + 100
            })
            : undefined,
        retry: { maxAttempts: 3, baseDelay: "10 millis", maxRetryTime: "2 seconds" }
      })
      const path = yield* download()
      expect(Buffer.compare(yield* read(path), bytes)).toBe(0)
      expect(ranges).toEqual([undefined, `bytes=${bytes.length}-`])
      // the same answer with an md5 that does not match: a typed error, nothing left behind
      ranges.length = 0
      const error = yield* Effect.flip(download({ ...file, name: "other.bin", md5: "AAAAAAAAAAAAAAAAAAAAAA==" }))
      expect(error).toMatchObject({ _tag: "ChecksumMismatch" })
      expect((yield* entries).sort()).toEqual(["data.bin"])
    }).pipe(Effect.provide(NodeContext.layer)), 20_000)

  it.scopedLive("file://, ftp:// and data: URLs are a typed error at once", () =>
    Effect.gen(function*() {
      const { download, entries, file } = yield* serverWith({ size: 10, retry: { maxAttempts: 3 } })
      for (const url of ["file:///etc/passwd", "ftp://example.com/x", "data:text/plain,hello", "not a url"]) {
        const error = yield* Effect.flip(download({ ...file, url })).pipe(Effect.timeout("5 seconds"))
        expect(error, url).toMatchObject({ _tag: "DecodeError", field: "url" })
      }
      expect(yield* entries).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)), 30_000)
})

describe("leftover .part files", () => {
  const ago = (ms: number) => new Date(Date.now() - ms)

  it.scopedLive("a stale .part whose bytes are a prefix is resumed with Range; other stale ones are removed", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const { bytes, download, entries, ranges, read, root } = yield* serverWith({ size: 1_000_000, retry: { maxAttempts: 3 } })
      const stale = path.join(root, ".data.bin.killed1.part")
      const smaller = path.join(root, ".data.bin.killed2.part")
      yield* fs.writeFile(stale, bytes.subarray(0, 400_000))
      yield* fs.writeFile(smaller, bytes.subarray(0, 1000))
      for (const part of [stale, smaller]) yield* fs.utimes(part, ago(3_600_000), ago(3_600_000))
      const target = yield* download()
      expect(Buffer.compare(yield* read(target), bytes)).toBe(0)
      expect(ranges).toEqual(["bytes=400000-"])
      expect(yield* entries).toEqual(["data.bin"])
    }).pipe(Effect.provide(NodeContext.layer)), 20_000)

  it.scopedLive("a stale .part with other bytes: the md5 catches it, the file is fetched again whole", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const { bytes, download, entries, ranges, read, root } = yield* serverWith({ size: 300_000, retry: { maxAttempts: 3 } })
      const stale = path.join(root, ".data.bin.killed3.part")
      yield* fs.writeFile(stale, randomBytes(100_000))
      yield* fs.utimes(stale, ago(3_600_000), ago(3_600_000))
      const target = yield* download()
      expect(Buffer.compare(yield* read(target), bytes)).toBe(0)
      expect(ranges).toEqual(["bytes=100000-", undefined])
      expect(yield* entries).toEqual(["data.bin"])
    }).pipe(Effect.provide(NodeContext.layer)), 20_000)

  it.scopedLive("downloadAll reads a directory once for the stale .part files of all its files", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const { bytes, file, layer, ranges, read, root } = yield* serverWith({ size: 300_000, retry: { maxAttempts: 3 } })
      const stale = { "a.bin": bytes.subarray(0, 200_000), "b.bin": bytes.subarray(0, 1000), "c.bin": randomBytes(100_000) }
      for (const [name, content] of Object.entries(stale)) {
        const part = path.join(root, `.${name}.killed.part`)
        yield* fs.writeFile(part, content)
        yield* fs.utimes(part, ago(3_600_000), ago(3_600_000))
      }
      let directoryReads = 0
      const events = yield* Stream.runCollect(
        Download.downloadAll(Object.keys(stale).map((name) => ({ ...file, name })), { root, concurrency: 1 })
      ).pipe(
        Effect.provideServiceEffect(
          FileSystem.FileSystem,
          Effect.map(FileSystem.FileSystem, (real) => ({
            ...real,
            readDirectory: (directory: string, options?: FileSystem.ReadDirectoryOptions) => {
              directoryReads++
              return real.readDirectory(directory, options)
            }
          }))
        ),
        Effect.provide(layer)
      )
      expect(Chunk.filter(events, Download.DownloadEvent.$is("Finished")).length).toBe(3)
      expect(directoryReads).toBe(1)
      // a and b resumed after their prefixes; c's bytes failed the md5 and it was fetched again whole
      expect(ranges).toEqual(["bytes=200000-", "bytes=1000-", "bytes=100000-", undefined])
      for (const name of Object.keys(stale)) expect(Buffer.compare(yield* read(path.join(root, name)), bytes)).toBe(0)
      expect((yield* fs.readDirectory(root)).sort()).toEqual(Object.keys(stale))
    }).pipe(Effect.provide(NodeContext.layer)), 20_000)

  it.scopedLive("a .part touched recently (another download may be writing it) is left alone", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const { bytes, download, entries, ranges, read, root } = yield* serverWith({ size: 300_000, retry: { maxAttempts: 3 } })
      const live = path.join(root, ".data.bin.live1.part")
      yield* fs.writeFile(live, bytes.subarray(0, 1000))
      const target = yield* download()
      expect(Buffer.compare(yield* read(target), bytes)).toBe(0)
      expect(ranges).toEqual([undefined])
      expect((yield* entries).sort()).toEqual([".data.bin.live1.part", "data.bin"])
    }).pipe(Effect.provide(NodeContext.layer)), 20_000)
})

