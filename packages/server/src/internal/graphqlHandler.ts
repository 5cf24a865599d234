/**
 * `POST /graphql`: parses the JSON body (`query`, optional `variables`, `operationName` with
 * `""`/null meaning "not specified"), parses and validates the document (HTTP 400 with
 * `{message, locations}` errors when either fails), executes it with graphql-js against
 * {@link schema} and the object graph of `graph.ts`.
 *
 * Status codes: 200 for data (with field errors, if any); 400 when a resolver rejects the whole
 * request (bad filter/order/cursor/spec) or variables cannot be coerced; 500 for internal failures.
 *
 * @internal
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { type DocumentNode, execute, GraphQLError, parse, validate } from "graphql"
import { schema } from "../Schema.js"
import { CurrentUser } from "./auth.js"
import { BadRequest } from "./badRequest.js"
import { makeContext } from "./context.js"
import { root } from "./graph.js"
import { RawJson } from "./rawJson.js"
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

const parseAndValidate = (query: string): DocumentNode | ReadonlyArray<GraphQLError> => {
  let document: DocumentNode
  try {
    document = parse(query)
  } catch (e) {
    return [e instanceof GraphQLError ? e : new GraphQLError(String(e))]
  }
  const errors = validate(schema, document)
  return errors.length > 0 ? errors : document
}

/** Clients send the same few documents over and over: keep the last results of parse + validate. */
const DOCUMENT_CACHE_SIZE = 256
const documentCache = new Map<string, DocumentNode | ReadonlyArray<GraphQLError>>()

const parseDocument = (query: string): DocumentNode | ReadonlyArray<GraphQLError> => {
  let document = documentCache.get(query)
  if (document === undefined) {
    if (documentCache.size >= DOCUMENT_CACHE_SIZE) documentCache.delete(documentCache.keys().next().value!)
    document = parseAndValidate(query)
    documentCache.set(query, document)
  }
  return document
}

/** The base URL clients reached us under (for file links), from the Host header. */
const baseUrlOf = (request: HttpServerRequest.HttpServerRequest, fallback: string): string => {
  const host = request.headers["host"]
  return host === undefined || host === "" ? fallback : `http://${host}`
}

/**
 * The handler; `fallbackBaseUrl` is used when a request has no Host header.
 *
 * @internal
 */
export const graphqlHandler = (
  fallbackBaseUrl: string
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest | CurrentUser | SqlClient.SqlClient
> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.orElseSucceed(request.text, () => undefined)
    if (body === undefined) return Responses.error(400, "could not read the request body")
    const graphqlRequest = readRequest(body)
    if (typeof graphqlRequest === "string") return Responses.error(400, graphqlRequest)
    const document = parseDocument(graphqlRequest.query)
    if (!("kind" in document)) return Responses.json(400, { errors: document.map((e) => e.toJSON()) })
    const viewer = yield* CurrentUser
    const sql = yield* SqlClient.SqlClient
    const runtime = yield* Effect.runtime<SqlClient.SqlClient>()
    const rawJson = new RawJson()
    const contextValue = makeContext(runtime, sql, baseUrlOf(request, fallbackBaseUrl), viewer, rawJson)
    const result = yield* Effect.promise(async () =>
      execute({
        schema,
        document,
        rootValue: root,
        contextValue,
        variableValues: graphqlRequest.variables,
        operationName: graphqlRequest.operationName
      })
    )
    const errors = result.errors ?? []
    const rejected = errors.filter((e) => e.originalError instanceof BadRequest)
    if (rejected.length > 0) return Responses.json(400, { errors: rejected.map((e) => ({ message: e.message })) })
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
