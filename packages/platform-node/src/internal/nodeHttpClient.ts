/**
 * An `HttpClient` on Node's own `http`/`https` modules (keep-alive agents), lean per request.
 *
 * Measured on 400 GraphQL answers of 87 KB each (a 10,000-run listing twice, loopback, 2026-12-06):
 * `@effect/platform-node`'s `NodeHttpClient` with keep-alive took about 1 ms of CPU more per
 * request than this client, and its answers outlived young-generation collections (2.7 MB
 * promoted per collection against 0.4 MB here). It forks a fiber to write the body next to the
 * one awaiting the response, and its whole-body read re-concatenates everything received so far
 * on every chunk. Here a request is one callback-driven `Effect.async` and whole bodies are
 * joined once at their end. The platform's `HttpClient.make` around it still provides the HTTP
 * span, trace headers and the abort of a response dropped unread.
 *
 * Content coding as `fetch` does it: requests without an `accept-encoding` header ask for
 * `gzip, br` (what W&B's official clients ask for, `gzip`, plus Brotli), and bodies are decoded
 * from their `content-encoding` (`gzip`, `deflate`, `br`) as they are read. A history page of
 * JSON rows is several times smaller compressed, which is what a client far from the server waits
 * for. A request that must get the bytes as stored (a ranged file download) says
 * `accept-encoding: identity`.
 *
 * @internal
 */
import * as Cookies from "@effect/platform/Cookies"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as NodeSink from "@effect/platform-node/NodeSink"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"
import { PassThrough, pipeline, Readable } from "node:stream"
import * as Zlib from "node:zlib"
import { BUFFERED_MAX, type Unclaimed, UnreadResponses } from "./unreadResponses.js"

const utf8 = new TextDecoder()

/** What a body reader does with the events of a response: its chunks, its end, its failure. */
interface BodyListener {
  readonly data: (chunk: Buffer) => void
  readonly end: () => void
  /** An `error` event, or the connection closed before the body was complete. */
  readonly failure: (cause: Error) => void
}

/**
 * Attaches `listener` to `source`; returns what detaches it. A response destroyed before its
 * reader came (its connection lost while the body waited unread, as answers fetched ahead do)
 * fails at once: Node tells listeners attached after that nothing, so the reader would wait for
 * its timeout.
 */
const listenToBody = (source: Readable, listener: BodyListener): () => void => {
  let attached = true
  let ended = false
  const onEnd = () => {
    ended = true
    listener.end()
  }
  const onClose = () => {
    if (!ended) listener.failure(new Error("the connection closed before the end of the response body"))
  }
  source.on("data", listener.data)
  source.on("end", onEnd)
  source.on("error", listener.failure)
  source.on("close", onClose)
  if (source.destroyed) {
    // later, so that the reader has its `detach` (and only if no `close` came first)
    queueMicrotask(() => {
      if (attached) listener.failure(new Error("the connection closed before the response body was read"))
    })
  }
  return () => {
    attached = false
    source.off("data", listener.data)
    source.off("end", onEnd)
    source.off("error", listener.failure)
    source.off("close", onClose)
  }
}

/** Bodies of a known length up to this size are read into one buffer allocated up front. */
const PREALLOCATED_MAX = 64 * 1024 * 1024

/**
 * Every byte of `source` until its end, as one `ArrayBuffer`. With the body's `length` known,
 * each chunk is copied into one buffer of that size as it arrives; otherwise the chunks are kept
 * and joined once at the end.
 *
 * Copied at once, a chunk dies in the young generation. Kept until the end, the chunks of a
 * large answer outlived young collections while it arrived (the rest of the program allocates
 * meanwhile) and were promoted: garbage that only a full collection frees, which V8 starts only
 * once such memory outside its heap has grown by tens of MiB. That was most of the CLI scan's
 * peak of memory held in buffers (bench/RESULTS.md, "CLI scan").
 */
const readAll = (source: Readable, length: number | undefined): Effect.Effect<ArrayBuffer, Error> =>
  Effect.async<ArrayBuffer, Error>((resume) => {
    const whole = length !== undefined && length <= PREALLOCATED_MAX ? Buffer.allocUnsafeSlow(length) : undefined
    const chunks: Array<Buffer> = []
    let received = 0
    const detach = listenToBody(source, {
      data: (chunk) => {
        if (whole === undefined) chunks.push(chunk)
        else if (received + chunk.byteLength <= whole.byteLength) whole.set(chunk, received)
        received += chunk.byteLength
      },
      end: () => {
        detach()
        if (whole !== undefined) {
          return resume(
            received === whole.byteLength
              ? Effect.succeed(whole.buffer as ArrayBuffer)
              : Effect.fail(new Error(`the body has ${received} bytes, its content-length says ${whole.byteLength}`))
          )
        }
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)
        // Small bodies are carved out of Node's shared buffer pool: copy those out.
        resume(Effect.succeed(
          body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
            ? body.buffer as ArrayBuffer
            : body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer
        ))
      },
      failure: (error) => {
        detach()
        resume(Effect.fail(error))
      }
    })
    return Effect.sync(() => {
      detach()
      source.destroy()
    })
  })

/** Bytes of a streamed body that may wait, unread, before the connection is paused. */
const STREAM_HIGH_WATER = 256 * 1024

/**
 * The body of `source` as the buffers Node's HTTP parser hands over, each passed on as it is: no
 * copy, no concatenation (a `readable.read()` joins whatever is buffered into a new buffer, so
 * a large download allocated its bytes twice). The response is paused while more than
 * {@link STREAM_HIGH_WATER} bytes wait unread. Ending the stream early destroys the response.
 */
const bodyStream = <E>(source: Readable, onError: (cause: unknown) => E): Stream.Stream<Uint8Array, E> =>
  Stream.suspend(() => {
    let waiting: Array<Uint8Array> = []
    let waitingBytes = 0
    let ended = false
    let failure: E | undefined
    let wake: (() => void) | undefined
    const signal = () => {
      const resume = wake
      wake = undefined
      resume?.()
    }
    const detach = listenToBody(source, {
      data: (chunk) => {
        waiting.push(chunk)
        waitingBytes += chunk.byteLength
        if (waitingBytes >= STREAM_HIGH_WATER) source.pause()
        signal()
      },
      end: () => {
        ended = true
        signal()
      },
      failure: (cause) => {
        failure ??= onError(cause)
        signal()
      }
    })
    const pull: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<E>> = Effect.suspend(() => {
      if (waiting.length > 0) {
        const chunks = waiting
        waiting = []
        waitingBytes = 0
        if (source.isPaused()) source.resume()
        return Effect.succeed(Chunk.unsafeFromArray(chunks))
      }
      if (failure !== undefined) return Effect.fail(Option.some(failure))
      if (ended) return Effect.fail(Option.none())
      return Effect.async<Chunk.Chunk<Uint8Array>, Option.Option<E>>((resume) => {
        wake = () => resume(pull)
        return Effect.sync(() => void (wake = undefined))
      })
    })
    return Stream.repeatEffectChunkOption(pull).pipe(Stream.ensuring(Effect.sync(() => {
      detach()
      if (!ended) source.destroy()
    })))
  })

/** What a client asks for when its request does not say (see the module's comment). */
const ACCEPTED_ENCODINGS = "gzip, br"

/** Lenient like browsers and undici: a body cut short is caught by the connection, not the decoder. */
const zlibOptions = { flush: Zlib.constants.Z_SYNC_FLUSH, finishFlush: Zlib.constants.Z_SYNC_FLUSH }

const decoder = (coding: string): NodeJS.ReadWriteStream | undefined => {
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return Zlib.createGunzip(zlibOptions)
    case "deflate":
      return Zlib.createInflate(zlibOptions)
    case "br":
      return Zlib.createBrotliDecompress({
        flush: Zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: Zlib.constants.BROTLI_OPERATION_FLUSH
      })
    default:
      return undefined
  }
}

/** A response's body as it is read: its bytes decoded, and their number when known up front. */
interface Body {
  readonly source: Readable
  readonly length: number | undefined
}

/**
 * The body of `incoming` decoded from its `content-encoding` (codings applied in order, so
 * undone in reverse). No coding, `identity`, or one this client cannot decode: the body as it
 * came, its length the `content-length`.
 */
const bodyOf = (incoming: Http.IncomingMessage, bytes: Readable, method: string): Body => {
  const status = incoming.statusCode ?? 0
  if (method === "HEAD" || status === 204 || status === 304) return { source: bytes, length: undefined }
  const header = incoming.headers["content-encoding"]
  const codings = header === undefined
    ? []
    : header.toLowerCase().split(",").map((coding) => coding.trim()).filter((c) => c !== "" && c !== "identity")
  const decoders = codings.reverse().map(decoder)
  if (decoders.length === 0 || decoders.includes(undefined)) {
    const declared = incoming.headers["content-length"]
    const length = declared === undefined ? undefined : Number(declared)
    return { source: bytes, length: length !== undefined && Number.isSafeInteger(length) && length >= 0 ? length : undefined }
  }
  // a failure anywhere destroys every stage and reaches the last, which the body readers listen to
  const decoded = pipeline([bytes, ...(decoders as Array<NodeJS.ReadWriteStream>)], () => {}) as unknown as Readable
  return { source: decoded, length: undefined }
}

/**
 * A response on an `IncomingMessage`: its body is read once (whole or streamed). Until a reader
 * starts, it is one of the client's unclaimed responses (see `UnreadResponses`).
 */
class NodeClientResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse, Unclaimed {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  private cachedHeaders: Headers.Headers | undefined
  private body: ArrayBuffer | undefined
  private content: Body | undefined
  /** The body read into memory while it waited for a reader, when it was. */
  private inMemory: Readable | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly source: Http.IncomingMessage,
    private readonly unread: UnreadResponses
  ) {
    super()
    unread.add(this)
    source.once("close", () => unread.claim(this))
  }

  readIntoMemory(): void {
    if (this.content !== undefined || this.inMemory !== undefined) return
    // a failure of the response reaches the buffer, which the body readers then listen to
    this.inMemory = pipeline(this.source, new PassThrough({ highWaterMark: BUFFERED_MAX }), () => {})
  }

  private decodeError = (cause: unknown) =>
    new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })

  /** The body's bytes, decoded from their content coding. */
  private get bodyContent(): Body {
    if (this.content === undefined) this.unread.claim(this)
    return this.content ??= bodyOf(this.source, this.inMemory ?? this.source, this.request.method)
  }

  get status(): number {
    return this.source.statusCode ?? 0
  }

  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.source.headers as Record<string, string | ReadonlyArray<string>>)
  }

  get cookies(): Cookies.Cookies {
    const header = this.source.headers["set-cookie"]
    return Array.isArray(header) ? Cookies.fromSetCookie(header) : Cookies.empty
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.source.socket?.remoteAddress)
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.suspend(() =>
      this.body !== undefined
        ? Effect.succeed(this.body)
        : readAll(this.bodyContent.source, this.bodyContent.length).pipe(
          Effect.tap((body) => void (this.body = body)),
          Effect.mapError(this.decodeError)
        )
    )
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.arrayBuffer, (body) => utf8.decode(body))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => (text === "" ? null : JSON.parse(text) as unknown), catch: this.decodeError }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.suspend(() =>
      this.body !== undefined
        ? Stream.succeed(new Uint8Array(this.body))
        : bodyStream(this.bodyContent.source, this.decodeError)
    )
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.tryPromise({
      try: () =>
        new Response(Readable.toWeb(this.bodyContent.source) as ReadableStream, {
          headers: new globalThis.Headers(this.headers as Record<string, string>),
          status: this.status
        }).formData(),
      catch: this.decodeError
    })
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

/** Writes a body that is not in memory (a stream, form data) into `nodeRequest`, ending it. */
const writeBody = (
  nodeRequest: Http.ClientRequest,
  request: HttpClientRequest.HttpClientRequest,
  body: HttpBody.Stream | HttpBody.FormData
): Effect.Effect<void, HttpClientError.RequestError> => {
  const transport = (cause: unknown) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
  if (body._tag === "Stream") {
    return Stream.run(
      Stream.mapError(body.stream, (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })),
      NodeSink.fromWritable(() => nodeRequest, transport)
    )
  }
  return Effect.tryPromise({
    try: () => {
      const encoded = new Response(body.formData)
      encoded.headers.forEach((value, key) => nodeRequest.setHeader(key, value))
      const written = new Promise<void>((resolve, reject) => {
        nodeRequest.once("finish", resolve)
        nodeRequest.once("error", reject)
      })
      Readable.fromWeb(encoded.body! as never).pipe(nodeRequest)
      return written
    },
    catch: transport
  })
}

/** The agents of one client: one per protocol, destroyed with the scope. */
interface Agents {
  readonly http: Http.Agent
  readonly https: Https.Agent
  readonly unread: UnreadResponses
}

type Outcome = Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>

/** One request on the wire and, once known, its outcome (the response or a transport error). */
interface Exchange {
  readonly nodeRequest: Http.ClientRequest
  outcome: Outcome | undefined
  notify: ((outcome: Outcome) => void) | undefined
}

/** Opens `request` on the agents (its body still to be written). */
const open = (agents: Agents, request: HttpClientRequest.HttpClientRequest, url: URL, signal: AbortSignal): Exchange => {
  const https = url.protocol === "https:"
  const headers = request.headers["accept-encoding"] === undefined
    ? { ...request.headers, "accept-encoding": ACCEPTED_ENCODINGS }
    : request.headers
  const init = { agent: https ? agents.https : agents.http, method: request.method, headers }
  const exchange: Exchange = {
    nodeRequest: https ? Https.request(url, init) : Http.request(url, init),
    outcome: undefined,
    notify: undefined
  }
  const settle = (outcome: Outcome) => {
    if (exchange.outcome !== undefined) return
    exchange.outcome = outcome
    exchange.notify?.(outcome)
  }
  // the listener stays: a socket error after the answer must not go unhandled
  exchange.nodeRequest.on("error", (cause) =>
    settle(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))))
  exchange.nodeRequest.on("response", (incoming) => {
    // the platform aborts `signal` when a response is dropped without its body being read
    const abort = () => incoming.destroy()
    signal.addEventListener("abort", abort, { once: true })
    incoming.once("close", () => signal.removeEventListener("abort", abort))
    settle(Effect.succeed(new NodeClientResponse(request, incoming, agents.unread)))
  })
  if (Object.values(init.agent.requests).some((queue) => queue?.includes(exchange.nodeRequest))) {
    agents.unread.queued(exchange.nodeRequest)
  }
  return exchange
}

/** The outcome of the exchange `start` opens; interrupting it destroys the request. */
const awaitOutcome = (start: () => Exchange): Outcome =>
  Effect.async((resume) => {
    const exchange = start()
    if (exchange.outcome !== undefined) resume(exchange.outcome)
    else exchange.notify = resume
    return Effect.sync(() => exchange.nodeRequest.destroy())
  })

/**
 * The `HttpClient` on keep-alive agents made with `options`, which are destroyed (their
 * sockets closed) when the scope closes.
 *
 * @internal
 */
export const make = (options: Https.AgentOptions): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync((): Agents => {
        const http = new Http.Agent(options)
        const https = new Https.Agent(options)
        // `requests`: the agent's queues of requests waiting for a connection, per host
        const waiting = () => Object.keys(http.requests).length > 0 || Object.keys(https.requests).length > 0
        return { http, https, unread: new UnreadResponses(waiting) }
      }),
      (agents) =>
        Effect.sync(() => {
          agents.http.destroy()
          agents.https.destroy()
        })
    ),
    (agents) =>
      HttpClient.make((request, url, signal) => {
        const body = request.body
        switch (body._tag) {
          case "Empty":
          case "Uint8Array":
          case "Raw":
            return awaitOutcome(() => {
              const exchange = open(agents, request, url, signal)
              if (body._tag === "Empty") exchange.nodeRequest.end()
              else exchange.nodeRequest.end(body.body as Uint8Array | string)
              return exchange
            })
          default:
            return Effect.suspend(() => {
              const exchange = open(agents, request, url, signal)
              return Effect.zipRight(writeBody(exchange.nodeRequest, request, body), awaitOutcome(() => exchange), {
                concurrent: true
              })
            })
        }
      })
  )
