/** @internal */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Random from "effect/Random"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Stream from "effect/Stream"
import type { RetryPolicy } from "../WandbConfig.js"
import { excerpt } from "./errorMessage.js"

/**
 * Attempts made by the most recent request of the current fiber (set by {@link retrying}).
 *
 * @internal
 */
export const currentAttempts: FiberRef.FiberRef<number> = globalValue(
  "@effect-wandb/core/internal/retry/currentAttempts",
  () => FiberRef.unsafeMake(0)
)

/**
 * How a whole answer is parsed (`JSON.parse`, throwing on a body that does not parse).
 *
 * @internal
 */
export type BodyParser = (text: string) => unknown

/**
 * When set in the calling fiber (the GraphQL transport sets it), every attempt also reads the
 * whole response body and parses a `200` answer with it: a body cut short, or a complete answer
 * that does not parse (truncated or garbled JSON), is retried like a reset connection, and the
 * per-attempt timeout covers the whole answer. The parsed value is what the response's `json`
 * then returns (parsed once). File downloads leave it unset and stream.
 *
 * @internal
 */
export const readBodyInAttempt: FiberRef.FiberRef<BodyParser | undefined> = globalValue(
  "@effect-wandb/core/internal/retry/readBodyInAttempt",
  () => FiberRef.unsafeMake<BodyParser | undefined>(undefined)
)

/** The parsed body of each response an attempt parsed (see {@link readBodyInAttempt}). */
const parsedBodies = new WeakMap<HttpClientResponse.HttpClientResponse, { readonly value: unknown }>()

/**
 * The body an attempt already parsed, if this response came from one that did.
 *
 * @internal
 */
export const parsedBody = (response: HttpClientResponse.HttpClientResponse): { readonly value: unknown } | undefined =>
  parsedBodies.get(response)

/**
 * `response` with its body served from `body` (already in memory): `text`, `json`,
 * `arrayBuffer` and `stream` read the bytes directly, everything else is the original's.
 * (Re-wrapping the bytes in a web `Response` costs about a millisecond per large GraphQL answer
 * in web-stream plumbing.) `json` is `parsed` when the body was parsed already.
 */
const servedFrom = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  body: ArrayBuffer,
  text: string,
  parsed: { readonly value: unknown } | undefined
): HttpClientResponse.HttpClientResponse => {
  const served: HttpClientResponse.HttpClientResponse = Object.create(response, {
    arrayBuffer: { get: () => Effect.succeed(body) },
    text: { get: () => Effect.succeed(text) },
    json: {
      get: () =>
        parsed !== undefined ? Effect.succeed(parsed.value) : Effect.try({
          try: () => text === "" ? null : JSON.parse(text) as unknown,
          catch: (cause) => new HttpClientError.ResponseError({ request, response, reason: "Decode", cause })
        })
    },
    stream: { get: () => Stream.succeed(new Uint8Array(body)) }
  })
  if (parsed !== undefined) parsedBodies.set(served, parsed)
  return served
}

/**
 * The response with its body read into memory (and a `200` answer parsed with `parse`); a failed
 * read, or a `200` answer that does not parse, is a `Transport` error.
 */
const readWhole = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  parse: BodyParser
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  response.arrayBuffer.pipe(
    Effect.mapError((error) =>
      new HttpClientError.RequestError({
        request,
        reason: "Transport",
        cause: error,
        description: `connection lost while reading the response: ${error.description ?? error.message}`
      })
    ),
    Effect.flatMap((body) => {
      const text = new TextDecoder().decode(body)
      if (response.status !== 200) return Effect.succeed(servedFrom(request, response, body, text, undefined))
      try {
        return Effect.succeed(servedFrom(request, response, body, text, { value: parse(text) }))
      } catch {
        return Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            description: `the answer is not valid JSON (cut short or garbled): ${excerpt(text) || "(empty body)"}`
          })
        )
      }
    })
  )

/** @internal */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 429 || (status >= 500 && status !== 501)

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date (relative to `now`); `undefined`
 * for anything else (a negative or otherwise invalid value), so the computed backoff applies.
 *
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  // an HTTP date names its weekday or month; anything else (`-5`, `1e3`, `abc`) is invalid
  if (!/[a-z]{3}/i.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * The wait before retry `retry` (1-based): exponential from `baseDelay`, capped at `maxDelay`,
 * with up to 25% jitter.
 *
 * @internal
 */
export const backoffMillis = (policy: RetryPolicy, retry: number): Effect.Effect<number> =>
  Effect.map(Random.next, (u) => {
    const base = Duration.toMillis(policy.baseDelay) * 2 ** (retry - 1)
    return Math.round(Math.min(Duration.toMillis(policy.maxDelay), base) * (1 + 0.25 * u))
  })

type Outcome = Either.Either<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

const isRetryable = (outcome: Outcome): boolean =>
  Either.match(outcome, {
    onLeft: (error) => error._tag === "RequestError" && error.reason === "Transport",
    onRight: (response) => isRetryableStatus(response.status)
  })

/**
 * Runs `send` under the retry policy with a per-attempt timeout. When the budget is spent the
 * last outcome is returned as is (a response with its error status, or the last request
 * error); the number of attempts is left in {@link currentAttempts}.
 *
 * @internal
 */
export const retrying = (policy: RetryPolicy, timeout: Duration.Duration) =>
<R>(
  send: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const parse = yield* FiberRef.get(readBodyInAttempt)
    const attempt = (parse !== undefined ? Effect.flatMap(send, (response) => readWhole(request, response, parse)) : send).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            description: `no response within ${Duration.format(timeout)}`
          })
      }),
      Effect.either
    )
    for (let attempts = 1;; attempts++) {
      const outcome = yield* attempt
      if (attempts >= policy.maxAttempts || !isRetryable(outcome)) {
        yield* FiberRef.set(currentAttempts, attempts)
        return yield* outcome
      }
      const now = yield* Clock.currentTimeMillis
      const retryAfter = Either.isRight(outcome)
        ? parseRetryAfter(outcome.right.headers["retry-after"], now)
        : undefined
      const wait = retryAfter ?? (yield* backoffMillis(policy, attempts))
      if (now + wait - start > Duration.toMillis(policy.maxRetryTime)) {
        yield* FiberRef.set(currentAttempts, attempts)
        return yield* outcome
      }
      if (Either.isRight(outcome)) yield* Effect.ignore(outcome.right.text)
      yield* Effect.sleep(Duration.millis(wait))
    }
  })
