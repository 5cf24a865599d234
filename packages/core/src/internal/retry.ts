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
 * When `true` in the calling fiber (the GraphQL transport sets it), every attempt also reads
 * the whole response body: a body cut short is then retried like a reset connection, and the
 * per-attempt timeout covers the whole answer. File downloads leave it `false` and stream.
 *
 * @internal
 */
export const readBodyInAttempt: FiberRef.FiberRef<boolean> = globalValue(
  "@effect-wandb/core/internal/retry/readBodyInAttempt",
  () => FiberRef.unsafeMake(false)
)

/**
 * `response` with its body served from `body` (already in memory): `text`, `json`,
 * `arrayBuffer` and `stream` read the bytes directly, everything else is the original's.
 * (Re-wrapping the bytes in a web `Response` costs about a millisecond per large GraphQL answer
 * in web-stream plumbing.)
 */
const servedFrom = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  body: ArrayBuffer
): HttpClientResponse.HttpClientResponse => {
  const decode = () => new TextDecoder().decode(body)
  return Object.create(response, {
    arrayBuffer: { get: () => Effect.succeed(body) },
    text: { get: () => Effect.sync(decode) },
    json: {
      get: () =>
        Effect.try({
          try: () => {
            const text = decode()
            return text === "" ? null : JSON.parse(text) as unknown
          },
          catch: (cause) => new HttpClientError.ResponseError({ request, response, reason: "Decode", cause })
        })
    },
    stream: { get: () => Stream.succeed(new Uint8Array(body)) }
  })
}

/** The response with its body read into memory; a failed read is a `Transport` error. */
const readWhole = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.map(response.arrayBuffer, (body) => servedFrom(request, response, body)).pipe(
      Effect.mapError((error) =>
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: error,
          description: `connection lost while reading the response: ${error.description ?? error.message}`
        })
      )
    )

/** @internal */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 429 || (status >= 500 && status !== 501)

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date (relative to `now`).
 *
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
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
    const whole = yield* FiberRef.get(readBodyInAttempt)
    const attempt = (whole ? Effect.flatMap(send, (response) => readWhole(request, response)) : send).pipe(
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
