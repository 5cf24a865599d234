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
 * `execute` returns the decoded `data`; `send` makes the request now and returns once the
 * answer's head is in, its body read and decoded when the returned effect runs (history scans
 * fetch pages ahead that way).
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Tracer from "effect/Tracer"
import type { ApiError } from "./Errors.js"
import { PermissionDenied, RateLimited, ServerError, TransportError, Unauthorized } from "./Errors.js"
import { fromParseError } from "./internal/decode.js"
import { errorMessages, excerpt, joinMessages, messageFromText } from "./internal/errorMessage.js"
import { parseRetryAfter, readBodyInAttempt } from "./internal/retry.js"
import * as LenientJson from "./LenientJson.js"
import * as Secrets from "./Secrets.js"
import { WandbConfig } from "./WandbConfig.js"
import * as WandbHttpClient from "./WandbHttpClient.js"

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
    /**
     * Sends the operation now and returns once the answer's head is in: the outer effect fails
     * with what the request and its HTTP status tell (`TransportError`, `Unauthorized`,
     * `PermissionDenied`, `RateLimited`, `ServerError` for a status other than 200); the inner
     * effect reads the body (left in the connection until then, within the per-attempt timeout;
     * a body that cannot be read is asked for again under the retry policy), parses it and
     * decodes `data` (a GraphQL `errors` payload, a non-JSON body or a `DecodeError`). Callers
     * that fetch several answers ahead hold none of their bytes until they use them. `execute`
     * has the same outcomes, every attempt reading the whole answer.
     */
    readonly send: <A>(
      operation: GraphQLOperation<A>,
      variables?: Record<string, unknown>
    ) => Effect.Effect<Effect.Effect<A, ApiError>, ApiError>
  }
}

/**
 * A service from its `send` alone (`execute` runs the answer right away): what an in-memory
 * GraphQL client for tests needs to implement.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSend = (send: GraphQLClient.Service["send"]): GraphQLClient.Service =>
  GraphQLClient.of({ send, execute: (operation, variables) => Effect.flatten(send(operation, variables)) })

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


const parseBody = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return LenientJson.parse(text)
  }
}

/**
 * `effect` in a span whose end records the outcome but not the value. Ended spans stay reachable
 * for a while after their request (observed, not pinned down: the HTTP stack keeps recent
 * requests' fibers), and a decoded answer held in the span's exit lived as long and was promoted
 * to the old generation: 1000 history pages of 330 KB promoted 646 MB instead of 375 MB.
 */
const inSpan = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  name: string,
  options: Tracer.SpanOptions
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    let result: A
    return Effect.withSpan(Effect.map(effect, (value) => void (result = value)), name, options).pipe(
      Effect.map(() => result)
    )
  })

const statusError = (status: number, reason: string, attempts: number, retryAfter: string | undefined): ApiError => {
  if (status === 401) return new Unauthorized({ reason })
  if (status === 403) return new PermissionDenied({ reason })
  if (status === 429) {
    const retryAfterMillis = parseRetryAfter(retryAfter, Date.now())
    return new RateLimited({ attempts, reason, ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }) })
  }
  return new ServerError({ status, attempts, reason })
}

const graphQLErrors = (messages: ReadonlyArray<string>, attempts: number): ApiError => {
  const reason = joinMessages(messages)
  return messages.some((message) => /permission denied/i.test(message))
    ? new PermissionDenied({ reason })
    : new ServerError({ status: 200, attempts, reason })
}

/**
 * Builds the transport on {@link WandbHttpClient.WandbHttpClient}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<GraphQLClient.Service, never, WandbHttpClient.WandbHttpClient | WandbConfig> = Effect
  .gen(function*() {
    const config = yield* WandbConfig
    const http = yield* WandbHttpClient.WandbHttpClient
    const url = `${config.baseUrl}/graphql`
    /** Belt and braces: no server text we report may echo the key, in any of its forms. */
    const secrets = Option.match(config.apiKey, { onNone: () => [], onSome: (key) => Secrets.forms(Redacted.value(key)) })
    const scrub = (text: string): string => Secrets.mask(text, secrets)

    /** The answer of a 200 response: parsed, checked for GraphQL errors and decoded when run. */
    const answer = <A>(operation: GraphQLOperation<A>, body: ArrayBuffer, attempts: number) =>
      Effect.suspend(() => {
        const text = new TextDecoder().decode(body)
        let parsed: unknown
        try {
          // the body is standard JSON; bare NaN/Infinity (some servers) is the rare fallback
          parsed = parseBody(text)
        } catch {
          return Effect.fail(
            new ServerError({
              status: 200,
              attempts,
              reason: `response is not JSON: ${excerpt(scrub(text)) || "(empty body)"}`
            })
          )
        }
        const messages = errorMessages(parsed)
        if (messages.length > 0) return Effect.fail(graphQLErrors(messages.map(scrub), attempts))
        if (parsed === null || typeof parsed !== "object" || !("data" in parsed)) {
          return Effect.fail(new ServerError({ status: 200, attempts, reason: "response has no data member" }))
        }
        return Schema.decodeUnknown(operation.response)(parsed.data).pipe(
          Effect.mapError((error) => fromParseError(operation.name, "data", error))
        )
      })

    /**
     * Posts the operation. With `wholeBody`, every attempt also reads the whole answer (a body cut
     * short is retried like a reset connection and the per-attempt timeout covers it); otherwise
     * the response comes back once its head is in and its body is still to read.
     */
    const post = <A>(operation: GraphQLOperation<A>, variables: Record<string, unknown> | undefined, wholeBody: boolean) =>
      Effect.gen(function*() {
        if (Option.isNone(config.apiKey)) {
          return yield* new Unauthorized({ reason: "no API key configured (set WANDB_API_KEY or pass apiKey)" })
        }
        const body = variables === undefined || Object.keys(variables).length === 0
          ? { query: operation.document, operationName: operation.name }
          : { query: operation.document, variables, operationName: operation.name }
        const request = HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson(body))
        const response = yield* http.execute(request).pipe(
          Effect.locally(readBodyInAttempt, wholeBody),
          Effect.catchAll((error) =>
            Effect.flatMap(WandbHttpClient.attempts, (attempts) =>
              Effect.fail(new TransportError({ attempts, reason: scrub(error.message) })))
          )
        )
        const attempts = yield* WandbHttpClient.attempts
        const bytes = readBody(response, attempts, !wholeBody)
        if (response.status !== 200) {
          const reason = messageFromText(scrub(new TextDecoder().decode(yield* bytes)), `HTTP ${response.status}`)
          return yield* Effect.fail(statusError(response.status, reason, attempts, response.headers["retry-after"]))
        }
        return { bytes, attempts }
      })

    /** The response's body; `timed`: within the per-attempt timeout (a body not read by the attempt). */
    const readBody = (response: HttpClientResponse.HttpClientResponse, attempts: number, timed: boolean) =>
      (timed
        ? Effect.timeoutFail(response.arrayBuffer, {
          duration: config.timeout,
          onTimeout: () => new Error(`no complete answer within ${Duration.format(config.timeout)}`)
        })
        : response.arrayBuffer).pipe(
          Effect.mapError((error) =>
            new TransportError({ attempts, reason: scrub(`reading the response failed: ${error.message}`) })
          )
        )

    const execute = <A>(operation: GraphQLOperation<A>, variables?: Record<string, unknown>) =>
      Effect.flatMap(post(operation, variables, true), ({ attempts, bytes }) =>
        Effect.flatMap(bytes, (body) => answer(operation, body, attempts)))

    /**
     * The answer's body stays in the connection (the operating system's buffers, not this
     * process's heap) until the returned effect reads it: answers fetched ahead cost no memory
     * here while they wait, and are read and decoded while fresh. A body that cannot be read then
     * (connection lost, timeout) is asked for again, under the retry policy.
     */
    const send = <A>(operation: GraphQLOperation<A>, variables?: Record<string, unknown>) =>
      Effect.map(post(operation, variables, false), ({ attempts, bytes }) =>
        Effect.matchEffect(bytes, {
          onFailure: () => execute(operation, variables),
          onSuccess: (body) => answer(operation, body, attempts)
        }))

    const traced = <A, E>(effect: Effect.Effect<A, E>, name: string) =>
      inSpan(effect, `GraphQLClient.execute ${name}`, {
        kind: "client",
        attributes: { "graphql.operation.name": name }
      })

    return GraphQLClient.of({
      send: (operation, variables) => traced(send(operation, variables), operation.name),
      execute: (operation, variables) => traced(execute(operation, variables), operation.name)
    })
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<GraphQLClient, never, WandbHttpClient.WandbHttpClient | WandbConfig> = Layer.effect(
  GraphQLClient,
  make
)
