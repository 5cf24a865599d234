/**
 * Compressed GraphQL answers (`LocalServer.Options.compression`): gzip, when the request accepts
 * it, for answers of at least {@link MIN_COMPRESSED_BYTES}. W&B's official clients all ask for
 * gzip; a history page of JSON rows shrinks several times, which is what a client far from its
 * server waits for. Compression runs on libuv's thread pool, off the event loop.
 *
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Zlib from "node:zlib"

/** Smaller answers go out as they are: gzip's header and trailer would eat most of the gain. */
export const MIN_COMPRESSED_BYTES = 1024

/**
 * Whether an `accept-encoding` header accepts gzip: `gzip` or `*` listed, without `q=0`.
 *
 * @internal
 */
export const acceptsGzip = (header: string | undefined): boolean =>
  header !== undefined && header.split(",").some((entry) => {
    const [coding = "", ...parameters] = entry.split(";").map((part) => part.trim().toLowerCase())
    const weight = parameters.find((parameter) => parameter.startsWith("q="))
    return (coding === "gzip" || coding === "x-gzip" || coding === "*") && (weight === undefined || Number(weight.slice(2)) > 0)
  })

const gzip = (bytes: Uint8Array) =>
  Effect.async<Uint8Array, Error>((resume) => {
    // level 1: several times smaller for JSON at a fraction of the default level's CPU
    Zlib.gzip(bytes, { level: 1 }, (error, result) => resume(error === null ? Effect.succeed(result) : Effect.fail(error)))
  })

/** The bytes of an in-memory or streamed body, `undefined` for any other kind. */
const bodyBytes = (body: HttpBody.HttpBody): Effect.Effect<Uint8Array | undefined> => {
  switch (body._tag) {
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((parts) => Buffer.concat(Chunk.toArray(parts) as Array<Uint8Array>)),
        Effect.orDie
      )
    default:
      return Effect.succeed(undefined)
  }
}

/**
 * `response` gzipped when `request` accepts gzip and the body is large enough; otherwise as it is.
 *
 * @internal
 */
export const compressed = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  const length = response.body._tag === "Uint8Array" || response.body._tag === "Stream" ? response.body.contentLength : undefined
  if (!acceptsGzip(request.headers["accept-encoding"]) || length === undefined || length < MIN_COMPRESSED_BYTES) {
    return Effect.succeed(HttpServerResponse.setHeader(response, "vary", "accept-encoding"))
  }
  const contentType = response.body._tag === "Uint8Array" || response.body._tag === "Stream"
    ? response.body.contentType
    : undefined
  return Effect.flatMap(bodyBytes(response.body), (bytes) =>
    bytes === undefined
      ? Effect.succeed(response)
      : gzip(bytes).pipe(
        Effect.map((zipped) =>
          response.pipe(
            HttpServerResponse.setBody(HttpBody.uint8Array(zipped, contentType)),
            HttpServerResponse.setHeaders({ "content-encoding": "gzip", vary: "accept-encoding" })
          )
        ),
        Effect.orDie
      ))
}
