/**
 * Bodies cut short, for tests that play a server dropping connections.
 */
import type { HttpServerRequest } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Effect, Stream } from "effect"

/**
 * `body` ending after `limit` bytes (the server then closes the connection short of its
 * Content-Length); `onCut` runs when bytes were actually left out.
 */
export const cutAfter = <E>(
  body: Stream.Stream<Uint8Array, E>,
  limit: number,
  onCut: () => void = () => {}
): Stream.Stream<Uint8Array, E> =>
  body.pipe(
    Stream.mapAccum(limit, (left, chunk) => {
      if (left < chunk.length && left + 1 > 0) onCut()
      // -1: the cut is counted; the next chunk (empty) ends the body
      return [left < chunk.length ? -1 : left - chunk.length, chunk.subarray(0, Math.max(0, left))] as const
    }),
    Stream.takeWhile((chunk) => chunk.length > 0),
    // let the bytes reach the client before the connection is cut
    Stream.concat(Stream.drain(Stream.fromEffect(Effect.sleep("30 millis"))))
  )

/** `body` ending after `limit` bytes, then the connection destroyed (a hand-made answer cut short). */
export const cutAndClose = (request: HttpServerRequest.HttpServerRequest, all: Uint8Array, limit: number) =>
  cutAfter(Stream.make(all), limit).pipe(
    Stream.ensuring(Effect.sync(() => NodeHttpServerRequest.toServerResponse(request).destroy()))
  )

