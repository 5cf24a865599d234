/**
 * The GraphQL transport: `POST {baseUrl}/graphql` through {@link WandbHttpClient} (auth,
 * headers, retries), with HTTP and GraphQL failures mapped to the typed errors of
 * `Errors.ts`.
 *
 * Error mapping: 401 → `Unauthorized`; 403 or a GraphQL error saying "permission denied" →
 * `PermissionDenied`; 429 (after retries) → `RateLimited`; any other non-200 status or a
 * GraphQL `errors` payload (status 200) → `ServerError` with the server's message; no complete
 * answer (connection failure, timeout) → `TransportError`; a 200 answer that does not parse
 * (JSON cut short or garbled, with a complete body) is a transport fault: retried within the
 * retry budget, then `TransportError`; `data` not matching the operation's schema →
 * `DecodeError` naming the operation and field.
 * A 400 is a `ServerError` with `status: 400` (the runs listing turns it into `FilterRejected`).
 *
 * `execute` returns the decoded `data`; `send` makes the request now and returns once the
 * answer's head is in, its body read and decoded when the returned effect runs (history scans
 * and listings fetch pages ahead that way). A sent request belongs to the caller's scope:
 * closing the scope before its answer is read drops the request and its connection.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Tracer from "effect/Tracer"
import type { ApiError } from "./Errors.js"
import { PermissionDenied, RateLimited, ServerError, TransportError, Unauthorized } from "./Errors.js"
import { fromParseError } from "./internal/decode.js"
import { errorMessages, joinMessages, messageFromText } from "./internal/errorMessage.js"
import { releaseBytes } from "./internal/releaseBytes.js"
import { parsedBody, parseRetryAfter, readBodyInAttempt } from "./internal/retry.js"
import { identityGuard } from "./internal/schemaGuard.js"
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
  /**
   * Schema of the response's `data` member. A `data` value the schema would decode to the same
   * fields unchanged is returned as it is, without a copy (members the schema does not name, which
   * a document selecting more than its schema would bring, then stay on the objects).
   */
  readonly response: Schema.Schema<A, any>
  /**
   * A faster reader of a whole answer's bytes, tried first by `send`: the decoded `data`, or
   * `undefined` to read the answer the generic way (parse, check for errors, decode with
   * `response`). It must accept only answers the generic way would decode to the same value.
   */
  readonly readAnswer?: (body: Uint8Array) => A | undefined
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
     * a body that cannot be read or does not parse is asked for again under the retry policy),
     * parses it and decodes `data` (a GraphQL `errors` payload or a `DecodeError`). Callers
     * that fetch several answers ahead hold none of their bytes until they use them. `execute`
     * has the same outcomes, every attempt reading the whole answer.
     *
     * The request lives in the caller's `Scope`: closing it before the answer is read aborts the
     * request and closes its connection, so an answer fetched ahead and never used (a listing
     * closed early) does not hold a connection until the garbage collector finds it (on Node,
     * 16 sockets per host by default: a few such answers stalled every later request).
     */
    readonly send: <A>(
      operation: GraphQLOperation<A>,
      variables?: Record<string, unknown>
    ) => Effect.Effect<Effect.Effect<A, ApiError>, ApiError, Scope.Scope>
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
  GraphQLClient.of({ send, execute: (operation, variables) => Effect.scoped(Effect.flatten(send(operation, variables))) })

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


/**
 * For `HttpClient.currentTracerDisabledWhen`: GraphQL requests make no HTTP span and send no
 * trace headers; the operation's span (see `traced` below) stands for the request. The HTTP
 * span's bookkeeping (URL and header attributes, redacted header copies, `traceparent`/`b3`)
 * cost about 0.15 ms of CPU per request.
 */
const noHttpSpan = () => true

const utf8 = new TextDecoder()

/** Per response schema, the check that its decoding would return a value as it is (compiled once). */
const identityGuards = new WeakMap<Schema.Schema.Any, (value: unknown) => boolean>()

/**
 * Whether `schema` would decode `data` to `data` itself: then the `Schema` interpreter, which
 * copies every object it decodes, is skipped (a page of 50 runs: about 55 KB less garbage).
 */
const decodesUnchanged = (schema: Schema.Schema.Any, data: unknown): boolean => {
  let guard = identityGuards.get(schema)
  if (guard === undefined) identityGuards.set(schema, guard = identityGuard(schema.ast))
  return guard(data)
}

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
    /** For `send`: each request aborted when the caller's scope closes (read or not by then). */
    const scopedHttp = HttpClient.withScope(http)
    const url = `${config.baseUrl}/graphql`
    /** Belt and braces: no server text we report may echo the key, in any of its forms. */
    const secrets = Option.match(config.apiKey, { onNone: () => [], onSome: (key) => Secrets.forms(Redacted.value(key)) })
    const scrub = (text: string): string => Secrets.mask(text, secrets)

    /** The parsed answer of a 200 response: checked for GraphQL errors and decoded. */
    const answer = <A>(operation: GraphQLOperation<A>, parsed: unknown, attempts: number) =>
      Effect.suspend(() => {
        const messages = errorMessages(parsed)
        if (messages.length > 0) return Effect.fail(graphQLErrors(messages.map(scrub), attempts))
        if (parsed === null || typeof parsed !== "object" || !("data" in parsed)) {
          return Effect.fail(new ServerError({ status: 200, attempts, reason: "response has no data member" }))
        }
        if (decodesUnchanged(operation.response, parsed.data)) return Effect.succeed(parsed.data as A)
        return Schema.decodeUnknown(operation.response)(parsed.data).pipe(
          Effect.mapError((error) => fromParseError(operation.name, "data", error))
        )
      })

    /**
     * Posts the operation through `client`. With `wholeBody`, every attempt also reads and parses
     * the whole answer (a body cut short or not parsing is retried like a reset connection and the
     * per-attempt timeout covers it); otherwise the response comes back once its head is in and
     * its body is still to read.
     */
    const post = <A, R>(
      client: HttpClient.HttpClient.With<HttpClientError.HttpClientError, R>,
      operation: GraphQLOperation<A>,
      variables: Record<string, unknown> | undefined,
      wholeBody: boolean
    ) =>
      Effect.gen(function*() {
        if (Option.isNone(config.apiKey)) {
          return yield* new Unauthorized({ reason: "no API key configured (set WANDB_API_KEY or pass apiKey)" })
        }
        const body = variables === undefined || Object.keys(variables).length === 0
          ? { query: operation.document, operationName: operation.name }
          : { query: operation.document, variables, operationName: operation.name }
        const request = HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson(body))
        const response = yield* client.execute(request).pipe(
          Effect.locally(readBodyInAttempt, wholeBody ? parseBody : undefined),
          Effect.locally(HttpClient.currentTracerDisabledWhen, noHttpSpan),
          Effect.catchAll((error) =>
            Effect.flatMap(WandbHttpClient.attempts, (attempts) =>
              Effect.fail(new TransportError({ attempts, reason: scrub(error.message) })))
          )
        )
        const attempts = yield* WandbHttpClient.attempts
        if (response.status !== 200) {
          const text = utf8.decode(yield* readBody(response, attempts, !wholeBody))
          const reason = messageFromText(scrub(text), `HTTP ${response.status}`)
          return yield* Effect.fail(statusError(response.status, reason, attempts, response.headers["retry-after"]))
        }
        return { response, attempts }
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

    /** A whole body parsed; `undefined` when it does not parse. */
    const parseWhole = (body: ArrayBuffer): { readonly value: unknown } | undefined => {
      try {
        return { value: parseBody(utf8.decode(body)) }
      } catch {
        return undefined
      }
    }

    /** The body of a 200 answer read (within the timeout) and parsed; `undefined` when it does not parse. */
    const readParsed = (response: HttpClientResponse.HttpClientResponse, attempts: number) =>
      Effect.map(readBody(response, attempts, true), parseWhole)

    const execute = <A>(operation: GraphQLOperation<A>, variables?: Record<string, unknown>) =>
      Effect.flatMap(post(http, operation, variables, true), ({ attempts, response }) => {
        // parsed by the attempt already (see `readBodyInAttempt`), unless the WandbHttpClient
        // provided does not retry through it
        const parsed = parsedBody(response)
        if (parsed !== undefined) return answer(operation, parsed.value, attempts)
        return Effect.flatMap(readParsed(response, attempts), (read) =>
          read === undefined
            ? Effect.fail(new TransportError({ attempts, reason: "the answer is not valid JSON (cut short or garbled)" }))
            : answer(operation, read.value, attempts))
      })

    /**
     * The answer's body stays in the connection (the operating system's buffers, not this
     * process's heap) until the returned effect reads it: answers fetched ahead cost no memory
     * here while they wait, and are read and decoded while fresh. A body that cannot be read then
     * (connection lost, timeout) or does not parse (cut short, garbled) is asked for again, under
     * the retry policy.
     */
    const send = <A>(operation: GraphQLOperation<A>, variables?: Record<string, unknown>) =>
      Effect.map(post(scopedHttp, operation, variables, false), ({ attempts, response }) =>
        Effect.matchEffect(readBody(response, attempts, true), {
          onFailure: () => execute(operation, variables),
          onSuccess: (body) => {
            const read = operation.readAnswer?.(new Uint8Array(body))
            const parsed = read === undefined ? parseWhole(body) : undefined
            releaseBytes(body)
            if (read !== undefined) return Effect.succeed(read)
            return parsed === undefined ? execute(operation, variables) : answer(operation, parsed.value, attempts)
          }
        }))

    const traced = <A, E, R>(effect: Effect.Effect<A, E, R>, name: string) =>
      inSpan(effect, `GraphQLClient.execute ${name}`, {
        kind: "client",
        attributes: { "graphql.operation.name": name },
        // the caller's stack (an `Error` per request) costs about 0.07 ms of CPU per request
        captureStackTrace: false
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
