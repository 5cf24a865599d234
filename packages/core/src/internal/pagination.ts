/**
 * Cursor-paginated listings, each page's request sent while the page before it is converted.
 *
 * Only requests go ahead, not parsed pages: the next page's request leaves as soon as its cursor is
 * known, and its answer waits in the connection (`GraphQLClient.send`) until the consumer reaches
 * it. Pages fetched ahead and parsed on arrival (`Stream.bufferChunks`, and as much with a producer
 * fiber and a queue) outlived young collections: a runs listing promoted about 60 MB of parsed
 * answers to the old generation per 400 pages of 50 runs, against 21-22 MB this way
 * (bench/RESULTS.md, "Runs listing"). A cursor is only known once the page before it is read, so
 * there is never more than one request ahead. Each request has a scope of its own
 * (`internal/requestScope.ts`): closing the stream early drops the request sent ahead.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { macrotask } from "./macrotask.js"
import { inOwnScope } from "./requestScope.js"

/**
 * One page of a listing: its items and the cursor of the next page (`null` after the last).
 *
 * @internal
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly next: string | null
}

/**
 * A page's request, sent: running it reads the answer and makes the page.
 *
 * @internal
 */
export type SentPage<A, E> = Effect.Effect<Page<A>, E>

/**
 * A page's request made with `GraphQLClient.send`, its page made from the answer's data by
 * `toPage` when the answer is read.
 *
 * @internal
 */
export const sentPage = <D, A, E1, E2>(
  sent: Effect.Effect<Effect.Effect<D, E1>, E1, Scope.Scope>,
  toPage: (data: D) => Effect.Effect<Page<A>, E2>
): Effect.Effect<SentPage<A, E1 | E2>, E1, Scope.Scope> => Effect.map(sent, (answer) => Effect.flatMap(answer, toPage))

/**
 * The converted items of every page, from the first cursor (`null`) on. Each page is converted
 * after a {@link macrotask}, by which time the next page's request is on the wire, so network
 * time and conversion overlap. Closing the stream interrupts the request in flight, or drops it
 * when its answer waits unread.
 *
 * @internal
 */
export const paginate = <A, B, E1, E2>(
  send: (cursor: string | null) => Effect.Effect<SentPage<A, E1>, E1, Scope.Scope>,
  convert: (items: ReadonlyArray<A>) => Effect.Effect<ReadonlyArray<B>, E2>
): Stream.Stream<B, E1 | E2> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const scope = yield* Effect.scope
    const request = (cursor: string | null) => Effect.forkIn(inOwnScope(send(cursor), scope), scope)
    /** The next page's request, or `undefined` after the last page. */
    let next: Fiber.RuntimeFiber<SentPage<A, E1>, E1> | undefined = yield* request(null)
    const requestAfter = (page: Page<A>): Effect.Effect<void> => {
      if (page.next === null) {
        next = undefined
        return Effect.void
      }
      return Effect.map(request(page.next), (fiber) => void (next = fiber))
    }
    const pull: Effect.Effect<Chunk.Chunk<B>, Option.Option<E1 | E2>> = Effect.suspend(() => {
      if (next === undefined) return Effect.fail(Option.none())
      return Effect.flatten(Fiber.join(next)).pipe(
        Effect.tap(requestAfter),
        Effect.zipLeft(macrotask),
        Effect.flatMap((page) => convert(page.items)),
        Effect.mapBoth({ onFailure: Option.some, onSuccess: Chunk.unsafeFromArray })
      )
    })
    return Stream.repeatEffectChunkOption(pull)
  }))
