/**
 * The GraphQL transport: `POST {baseUrl}/graphql` through {@link WandbHttpClient} (auth,
 * headers, retries), with HTTP and GraphQL failures mapped to the typed errors of
 * `Errors.ts`.
 *
 * Error mapping: 401 → `Unauthorized`; 403 or a GraphQL error saying "permission denied" →
 * `PermissionDenied`; 429 (after retries) → `RateLimited`; any other non-200 status, a
 * GraphQL `errors` payload (status 200) or a non-JSON body → `ServerError` with the server's
 * message; no complete answer (connection failure, timeout) → `TransportError`; `data` not
 * matching the operation's schema → `DecodeError` naming the operation and field.
 * A 400 is a `ServerError` with `status: 400` (the runs listing turns it into `FilterRejected`).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { ApiError } from "./Errors.js"

/**
 * One GraphQL document with the schema of its `data`.
 *
 * @since 0.1.0
 * @category models
 */
export interface GraphQLOperation<A> {
  /** The operation name (as in the document); used in errors and spans. */
  readonly name: string
  /** The document as sent. */
  readonly document: string
  /** Schema of the response's `data` member. */
  readonly response: Schema.Schema<A, any>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class GraphQLClient extends Context.Tag("@effect-wandb/core/GraphQLClient")<
  GraphQLClient,
  GraphQLClient.Service
>() {}

/**
 * @since 0.1.0
 */
export declare namespace GraphQLClient {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /**
     * Sends the operation and decodes `data`. `variables` are sent as given (an empty or
     * missing map is omitted from the body, like the official client).
     */
    readonly execute: <A>(
      operation: GraphQLOperation<A>,
      variables?: Record<string, unknown>
    ) => Effect.Effect<A, ApiError>
  }
}

/**
 * Builds an operation value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const operation = <A, I>(
  name: string,
  document: string,
  response: Schema.Schema<A, I>
): GraphQLOperation<A> => ({ name, document, response })
