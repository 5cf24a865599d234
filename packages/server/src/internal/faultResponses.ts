/**
 * What an injected fault looks like on the wire: error statuses (JSON, with `Retry-After` on
 * 429/503), an HTML proxy page, a GraphQL `errors` answer, a dropped connection, a body cut
 * short of its `Content-Length`, and the file-body rewrites (cut in half, one byte flipped,
 * paused halfway).
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
    case "truncate":
    case "corrupt":
    case "stall":
      return Effect.succeed(Option.some(HttpServerResponse.stream(
        Stream.make(truncatedGraphql).pipe(Stream.ensuring(destroy(request))),
        { status: 200, contentType: "application/json", contentLength: claimedGraphqlLength }
      )))
  }
}

/** The first `limit` bytes of `body`. */
const takeBytes = <E>(body: Stream.Stream<Uint8Array, E>, limit: number): Stream.Stream<Uint8Array, E> =>
  body.pipe(
    Stream.mapAccum(0, (sent, chunk) => [sent + chunk.length, chunk.subarray(0, Math.max(0, limit - sent))] as const),
    Stream.takeWhile((chunk) => chunk.length > 0)
  )

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

/** `body` with a pause of `millis` once half of `sizeBytes` has been sent. */
const pauseHalfway = <E>(body: Stream.Stream<Uint8Array, E>, sizeBytes: number, millis: number) => {
  let sent = 0
  return body.pipe(Stream.flatMap((chunk) => {
    const before = sent
    sent += chunk.length
    const cut = Math.floor(sizeBytes / 2) - before
    if (cut < 0 || cut >= chunk.length) return Stream.make(chunk)
    return Stream.make(chunk.subarray(0, cut)).pipe(
      Stream.concat(Stream.drain(Stream.fromEffect(Effect.sleep(millis)))),
      Stream.concat(Stream.make(chunk.subarray(cut)))
    )
  }))
}

/**
 * A file body with a body-level fault: `truncate` sends half the file (the server then cuts
 * the connection), `corrupt` flips one byte, `stall` pauses for `slowMs` halfway.
 *
 * @internal
 */
export const rewriteBody = <E>(
  kind: BodyFault,
  body: Stream.Stream<Uint8Array, E>,
  sizeBytes: number,
  plan: ResolvedPlan
): Stream.Stream<Uint8Array, E> =>
  kind === "truncate"
    ? takeBytes(body, Math.floor(sizeBytes / 2))
    : kind === "corrupt"
    ? flipOneByte(body)
    : pauseHalfway(body, sizeBytes, plan.slowMs)
