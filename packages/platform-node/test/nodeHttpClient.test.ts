/**
 * `NodeWandb.layerPlatform`'s `HttpClient` (`internal/nodeHttpClient.ts`, on `node:http`), over
 * loopback against a bare `node:http` server: whole bodies joined once, streamed bodies, request
 * bodies of every kind, keep-alive, headers, what interruption and broken connections do, responses
 * left unread giving up their connections, and content codings.
 */
import { describe, expect, it } from "@effect/vitest"
import { NodeWandb } from "@effect-wandb/platform-node"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Chunk, Deferred, Effect, Fiber, Option, Stream } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as Zlib from "node:zlib"
import { vi } from "vitest"

const PARTS = 16
const PART_BYTES = 64 * 1024

interface TestServer {
  readonly url: string
  /** Connections accepted so far. */
  readonly connections: () => number
  /** Connections closed so far. */
  readonly closed: () => number
}

/** A server answering with `handler`, counting its connections. */
const server = (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly http: ReturnType<typeof createServer>; readonly server: TestServer }>((resume) => {
      let connections = 0
      let closed = 0
      const http = createServer(handler)
      http.on("connection", (socket) => {
        connections++
        socket.on("close", () => closed++)
      })
      http.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          http,
          server: {
            url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
            connections: () => connections,
            closed: () => closed
          }
        })))
    }),
    ({ http }) =>
      Effect.async<void>((resume) => {
        http.closeAllConnections()
        http.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ server }) => server))

/**
 * Answers `PARTS` parts of `PART_BYTES` (each part a different byte), cut short after half when
 * `cut`; with a `content-length` unless `chunked`.
 */
const inParts = (cut: boolean, chunked = false) => (_request: IncomingMessage, response: ServerResponse) => {
  response.writeHead(200, chunked ? {} : { "content-length": String(PARTS * PART_BYTES) })
  let sent = 0
  const next = () => {
    if (cut && sent === PARTS / 2) return response.socket?.destroy()
    if (sent === PARTS) return response.end()
    response.write(Buffer.alloc(PART_BYTES, sent++))
    setTimeout(next, 1)
  }
  next()
}

/** Answers the head and a few bytes of a longer body, then cuts the connection. */
const cutEarly = (_request: IncomingMessage, response: ServerResponse) => {
  response.writeHead(200, { "content-length": "1024" })
  response.write(Buffer.alloc(100, 1))
  setTimeout(() => response.socket?.destroy(), 10)
}

/** Answers with the request's method, headers and body (as JSON), and a cookie. */
const echo = (request: IncomingMessage, response: ServerResponse) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    response.writeHead(201, { "content-type": "application/json", "set-cookie": "session=abc; Path=/", "x-twice": ["a", "b"] })
    response.end(JSON.stringify({ method: request.method, headers: request.headers, body: Buffer.concat(chunks).toString() }))
  })
}

const provided = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) => Effect.provide(effect, NodeWandb.layerPlatform)

const expectParts = (body: Uint8Array) => {
  expect(body.byteLength).toBe(PARTS * PART_BYTES)
  for (let part = 0; part < PARTS; part++) {
    expect(body[part * PART_BYTES]).toBe(part)
    expect(body[(part + 1) * PART_BYTES - 1]).toBe(part)
  }
}

describe("NodeWandb HttpClient", () => {
  it.scopedLive("a body sent in many parts arrives byte-identical: copied into one buffer of its length, or joined once", () =>
    Effect.gen(function*() {
      // restored when this test ends (the tests of this file run concurrently: no shared afterEach)
      const concat = yield* Effect.acquireRelease(
        Effect.sync(() => vi.spyOn(Buffer, "concat")),
        (spy) => Effect.sync(() => spy.mockRestore())
      )
      // other tests may join their own (small) bodies meanwhile: count the joins of more than one part
      const largeJoins = () => concat.mock.calls.filter(([list]) => list.reduce((n, part) => n + part.length, 0) > PART_BYTES)
      const read = (url: string) =>
        Effect.map(provided(Effect.flatMap(HttpClient.get(url), (response) => response.arrayBuffer)), (body) => new Uint8Array(body))
      // with a content-length: each part copied as it arrives (kept until the end, they outlived
      // young collections), nothing joined
      const sized = yield* server(inParts(false))
      expectParts(yield* read(sized.url))
      expect(largeJoins()).toHaveLength(0)
      // without (chunked): the parts joined once
      const chunked = yield* server(inParts(false, true))
      expectParts(yield* read(chunked.url))
      expect(largeJoins()).toHaveLength(1)
    }))

  it.scopedLive("a streamed body arrives byte-identical", () =>
    Effect.gen(function*() {
      const { url } = yield* server(inParts(false))
      const chunks = yield* provided(
        HttpClient.get(url).pipe(Effect.flatMap((response) => Stream.runCollect(response.stream)))
      )
      expectParts(Buffer.concat(Chunk.toReadonlyArray(chunks)))
    }))

  it.scopedLive("a streamed body is passed on in the buffers received, never joined, even to a slow reader", () =>
    Effect.gen(function*() {
      const { url } = yield* server(inParts(false))
      const chunks = yield* provided(
        HttpClient.get(url).pipe(
          Effect.flatMap((response) => Stream.runCollect(Stream.tap(response.stream, () => Effect.sleep("3 millis"))))
        )
      )
      const received = Chunk.toReadonlyArray(chunks)
      expect(Math.max(...received.map((chunk) => chunk.byteLength))).toBeLessThanOrEqual(PART_BYTES)
      expectParts(Buffer.concat(received))
    }))

  it.scopedLive("a streamed body abandoned after its first bytes closes its connection", () =>
    Effect.gen(function*() {
      const test = yield* server(inParts(false))
      const first = yield* provided(HttpClient.get(test.url).pipe(Effect.flatMap((response) => Stream.runHead(response.stream))))
      expect(Option.isSome(first)).toBe(true)
      yield* Effect.promise(() => vi.waitFor(() => expect(test.closed()).toBe(1)))
    }))

  it.scopedLive("a body cut short fails with a ResponseError, whole or streamed", () =>
    Effect.gen(function*() {
      const { url } = yield* server(inParts(true))
      const whole = yield* Effect.flip(provided(Effect.flatMap(HttpClient.get(url), (response) => response.arrayBuffer)))
      expect(whole).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
      const streamed = yield* Effect.flip(
        provided(Effect.flatMap(HttpClient.get(url), (response) => Stream.runDrain(response.stream)))
      )
      expect(streamed).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
    }))

  it.scopedLive("a body whose connection closed while it waited unread fails when read, whole or streamed", () =>
    Effect.gen(function*() {
      const test = yield* server(cutEarly)
      /** The response, read only after the client has seen its connection cut. */
      const cutBeforeRead = Effect.tap(HttpClient.get(test.url), () => {
        const closedBefore = test.closed()
        return Effect.zipRight(
          Effect.promise(() => vi.waitFor(() => expect(test.closed()).toBeGreaterThan(closedBefore))),
          Effect.sleep("50 millis")
        )
      })
      // without the failure, the readers would wait (these requests have no timeout)
      const whole = yield* provided(Effect.flatMap(cutBeforeRead, (response) => response.arrayBuffer)).pipe(
        Effect.flip,
        Effect.timeout("5 seconds")
      )
      expect(whole).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
      const streamed = yield* provided(Effect.flatMap(cutBeforeRead, (response) => Stream.runDrain(response.stream))).pipe(
        Effect.flip,
        Effect.timeout("5 seconds")
      )
      expect(streamed).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
    }))

  it.scopedLive("sends in-memory and streamed bodies with their headers; reads status, headers, cookies, text and json", () =>
    Effect.gen(function*() {
      const { url } = yield* server(echo)
      const [json, streamed, details] = yield* provided(Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const json = yield* Effect.flatMap(
          client.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson({ q: "ü" }))),
          (response) => response.json
        )
        const streamed = yield* Effect.flatMap(
          client.execute(
            HttpClientRequest.put(url).pipe(
              HttpClientRequest.bodyStream(Stream.make("part one, ", "part two").pipe(Stream.encodeText))
            )
          ),
          (response) => response.json
        )
        const response = yield* client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("x-test", "1")))
        const remoteAddress = response.remoteAddress // known while the connection belongs to the response
        const text = yield* response.text
        return [json, streamed, {
          status: response.status,
          contentType: response.headers["content-type"],
          cookie: response.cookies.cookies["session"]?.value,
          text,
          again: yield* response.text,
          remoteAddress
        }] as const
      }))
      expect(json).toMatchObject({
        method: "POST",
        body: "{\"q\":\"ü\"}",
        headers: { "content-type": "application/json", "content-length": "10" }
      })
      expect(streamed).toMatchObject({ method: "PUT", body: "part one, part two" })
      expect(details.status).toBe(201)
      expect(details.contentType).toBe("application/json")
      expect(details.cookie).toBe("abc")
      expect(JSON.parse(details.text)).toMatchObject({ method: "GET", headers: { "x-test": "1" } })
      expect(details.again).toBe(details.text)
      expect(details.remoteAddress).toEqual(Option.some("127.0.0.1"))
    }))

  it.scopedLive("sends a form-data body as multipart, with its boundary in the content type", () =>
    Effect.gen(function*() {
      const { url } = yield* server(echo)
      const form = new FormData()
      form.append("field", "value ü")
      const echoed = (yield* provided(
        Effect.flatMap(HttpClient.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyFormData(form))), (response) =>
          response.json)
      )) as { readonly headers: Record<string, string>; readonly body: string }
      const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(echoed.headers["content-type"] ?? "")?.[1]
      expect(boundary).toBeDefined()
      expect(echoed.body).toContain(`--${boundary}`)
      expect(echoed.body).toContain(`name="field"\r\n\r\nvalue ü`)
    }))

  it.scopedLive("sequential requests share one kept-alive connection", () =>
    Effect.gen(function*() {
      const test = yield* server(echo)
      yield* provided(Effect.gen(function*() {
        for (let i = 0; i < 5; i++) yield* Effect.flatMap(HttpClient.get(test.url), (response) => response.text)
      }))
      expect(test.connections()).toBe(1)
    }))

  it.scopedLive("interrupting a request that awaits its answer closes its connection", () =>
    Effect.gen(function*() {
      const arrived = yield* Deferred.make<void>()
      const test = yield* server(() => Deferred.unsafeDone(arrived, Effect.void)) // never answers
      const fiber = yield* Effect.fork(provided(HttpClient.get(test.url)))
      yield* Deferred.await(arrived)
      yield* Fiber.interrupt(fiber)
      yield* Effect.promise(() => vi.waitFor(() => expect(test.closed()).toBe(1)))
    }))

  it.scopedLive("a refused connection is a Transport RequestError", () =>
    Effect.gen(function*() {
      const test = yield* server(echo)
      const refused = test.url.replace(/:\d+\//, ":1/")
      const error = yield* Effect.flip(provided(HttpClient.get(refused)))
      expect(error).toMatchObject({ _tag: "RequestError", reason: "Transport" })
    }))

  it.scopedLive("a response left unread gives up its connection to a request that waits for one: its body is kept for its reader", () =>
    Effect.gen(function*() {
      const { url } = yield* server(inParts(false))
      const onOneSocket = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) =>
        Effect.provide(effect, NodeWandb.layerPlatformWith({ maxSockets: 1 }))
      const [unread, second] = yield* onOneSocket(Effect.gen(function*() {
        const unread = yield* HttpClient.get(url)
        // the only connection holds `unread`'s body; this request waits for it
        const second = yield* Effect.flatMap(HttpClient.get(url), (response) => response.arrayBuffer).pipe(
          Effect.timeout("5 seconds")
        )
        return [unread, second] as const
      }))
      expectParts(new Uint8Array(second))
      expectParts(new Uint8Array(yield* unread.arrayBuffer))
    }))

  describe("content coding, as fetch does it", () => {
    const payload = Buffer.concat(Array.from({ length: PARTS }, (_, part) => Buffer.alloc(PART_BYTES, part)))
    const encoders: Record<string, (bytes: Buffer) => Buffer> = {
      gzip: (bytes) => Zlib.gzipSync(bytes),
      deflate: (bytes) => Zlib.deflateSync(bytes),
      br: (bytes) => Zlib.brotliCompressSync(bytes),
      "deflate, gzip": (bytes) => Zlib.gzipSync(Zlib.deflateSync(bytes))
    }
    /** Answers `body` with `content-encoding: coding`, in 4 parts; cut after the first part when `cut`. */
    const encoded = (coding: string, body: Buffer, cut = false) => (_request: IncomingMessage, response: ServerResponse) => {
      response.writeHead(200, { "content-encoding": coding, "content-length": String(body.byteLength) })
      const size = Math.ceil(body.byteLength / 4)
      let sent = 0
      const next = () => {
        if (cut && sent === 1) return response.socket?.destroy()
        if (sent * size >= body.byteLength) return response.end()
        response.write(body.subarray(sent * size, ++sent * size))
        setTimeout(next, 1)
      }
      next()
    }
    const whole = (url: string) => provided(Effect.flatMap(HttpClient.get(url), (response) => response.arrayBuffer))
    const streamed = (url: string) =>
      provided(Effect.flatMap(HttpClient.get(url), (response) => Stream.runCollect(response.stream))).pipe(
        Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))
      )

    it.scopedLive("asks for gzip and br unless the request says what it accepts", () =>
      Effect.gen(function*() {
        const { url } = yield* server(echo)
        const asked = (request: HttpClientRequest.HttpClientRequest) =>
          provided(Effect.flatMap(HttpClient.execute(request), (response) => response.json)).pipe(
            Effect.map((echoed) => (echoed as { headers: Record<string, string> }).headers["accept-encoding"])
          )
        expect(yield* asked(HttpClientRequest.get(url))).toBe("gzip, br")
        expect(yield* asked(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("accept-encoding", "identity"))))
          .toBe("identity")
      }))

    it.scopedLive("decodes gzip, deflate, br and stacked codings, whole or streamed", () =>
      Effect.gen(function*() {
        for (const [coding, encode] of Object.entries(encoders)) {
          const { url } = yield* server(encoded(coding, encode(payload)))
          expectParts(new Uint8Array(yield* whole(url)))
          expectParts(yield* streamed(url))
        }
      }))

    it.scopedLive("an unknown coding, and bodies of HEAD, 204 and 304, come as sent", () =>
      Effect.gen(function*() {
        const { url } = yield* server(encoded("zstd-unknown", payload))
        expectParts(new Uint8Array(yield* whole(url)))
        const empty = yield* server((request, response) => {
          response.writeHead(request.url === "/head" ? 200 : Number(request.url!.slice(1)), { "content-encoding": "gzip" })
          response.end()
        })
        for (const request of [HttpClientRequest.head(`${empty.url}head`), HttpClientRequest.get(`${empty.url}204`), HttpClientRequest.get(`${empty.url}304`)]) {
          const body = yield* provided(Effect.flatMap(HttpClient.execute(request), (response) => response.arrayBuffer))
          expect(body.byteLength).toBe(0)
        }
      }))

    it.scopedLive("a coded body cut short or garbled fails with a ResponseError, whole or streamed", () =>
      Effect.gen(function*() {
        const cut = yield* server(encoded("gzip", Zlib.gzipSync(payload), true))
        expect(yield* Effect.flip(whole(cut.url))).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
        expect(yield* Effect.flip(streamed(cut.url))).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
        const garbled = yield* server(encoded("gzip", payload))
        expect(yield* Effect.flip(whole(garbled.url))).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
        expect(yield* Effect.flip(streamed(garbled.url))).toMatchObject({ _tag: "ResponseError", reason: "Decode" })
      }))
  })
})
