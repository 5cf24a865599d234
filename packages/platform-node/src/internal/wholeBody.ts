/**
 * Whole response bodies read in one pass on `node:http`.
 *
 * `@effect/platform-node`'s `arrayBuffer` concatenates everything received so far again for
 * every chunk (`Buffer.concat([buffer, chunk])`): a 340 KB GraphQL answer arriving in 64 KB
 * chunks is copied about three times and leaves as much garbage behind. Reading it through
 * `response.stream` instead costs an Effect channel step per chunk. Here the chunks are kept as
 * they come and joined once at the end.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import type { IncomingMessage } from "node:http"
import { Readable } from "node:stream"

/** Every byte of `source` until its end, as one `ArrayBuffer`. */
const readAll = (source: IncomingMessage): Effect.Effect<ArrayBuffer, Error> =>
  Effect.async<ArrayBuffer, Error>((resume) => {
    const chunks: Array<Buffer> = []
    let length = 0
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      length += chunk.byteLength
    }
    const onEnd = () => {
      cleanup()
      const body = Buffer.concat(chunks, length)
      // Bodies under 4 KiB are carved out of Node's shared buffer pool: copy those out.
      resume(Effect.succeed(
        body.byteOffset === 0 && body.byteLength === body.buffer.byteLength
          ? body.buffer as ArrayBuffer
          : body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer
      ))
    }
    const onError = (error: Error) => {
      cleanup()
      resume(Effect.fail(error))
    }
    const onClose = () => {
      if (!source.complete) onError(new Error("the connection closed before the end of the response body"))
    }
    const cleanup = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
      source.off("close", onClose)
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onError)
    source.on("close", onClose)
    return Effect.sync(() => {
      cleanup()
      source.destroy()
    })
  })

/**
 * What `@effect/platform`'s `HttpClient` hands out on `node:http` (version pinned in
 * package.json): its `InterruptibleResponse` around the Node response, whose `source` is the
 * `IncomingMessage`, and whose `applyInterrupt` wraps a body read (the request is aborted if the
 * read is interrupted, and no longer when the response is garbage collected).
 */
interface PlatformResponse {
  readonly original?: { readonly source?: unknown }
  readonly source?: unknown
  readonly applyInterrupt?: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
}

/** `response` with an `arrayBuffer` that reads its `IncomingMessage` in one pass (any other response unchanged). */
const withWholeBody = (response: HttpClientResponse.HttpClientResponse): HttpClientResponse.HttpClientResponse => {
  const platform = response as PlatformResponse
  const source = platform.original?.source ?? platform.source
  if (!(source instanceof Readable)) return response
  const read = Effect.suspend(() =>
    Effect.mapError(
      readAll(source as IncomingMessage),
      (cause) => new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })
    )
  )
  return Object.create(response, {
    arrayBuffer: { get: () => (platform.applyInterrupt === undefined ? read : platform.applyInterrupt.call(response, read)) }
  })
}

/**
 * `client` whose responses read `arrayBuffer` in one pass (other body accessors unchanged).
 *
 * @internal
 */
export const wholeBodyInOnePass = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transformResponse(client, Effect.map(withWholeBody))
