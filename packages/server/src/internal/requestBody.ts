/**
 * Reads a request body as UTF-8 text up to a byte limit, counting while it streams in: a body
 * announced (`Content-Length`) or found to be larger is refused without being buffered. Chunks
 * are kept as buffers and decoded once at the end (no string concatenation). The result is
 * cached per request, so the fault-injection hook and the GraphQL handler read the body once.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { defaults } from "../Limits.js"
import type { IncomingMessage } from "node:http"
import * as Responses from "./responses.js"

/**
 * The body, or why there is none: `tooLarge` (over `maxBytes`) or `unreadable` (the
 * connection failed while reading).
 *
 * @internal
 */
export type Body =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "TooLarge"; readonly maxBytes: number }
  | { readonly _tag: "Unreadable" }

const cache = new WeakMap<object, Promise<Body>>()

const collect = (source: IncomingMessage, maxBytes: number): Promise<Body> =>
  new Promise((resolve) => {
    const declared = Number(source.headers["content-length"])
    if (Number.isFinite(declared) && declared > maxBytes) return resolve({ _tag: "TooLarge", maxBytes })
    const chunks: Array<Buffer> = []
    let bytes = 0
    const done = (body: Body) => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
      source.off("close", onError)
      resolve(body)
    }
    const onData = (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > maxBytes) {
        chunks.length = 0
        source.pause()
        done({ _tag: "TooLarge", maxBytes })
      } else {
        chunks.push(chunk)
      }
    }
    const onEnd = () => done({ _tag: "Text", text: Buffer.concat(chunks, bytes).toString("utf8") })
    const onError = () => done({ _tag: "Unreadable" })
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onError)
    // closed before its end: the client went away mid-body
    source.once("close", onError)
  })

/**
 * The server's `maxBodyBytes`, set by the app around each request.
 *
 * @internal
 */
export const MaxBodyBytes: FiberRef.FiberRef<number> = FiberRef.unsafeMake(defaults.maxBodyBytes)

/**
 * The request's body as text, at most {@link MaxBodyBytes} bytes of it. If another reader
 * (e.g. a custom fault hook calling the platform's `request.text`) consumed the body first,
 * that reader's result is used.
 *
 * @internal
 */
export const readBody = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Body> =>
  Effect.flatMap(FiberRef.get(MaxBodyBytes), (maxBytes) => {
    const source = request.source as IncomingMessage
    const cached = cache.get(source)
    if (cached !== undefined) return Effect.promise(() => cached)
    if (source.readableFlowing !== null || source.readableEnded) {
      return Effect.match(request.text, {
        onFailure: (): Body => ({ _tag: "Unreadable" }),
        onSuccess: (text): Body => ({ _tag: "Text", text })
      })
    }
    const body = collect(source, maxBytes)
    cache.set(source, body)
    return Effect.promise(() => body)
  })

/**
 * The body's text, `""` when it is too large or unreadable (for the fault hook's request identity).
 *
 * @internal
 */
export const readBodyText = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<string> =>
  Effect.map(readBody(request), (body) => (body._tag === "Text" ? body.text : ""))

/**
 * 413 for a body over the limit. `Connection: close`, so the rest of the body is not read.
 *
 * @internal
 */
export const tooLarge = (maxBytes: number): HttpServerResponse.HttpServerResponse =>
  Responses.error(
    413,
    `request body is larger than the server's limit maxBodyBytes = ${maxBytes} bytes`,
    { connection: "close" }
  )

/** @internal */
export const unreadable = (): HttpServerResponse.HttpServerResponse => Responses.error(400, "could not read the request body")
