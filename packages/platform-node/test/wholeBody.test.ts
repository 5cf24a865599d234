/**
 * `NodeWandb.layerPlatform`'s `HttpClient` reads whole bodies (`arrayBuffer`) in one pass: the
 * parts are joined once, not re-concatenated on every part as `@effect/platform-node` does.
 * Real HTTP over loopback from a bare `node:http` server that sends its body in parts.
 */
import { describe, expect, it } from "@effect/vitest"
import { NodeWandb } from "@effect-wandb/platform-node"
import { HttpClient } from "@effect/platform"
import { Effect } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, vi } from "vitest"

const PARTS = 16
const PART_BYTES = 64 * 1024

/** A server answering every request with `PARTS` parts of `PART_BYTES` (each part a different byte), cut short when `cut`. */
const server = (cut: boolean) =>
  Effect.acquireRelease(
    Effect.async<ReturnType<typeof createServer>>((resume) => {
      const http = createServer((_request, response) => {
        response.writeHead(200, { "content-length": String(PARTS * PART_BYTES) })
        let sent = 0
        const next = () => {
          if (cut && sent === PARTS / 2) return response.socket?.destroy()
          if (sent === PARTS) return response.end()
          response.write(Buffer.alloc(PART_BYTES, sent++))
          setTimeout(next, 1)
        }
        next()
      })
      http.listen(0, "127.0.0.1", () => resume(Effect.succeed(http)))
    }),
    (http) =>
      Effect.async<void>((resume) => {
        http.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map((http) => `http://127.0.0.1:${(http.address() as AddressInfo).port}/`))

const readBody = (url: string) =>
  Effect.flatMap(HttpClient.get(url), (response) => response.arrayBuffer).pipe(Effect.provide(NodeWandb.layerPlatform))

afterEach(() => vi.restoreAllMocks())

describe("NodeWandb HttpClient whole bodies", () => {
  it.scopedLive("a body sent in many parts arrives byte-identical, its parts joined once", () =>
    Effect.gen(function*() {
      const url = yield* server(false)
      const concat = vi.spyOn(Buffer, "concat")
      const body = new Uint8Array(yield* readBody(url))
      expect(body.byteLength).toBe(PARTS * PART_BYTES)
      for (let part = 0; part < PARTS; part++) {
        expect(body[part * PART_BYTES]).toBe(part)
        expect(body[(part + 1) * PART_BYTES - 1]).toBe(part)
      }
      expect(concat.mock.calls.length).toBe(1)
    }))

  it.scopedLive("a body cut short fails with a ResponseError", () =>
    Effect.gen(function*() {
      const url = yield* server(true)
      const error = yield* Effect.flip(readBody(url))
      expect(error).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
    }))
})
