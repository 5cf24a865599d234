/**
 * `POST /graphql`: parses the JSON body (`query`, optional `variables`, `operationName` with
 * `""`/null meaning "not specified"), parses and validates the document (HTTP 400 with
 * `{message, locations}` errors when either fails), executes it with graphql-js against
 * {@link schema} and the object graph of `graph.ts`.
 *
 * Status codes: 200 for data (with field errors, if any); 413 for a body over `maxBodyBytes`; 400
 * when the operation is over a cost limit (`queryLimits.ts`), a resolver rejects the whole request
 * (bad filter/order/cursor/spec), SQLite refuses a statement for its size, or variables cannot be
 * coerced; 500 for internal failures.
 *
 * @internal
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { type DocumentNode, execute, GraphQLError, type GraphQLSchema, parse, validate } from "graphql"
import type { Limits } from "../Limits.js"
import { CurrentUser } from "./auth.js"
import { BadRequest } from "./badRequest.js"
import { makeContext } from "./context.js"
import type { Executions } from "./executions.js"
import { root } from "./graph.js"
import { checkCost, checkShape } from "./queryLimits.js"
import { RawJson } from "./rawJson.js"
import { readBody, tooLarge, unreadable } from "./requestBody.js"
import { RegexTooExpensive } from "./sqliteFunctions.js"
import * as Responses from "./responses.js"

interface GraphqlRequest {
  readonly query: string
  readonly variables: Record<string, unknown>
  readonly operationName: string | undefined
}

const readRequest = (body: string): GraphqlRequest | string => {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return "request body is not valid JSON"
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "request body must be a JSON object"
  const { operationName, query, variables } = value as Record<string, unknown>
  if (typeof query !== "string" || query.trim() === "") return "request body must have a non-empty string \"query\""
  if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) {
    return "\"variables\" must be a JSON object"
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") {
    return "\"operationName\" must be a string"
  }
  return {
    query,
    variables: (variables ?? {}) as Record<string, unknown>,
    operationName: operationName === "" || operationName === null ? undefined : operationName
  }
}

const parseAndValidate = (schema: GraphQLSchema, limits: Limits, query: string): DocumentNode | ReadonlyArray<GraphQLError> => {
  let document: DocumentNode
  try {
    document = parse(query, { maxTokens: limits.maxTokens })
  } catch (e) {
    return [e instanceof GraphQLError ? e : new GraphQLError(String(e))]
  }
  // before graphql-js' rules: its overlapping-fields check is quadratic in a selection set's width
  const shape = checkShape(schema, limits, document)
  if (shape.length > 0) return shape.map((message) => new GraphQLError(message))
  const errors = validate(schema, document)
  return errors.length > 0 ? errors : document
}

/**
 * Clients send the same few documents over and over: keep the last results of parse + validate,
 * per server (the result depends on its limits).
 */
const DOCUMENT_CACHE_SIZE = 256
const documentCaches = new WeakMap<Limits, Map<string, DocumentNode | ReadonlyArray<GraphQLError>>>()

const parseDocument = (schema: GraphQLSchema, limits: Limits, query: string): DocumentNode | ReadonlyArray<GraphQLError> => {
  let documentCache = documentCaches.get(limits)
  if (documentCache === undefined) {
    documentCache = new Map()
    documentCaches.set(limits, documentCache)
  }
  let document = documentCache.get(query)
  if (document === undefined) {
    if (documentCache.size >= DOCUMENT_CACHE_SIZE) documentCache.delete(documentCache.keys().next().value!)
    document = parseAndValidate(schema, limits, query)
    documentCache.set(query, document)
  }
  return document
}

/**
 * SQLite refusing a statement for its size (expression depth, terms, variables, LIKE pattern
 * length, …), or a `$regex` too expensive to evaluate: the request was too big, not the server
 * broken, so it is a 400.
 */
const SQLITE_LIMIT = /too large|too big|too many|too complex|stack overflow|maximum depth/i

const sqliteLimitMessage = (error: unknown): string | undefined => {
  if (!(error instanceof SqlError)) return undefined
  const cause = error.cause
  if (cause instanceof RegexTooExpensive) return cause.message
  const message = cause instanceof Error ? cause.message : String(cause)
  const code = typeof cause === "object" && cause !== null ? (cause as { readonly code?: unknown }).code : undefined
  return SQLITE_LIMIT.test(message) || code === "SQLITE_TOOBIG"
    ? `the request is too large for the database: ${message}`
    : undefined
}

/** The base URL clients reached us under (for file links), from the Host header. */
const baseUrlOf = (request: HttpServerRequest.HttpServerRequest, fallback: string): string => {
  const host = request.headers["host"]
  return host === undefined || host === "" ? fallback : `http://${host}`
}

/**
 * The handler; `fallbackBaseUrl` is used when a request has no Host header.
 *
 * `executions`: the server's, which run executions one at a time (`internal/executions.ts`).
 *
 * @internal
 */
export const graphqlHandler = (
  fallbackBaseUrl: string,
  limits: Limits,
  schema: GraphQLSchema,
  executions: Executions
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | CurrentUser | SqlClient.SqlClient
> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* readBody(request)
    if (body._tag === "TooLarge") return tooLarge(body.maxBytes)
    if (body._tag === "Unreadable") return unreadable()
    const graphqlRequest = readRequest(body.text)
    if (typeof graphqlRequest === "string") return Responses.error(400, graphqlRequest)
    const document = parseDocument(schema, limits, graphqlRequest.query)
    if (!("kind" in document)) return Responses.json(400, { errors: document.map((e) => e.toJSON()) })
    const overCost = checkCost(schema, limits, document, graphqlRequest.operationName, graphqlRequest.variables)
    if (overCost.length > 0) return Responses.json(400, { errors: overCost.map((message) => ({ message })) })
    const viewer = yield* CurrentUser
    const sql = yield* SqlClient.SqlClient
    const runtime = yield* Effect.runtime<SqlClient.SqlClient>()
    const rawJson = new RawJson()
    const contextValue = makeContext(runtime, sql, baseUrlOf(request, fallbackBaseUrl), viewer, rawJson, limits)
    const result = yield* executions(Effect.promise(async () =>
      execute({
        schema,
        document,
        rootValue: root,
        contextValue,
        variableValues: graphqlRequest.variables,
        operationName: graphqlRequest.operationName
      })
    ))
    const errors = result.errors ?? []
    const rejected = errors.flatMap((e) => {
      if (e.originalError instanceof BadRequest) return [e.message]
      const limit = sqliteLimitMessage(e.originalError)
      return limit === undefined ? [] : [limit]
    })
    // one refusal (a filter shared by `runCount` and `runs`) is reported once
    if (rejected.length > 0) return Responses.json(400, { errors: [...new Set(rejected)].map((message) => ({ message })) })
    const internal = errors.filter((e) => e.originalError !== undefined && !(e.originalError instanceof GraphQLError))
    if (internal.length > 0) {
      yield* Effect.logError("graphql resolver failed", internal.map((e) => e.originalError))
      return Responses.json(500, { errors: internal.map((e) => ({ message: e.message, path: e.path })) })
    }
    if (result.data === undefined || result.data === null) {
      return Responses.json(400, { errors: errors.map((e) => e.toJSON()) })
    }
    return Responses.json(200, result, undefined, rawJson)
  })
