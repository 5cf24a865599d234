/**
 * The reverse proxy of `effect-wandb web`: forwards the page's requests to the W&B base URL with
 * the API key, and nothing else.
 *
 * - `POST /graphql` forwards only the page's own read operations: an `application/json` body of
 *   at most {@link MAX_BODY_BYTES} whose `query` is, to the character, one of the client's query
 *   documents ({@link pageOperations}); it is sent on as `{query, variables, operationName}`.
 * - `GET /files/*` forwards file downloads (with `Range`), never another path of the upstream.
 * - Answers are relayed with a few safe headers, and with every form of the API key masked
 *   (an upstream that echoes request headers must not hand the key to the page). Redirects
 *   (e.g. to signed storage URLs) go to the browser, never followed with the key.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Artifacts from "@effect-wandb/core/Artifacts"
import * as Histories from "@effect-wandb/core/Histories"
import * as History from "@effect-wandb/core/History"
import * as Secrets from "@effect-wandb/core/Secrets"
import * as Sweeps from "@effect-wandb/core/Sweeps"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { maskStream } from "./internal/maskBytes.js"

/**
 * The largest GraphQL request body forwarded (the page's largest, a runs listing with a filter,
 * is a few KiB).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_BODY_BYTES = 1024 * 1024

/**
 * The operations the page may send: the client's queries (`WandbApi`, `History`, `Histories`,
 * `Sweeps`, `Artifacts`), by document.
 * Mutations are not forwarded: the page only reads.
 *
 * @since 0.1.0
 * @category constants
 */
export const pageOperations: ReadonlyMap<string, string> = new Map(
  [...WandbApi.operations, ...History.operations, ...Histories.operations, ...Sweeps.operations, ...Artifacts.artifactOperations]
    .filter((operation) => /^\s*query\b/.test(operation.document.replace(/#[^\n]*/g, "")))
    .map((operation) => [operation.document, operation.name])
)

/**
 * @since 0.1.0
 * @category models
 */
export interface Upstream {
  /** The upstream W&B base URL, without trailing `/`. */
  readonly baseUrl: string
  readonly apiKey: Option.Option<Redacted.Redacted>
}

const requestHeaders = ["accept", "range", "if-none-match", "if-modified-since", "if-range"]
const responseHeaders = [
  "content-type",
  "content-length",
  "content-range",
  "accept-ranges",
  "etag",
  "last-modified",
  "retry-after",
  "location"
]

class Refused extends Data.TaggedError("Refused")<{ readonly status: number; readonly reason: string }> {}

const errorBody = (status: number, message: string) =>
  HttpServerResponse.unsafeJson({ errors: [{ message: `effect-wandb web proxy: ${message}` }] }, { status })

/** The request body, refused (413) past `MAX_BODY_BYTES` without reading the rest. */
const readBody = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const tooLarge = new Refused({ status: 413, reason: `request body over ${MAX_BODY_BYTES} bytes` })
    if (Number(request.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return yield* tooLarge
    const parts: Array<Uint8Array> = []
    let size = 0
    yield* Stream.runForEachChunk(request.stream, (chunk) =>
      Effect.suspend(() => {
        for (const part of chunk) {
          size += part.length
          parts.push(part)
        }
        return size > MAX_BODY_BYTES ? tooLarge : Effect.void
      })).pipe(Effect.catchTag("RequestError", (error) => new Refused({ status: 400, reason: error.message })))
    return Buffer.concat(parts)
  })

/** The GraphQL request to forward: one of {@link pageOperations}, as `{query, variables, operationName}`. */
const admittedOperation = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const mediaType = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    if (mediaType !== "application/json") {
      return yield* new Refused({ status: 415, reason: "only application/json requests are forwarded" })
    }
    const body = yield* readBody(request)
    const parsed = yield* Effect.try({
      try: () => JSON.parse(body.toString("utf8")) as unknown,
      catch: () => new Refused({ status: 400, reason: "the body is not JSON" })
    })
    const { operationName, query, variables } = (parsed ?? {}) as Record<string, unknown>
    const name = typeof query === "string" ? pageOperations.get(query) : undefined
    if (name === undefined || (operationName !== undefined && operationName !== name)) {
      return yield* new Refused({ status: 403, reason: "only the page's own queries are forwarded" })
    }
    if (variables !== undefined && (variables === null || typeof variables !== "object" || Array.isArray(variables))) {
      return yield* new Refused({ status: 400, reason: "variables must be an object" })
    }
    return { query, operationName: name, ...(variables === undefined ? {} : { variables }) }
  })

/** The path under `/files/` to fetch, refusing dot segments and encoded separators. */
const filePath = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.suspend(() => {
    const raw = request.originalUrl.split("?")[0]!
    const segments = raw.split("/").slice(1)
    const unsafe = segments.some((segment) => {
      let decoded: string
      try {
        decoded = decodeURIComponent(segment)
      } catch {
        return true
      }
      return decoded === "." || decoded === ".." || /[/\\]/.test(decoded)
    })
    const url = new URL(request.originalUrl, "http://web.invalid")
    return unsafe || !url.pathname.startsWith("/files/")
      ? Effect.fail(new Refused({ status: 400, reason: "not a file path" }))
      : Effect.succeed(`${url.pathname}${url.search}`)
  })

const pick = (headers: Headers.Headers, names: ReadonlyArray<string>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name of names) {
    const value = headers[name]
    if (value !== undefined) out[name] = value
  }
  return out
}

/**
 * Builds the handlers of `POST /graphql` and `GET /files/*` for `upstream`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (upstream: Upstream) => {
  const secrets = Option.match(upstream.apiKey, { onNone: () => [], onSome: (key) => Secrets.forms(Redacted.value(key)) })
  const authorize = (request: HttpClientRequest.HttpClientRequest) =>
    Option.match(upstream.apiKey, {
      onNone: () => request,
      onSome: (key) =>
        HttpClientRequest.setHeader(request, "authorization", `Basic ${Encoding.encodeBase64(`api:${Redacted.value(key)}`)}`)
    })

  const relay = (outgoing: HttpClientRequest.HttpClientRequest) =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(authorize(outgoing))
      const headers = pick(response.headers, responseHeaders)
      // the client decoded the body (and the masking must see it decoded): its length is not the upstream's
      if (response.headers["content-encoding"] !== undefined) delete headers["content-length"]
      if (headers["location"]?.startsWith(upstream.baseUrl)) headers["location"] = headers["location"].slice(upstream.baseUrl.length)
      for (const [name, value] of Object.entries(headers)) headers[name] = Secrets.mask(value, secrets)
      return HttpServerResponse.stream(maskStream(response.stream, secrets), {
        status: response.status,
        headers: Headers.fromInput(headers)
      })
    })

  const handle = (
    build: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest, Refused>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest | HttpClient.HttpClient> =>
    HttpServerRequest.HttpServerRequest.pipe(
      Effect.flatMap(build),
      Effect.flatMap(relay),
      Effect.catchTags({
        Refused: (refused) => Effect.succeed(errorBody(refused.status, refused.reason)),
        RequestError: (error) => Effect.succeed(errorBody(502, `upstream unreachable (${error.reason})`)),
        ResponseError: (error) => Effect.succeed(errorBody(502, Secrets.mask(error.message, secrets)))
      })
    )

  return {
    /** `POST /graphql`: one of the page's queries. */
    graphql: handle((request) =>
      Effect.map(admittedOperation(request), (operation) =>
        HttpClientRequest.post(`${upstream.baseUrl}/graphql`).pipe(HttpClientRequest.bodyUnsafeJson(operation)))
    ),
    /** `GET /files/*`: a file download. */
    files: handle((request) =>
      Effect.map(filePath(request), (path) =>
        HttpClientRequest.get(`${upstream.baseUrl}${path}`).pipe(
          HttpClientRequest.setHeaders(pick(request.headers, requestHeaders)),
          // the bytes as stored: ranges, sizes and MD5 sums count those
          HttpClientRequest.setHeader("accept-encoding", "identity")
        ))
    )
  }
}
