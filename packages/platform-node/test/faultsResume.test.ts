/**
 * Download resumption over real HTTP: a body cut short is resumed with `Range`, also from a
 * server that ignores `Range` (answers 200 with the whole file) or one that answers a range
 * other than the one asked for; resumes are bounded by `retry.maxAttempts`. The server's hooks
 * play the misbehaving server; every request the client sends is recorded.
 */
import { describe, expect, it } from "@effect/vitest"
import { HttpServerResponse } from "@effect/platform"
import type { HttpServerRequest } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Effect, Stream } from "effect"
import { cutAndClose } from "./cuts.js"
import { oneFileServer } from "./oneFileServer.js"

const SIZE = 2_600_000

interface Misbehaviour {
  /** Cut the body of the n-th request (1-based) after its first 100 kB? */
  readonly cut: (request: number) => boolean
  /** Answer a ranged request with this instead of the server's 206, given the bytes and the range start. */
  readonly ranged?: (
    bytes: Uint8Array,
    start: number,
    request: HttpServerRequest.HttpServerRequest
  ) => HttpServerResponse.HttpServerResponse
}

/** A server holding one random file, misbehaving as told; the `Range` header of every request. */
const serverWith = (misbehaviour: Misbehaviour) =>
  Effect.map(
    oneFileServer({
      size: SIZE,
      retry: { maxAttempts: 4, baseDelay: "1 millis", maxDelay: "5 millis" },
      answer: (_n, bytes, request) => {
        const range = request.headers["range"]
        const start = range === undefined ? undefined : Number(/bytes=(\d+)-/.exec(range)?.[1])
        return start === undefined ? undefined : misbehaviour.ranged?.(bytes, start, request)
      },
      body: (n, body) =>
        misbehaviour.cut(n)
          ? Stream.map(Stream.take(body, 1), (chunk) => chunk.subarray(0, 100_000)).pipe(
            // let the bytes reach the client before the server cuts the connection
            Stream.concat(Stream.drain(Stream.fromEffect(Effect.sleep("100 millis"))))
          )
          : body
    }),
    (server) => ({ ...server, download: server.download(), leftovers: Effect.map(server.entries, (entries) => entries.length) })
  )

describe("download resumption", () => {
  it.scopedLive("every file request asks for the bytes as stored (a coded body's ranges would count other bytes)", () =>
    Effect.gen(function*() {
      const codings: Array<string | undefined> = []
      const server = yield* oneFileServer({
        size: SIZE,
        retry: { maxAttempts: 4, baseDelay: "1 millis", maxDelay: "5 millis" },
        answer: (_n, _bytes, request) => void codings.push(request.headers["accept-encoding"]),
        body: (n, body) => n === 1 ? Stream.map(Stream.take(body, 1), (chunk) => chunk.subarray(0, 100_000)) : body
      })
      const path = yield* server.download()
      expect(Buffer.compare(yield* server.read(path), server.bytes)).toBe(0)
      expect(server.ranges).toEqual([undefined, expect.stringMatching(/^bytes=[1-9]\d*-$/)])
      expect(codings).toEqual(["identity", "identity"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a body cut short is resumed with Range where it stopped", () =>
    Effect.gen(function*() {
      const { bytes, download, ranges, read } = yield* serverWith({ cut: (n) => n <= 2 })
      const path = yield* download
      expect(Buffer.compare(yield* read(path), bytes)).toBe(0)
      expect(ranges[0]).toBeUndefined()
      expect(ranges.length).toBe(3)
      expect(ranges.slice(1)).toEqual([expect.stringMatching(/^bytes=[1-9]\d*-$/), expect.stringMatching(/^bytes=[1-9]\d*-$/)])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a server that ignores Range (200, whole file): the bytes already kept are skipped", () =>
    Effect.gen(function*() {
      const { bytes, download, ranges, read } = yield* serverWith({
        cut: (n) => n === 1,
        ranged: (all) => HttpServerResponse.uint8Array(all, { status: 200, contentType: "application/octet-stream" })
      })
      const path = yield* download
      expect(Buffer.compare(yield* read(path), bytes)).toBe(0)
      expect(ranges.length).toBe(2)
      expect(ranges[1]).toMatch(/^bytes=\d+-$/)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a 206 for another range than asked is a TransportError, nothing left behind", () =>
    Effect.gen(function*() {
      const { download, leftovers } = yield* serverWith({
        cut: (n) => n === 1,
        ranged: (all, start) =>
          HttpServerResponse.uint8Array(all.subarray(start + 10), {
            status: 206,
            contentType: "application/octet-stream",
            headers: { "content-range": `bytes ${start + 10}-${all.length - 1}/${all.length}` }
          })
      })
      const error = yield* Effect.flip(download)
      expect(error).toMatchObject({ _tag: "TransportError" })
      expect(error.message).toContain("unexpected Content-Range")
      expect(yield* leftovers).toBe(0)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("resumes are bounded by retry.maxAttempts: then TransportError, nothing left behind", () =>
    Effect.gen(function*() {
      // every resume is answered from byte 0 (200) and cut before any byte not already held
      const { download, leftovers, ranges } = yield* serverWith({
        cut: () => true,
        ranged: (all, _start, request) =>
          HttpServerResponse.stream(cutAndClose(request, all, 100_000), {
            status: 200,
            contentType: "application/octet-stream",
            contentLength: all.length
          })
      })
      const error = yield* Effect.flip(download)
      expect(error).toMatchObject({ _tag: "TransportError", attempts: 5 })
      expect(error.message).toContain("no progress in 4 attempt(s)")
      expect(ranges.length).toBe(5)
      expect(yield* leftovers).toBe(0)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("resumes that make progress do not count: a body cut at every response completes", () =>
    Effect.gen(function*() {
      const { bytes, download, ranges, read } = yield* serverWith({ cut: () => true })
      const path = yield* download
      expect(Buffer.compare(yield* read(path), bytes)).toBe(0)
      expect(ranges.length).toBeGreaterThan(4)
    }).pipe(Effect.provide(NodeContext.layer)))
})
