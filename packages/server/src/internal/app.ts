/**
 * The server's HTTP application: added latency → fault-injection hook → authentication →
 * dispatch (`POST /graphql`, `GET|HEAD /files/…`, `/artifacts/…`, `/artifactManifests/…`, anything else 404). Failures never escape as
 * raw platform errors: they become JSON `errors` bodies.
 *
 * @internal
 */
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { GraphQLSchema } from "graphql"
import type { Limits } from "../Limits.js"
import { artifactFileHandler, manifestHandler } from "./artifactFileHandler.js"
import { authenticate } from "./auth.js"
import { type FileBodyTransform, fileHandler } from "./fileHandler.js"
import { compressed } from "./compression.js"
import * as Executions from "./executions.js"
import { graphqlHandler } from "./graphqlHandler.js"
import { MaxBodyBytes } from "./requestBody.js"
import * as Responses from "./responses.js"

/** @internal */
export type FaultInjection = (
  request: HttpServerRequest.HttpServerRequest
) => Effect.Effect<Option.Option<HttpServerResponse.HttpServerResponse>>

/** @internal */
export interface AppOptions {
  readonly baseUrl: string
  readonly latencyMs: number
  readonly faultInjection: FaultInjection | undefined
  readonly transformFileBody: FileBodyTransform | undefined
  readonly limits: Limits
  /** The schema requests are validated and executed against. */
  readonly schema: GraphQLSchema
  /** Whether GraphQL answers are gzipped for requests that accept it. */
  readonly compression: boolean
}

const route = (
  request: HttpServerRequest.HttpServerRequest,
  options: AppOptions,
  executions: Executions.Executions
) => {
  const path = request.url.split("?")[0]!
  if (path === "/graphql" || path === "/graphql/") {
    if (request.method !== "POST") return Effect.succeed(Responses.error(405, "use POST for /graphql", { allow: "POST" }))
    const answer = graphqlHandler(options.baseUrl, options.limits, options.schema, executions)
    return options.compression ? Effect.flatMap(answer, (response) => compressed(request, response)) : answer
  }
  if (path.startsWith("/files/")) {
    return request.method === "GET" || request.method === "HEAD"
      ? fileHandler(request, options.transformFileBody)
      : Effect.succeed(Responses.error(405, "use GET for /files", { allow: "GET, HEAD" }))
  }
  if (path.startsWith("/artifacts/") || path.startsWith("/artifactManifests/")) {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return Effect.succeed(Responses.error(405, "use GET for artifact files", { allow: "GET, HEAD" }))
    }
    return path.startsWith("/artifacts/") ? artifactFileHandler(request, options.transformFileBody) : manifestHandler(request)
  }
  return Effect.succeed(Responses.error(404, `not found: ${request.method} ${path}`))
}

/**
 * The application of one server: its GraphQL executions run one at a time (see `graphqlHandler`).
 *
 * @internal
 */
export const makeApp = (
  options: AppOptions
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | SqlClient.SqlClient
> => {
  const executions = Executions.make()
  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (options.latencyMs > 0) yield* Effect.sleep(options.latencyMs)
    if (options.faultInjection !== undefined) {
      const injected = yield* options.faultInjection(request)
      if (Option.isSome(injected)) return injected.value
    }
    return yield* authenticate(request, route(request, options, executions))
  }).pipe(
    // every body reader is bounded: ours (requestBody.ts) and the platform's `request.text`
    Effect.locally(MaxBodyBytes, options.limits.maxBodyBytes),
    IncomingMessage.withMaxBodySize(Option.some(options.limits.maxBodyBytes)),
    Effect.catchAllCause((cause) =>
      Effect.as(
        Effect.logError("request failed", cause),
        Responses.error(500, "internal server error")
      )
    )
  )
}
