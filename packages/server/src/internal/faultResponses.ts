/**
 * What an injected fault looks like on the wire: error statuses (JSON, with `Retry-After` on
 * 429/503), an HTML proxy page, a GraphQL `errors` answer, a dropped connection, a body cut
 * short of its `Content-Length`, and the file-body rewrites (cut short, one byte flipped,
 * paused).
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { BodyFault } from "./faultDecision.js"
import type { FaultKind, ResolvedPlan } from "./faultPlan.js"
import * as Responses from "./responses.js"

/** What a reverse proxy in front of W&B sends when the backend is down. */
const proxyPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

/** The start of a plausible GraphQL answer; the rest never comes. */
const truncatedGraphql = new TextEncoder().encode("{\"data\":{\"project\":{\"runs\":{\"edges\":[{\"node\":")
const claimedGraphqlLength = 4096

const destroy = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => NodeHttpServerRequest.toServerResponse(request).destroy())

/**
 * The answer to a request that drew a request-level fault; `none` lets it through (after the
 * delay, for `slow`).
 *
 * @internal
 */
export const respond = (
  kind: FaultKind,
  request: HttpServerRequest.HttpServerRequest,
  plan: ResolvedPlan
): Effect.Effect<Option.Option<HttpServerResponse.HttpServerResponse>> => {
  const message = `injected fault: ${kind}`
  const retryAfter = { "retry-after": String(plan.retryAfterSeconds) }
  switch (kind) {
    case "500":
    case "502":
      return Effect.succeed(Option.some(Responses.error(Number(kind), message)))
    case "503":
    case "429":
      return Effect.succeed(Option.some(Responses.error(Number(kind), message, retryAfter)))
    case "html":
      return Effect.succeed(Option.some(HttpServerResponse.text(proxyPage, { status: 502, contentType: "text/html" })))
    case "graphql-errors":
      return Effect.succeed(Option.some(Responses.json(200, { data: null, errors: [{ message }] })))
    case "slow":
      return Effect.as(Effect.sleep(plan.slowMs), Option.none())
    case "drop":
      // The handler fiber is interrupted when the connection closes; nothing else is sent.
      return Effect.zipRight(destroy(request), Effect.never)
    case "corrupt":
    case "stall":
      // file-body faults: applied by `rewriteBody`, never decided here
      return Effect.succeedNone
    case "truncate":
      return Effect.succeed(Option.some(HttpServerResponse.stream(
        Stream.make(truncatedGraphql).pipe(Stream.ensuring(destroy(request))),
        { status: 200, contentType: "application/json", contentLength: claimedGraphqlLength }
      )))
  }
}

/** The first half of the first chunk of `body` (the rest never comes). */
const firstHalf = <E>(body: Stream.Stream<Uint8Array, E>): Stream.Stream<Uint8Array, E> =>
  body.pipe(Stream.take(1), Stream.map((chunk) => chunk.subarray(0, chunk.length >> 1)))

/** `body` with the middle byte of its first chunk inverted. */
const flipOneByte = <E>(body: Stream.Stream<Uint8Array, E>): Stream.Stream<Uint8Array, E> =>
  body.pipe(
    Stream.mapAccum(false, (done, chunk) => {
      if (done || chunk.length === 0) return [done, chunk] as const
      const copy = Uint8Array.from(chunk)
      copy[copy.length >> 1] = copy[copy.length >> 1]! ^ 0xff
      return [true, copy] as const
    })
  )

/** `body` with a pause of `millis` in the middle of its first chunk. */
const pauseEarly = <E>(body: Stream.Stream<Uint8Array, E>, millis: number): Stream.Stream<Uint8Array, E> =>
  body.pipe(Stream.zipWithIndex, Stream.flatMap(([chunk, index]) =>
    index > 0 ? Stream.make(chunk) : Stream.make(chunk.subarray(0, chunk.length >> 1)).pipe(
      Stream.concat(Stream.drain(Stream.fromEffect(Effect.sleep(millis)))),
      Stream.concat(Stream.make(chunk.subarray(chunk.length >> 1)))
    )
  ))

/**
 * A file body with a body-level fault: `truncate` sends part of it (the server then cuts the
 * connection), `corrupt` flips one byte, `stall` pauses for `slowMs` after the first bytes.
 * Each one shows in any non-empty answer, ranged ones included.
 *
 * @internal
 */
export const rewriteBody = <E>(
  kind: BodyFault,
  body: Stream.Stream<Uint8Array, E>,
  plan: ResolvedPlan
): Stream.Stream<Uint8Array, E> =>
  kind === "truncate" ? firstHalf(body) : kind === "corrupt" ? flipOneByte(body) : pauseEarly(body, plan.slowMs)
