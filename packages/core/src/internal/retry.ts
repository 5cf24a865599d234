/** @internal */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Inspectable from "effect/Inspectable"
import { globalValue } from "effect/GlobalValue"
import * as Random from "effect/Random"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
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

const utf8 = new TextDecoder()

/**
 * A response whose body is already in memory: `text`, `json`, `arrayBuffer`, `urlParamsBody`
 * and `stream` read it directly, everything else is the original's. (Re-wrapping the bytes in a
 * web `Response` costs about a millisecond per large GraphQL answer in web-stream plumbing;
 * `Object.create(original)` makes every original a prototype, which V8 converts at a cost of
 * its own.)
 */
class ServedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId

  constructor(
    readonly original: HttpClientResponse.HttpClientResponse,
    readonly body: ArrayBuffer,
    private readonly decoded?: string,
    /** The body as the attempt's {@link BodyParser} parsed it, when it did. */
    readonly parsed?: { readonly value: unknown }
  ) {
    super()
  }

  get request() {
    return this.original.request
  }
  get status() {
    return this.original.status
  }
  get headers() {
    return this.original.headers
  }
  get cookies() {
    return this.original.cookies
  }
  get remoteAddress() {
    return this.original.remoteAddress
  }
  get formData() {
    return this.original.formData
  }
  get arrayBuffer() {
    return Effect.succeed(this.body)
  }
  get stream() {
    return Stream.succeed(new Uint8Array(this.body))
  }
  /** The body as text. */
  get decodedText(): string {
    return this.decoded ?? utf8.decode(this.body)
  }
  get text() {
    return Effect.sync(() => this.decodedText)
  }
  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    if (this.parsed !== undefined) return Effect.succeed(this.parsed.value)
    return Effect.try({
      try: () => {
        const text = this.decodedText
        return text === "" ? null : JSON.parse(text) as unknown
      },
      catch: (cause) => new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
    })
  }
  get urlParamsBody() {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }
  toJSON(): unknown {
    return this.original.toJSON()
  }
}

/**
 * The body an attempt already parsed, if this response came from one that did.
 *
 * @internal
 */
export const parsedBody = (response: HttpClientResponse.HttpClientResponse): { readonly value: unknown } | undefined =>
  response instanceof ServedResponse ? response.parsed : undefined

/** The response with its body read into memory; a failed read is a `Transport` error. */
const readWhole = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse
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
    Effect.map((body) => new ServedResponse(response, body))
  )

/**
 * A `200` answer read by {@link readWhole}, parsed with `parse`; one that does not parse is a
 * `Transport` error (retried like a connection lost mid-answer). Any other outcome unchanged.
 */
const parsedOutcome = (outcome: Outcome, parse: BodyParser, request: HttpClientRequest.HttpClientRequest): Outcome => {
  if (Either.isLeft(outcome) || !(outcome.right instanceof ServedResponse) || outcome.right.status !== 200) return outcome
  const { body, original } = outcome.right
  const text = utf8.decode(body)
  try {
    // a new response: the one the racing fiber returned must not hold the parsed value (see `retrying`)
    return Either.right(new ServedResponse(original, body, text, { value: parse(text) }))
  } catch {
    return Either.left(
      new HttpClientError.RequestError({
        request,
        reason: "Transport",
        description: `the answer is not valid JSON (cut short or garbled): ${excerpt(text) || "(empty body)"}`
      })
    )
  }
}

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
    // The timeout races the attempt in a fiber of its own; the answer is parsed after the race,
    // in this fiber. Parsed in the racing fiber, every answer outlived two young-generation
    // collections and was promoted (about 3 MB per collection in a runs listing, 0.3 s of
    // garbage collection per 400 pages; which reference keeps it was not pinned down), while
    // the body's bytes live outside the JavaScript heap.
    const received = (parse !== undefined ? Effect.flatMap(send, (response) => readWhole(request, response)) : send).pipe(
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
    const attempt = parse === undefined ? received : Effect.map(received, (outcome) => parsedOutcome(outcome, parse, request))
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
