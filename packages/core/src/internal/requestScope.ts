/**
 * Requests sent ahead of their reader (`GraphQLClient.send`), each in a scope of its own.
 *
 * A sent request lives in a scope: closing it aborts the request and closes its connection. A
 * stream that fetches answers ahead gives each request a child of the stream's scope, closed as
 * soon as the answer is read; a stream closed early (`Stream.take`, an error, an interruption)
 * closes the children of the answers it never read, so none holds a connection afterwards.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

/**
 * Runs `send` in a new child scope of `parent`: reading the answer it returns closes that scope,
 * as does a failure to send; otherwise `parent`'s closing does.
 *
 * @internal
 */
export const inOwnScope = <A, E1, E2, R1, R2>(
  send: Effect.Effect<Effect.Effect<A, E2, R2>, E1, R1>,
  parent: Scope.Scope
): Effect.Effect<Effect.Effect<A, E2, R2>, E1, Exclude<R1, Scope.Scope>> =>
  Effect.flatMap(Scope.fork(parent, ExecutionStrategy.sequential), (own) => {
    const close = Scope.close(own, Exit.void)
    return Scope.extend(send, own).pipe(
      Effect.map((answer) => Effect.ensuring(answer, close)),
      Effect.onError(() => close)
    )
  })
