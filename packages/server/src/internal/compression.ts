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

/** The bytes of an in-memory or streamed body. */
const bodyBytes = (body: HttpBody.Uint8Array | HttpBody.Stream): Effect.Effect<Uint8Array> =>
  body._tag === "Uint8Array"
    ? Effect.succeed(body.body)
    : Stream.runCollect(body.stream).pipe(
      Effect.map((parts) => Buffer.concat(Chunk.toArray(parts) as Array<Uint8Array>)),
      Effect.orDie
    )

/**
 * `response` gzipped when `request` accepts gzip and the body (in memory or streamed, of a known
 * length) is large enough; otherwise as it is.
 *
 * @internal
 */
export const compressed = (
  request: HttpServerRequest.HttpServerRequest,
  response: HttpServerResponse.HttpServerResponse
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  const body = response.body
  if (
    (body._tag !== "Uint8Array" && body._tag !== "Stream") || body.contentLength === undefined ||
    body.contentLength < MIN_COMPRESSED_BYTES || !acceptsGzip(request.headers["accept-encoding"])
  ) {
    return Effect.succeed(HttpServerResponse.setHeader(response, "vary", "accept-encoding"))
  }
  return bodyBytes(body).pipe(
    Effect.flatMap(gzip),
    Effect.map((zipped) =>
      response.pipe(
        HttpServerResponse.setBody(HttpBody.uint8Array(zipped, body.contentType)),
        HttpServerResponse.setHeaders({ "content-encoding": "gzip", vary: "accept-encoding" })
      )
    ),
    Effect.orDie
  )
}
