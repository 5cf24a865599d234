/**
 * An in-memory `HttpClient` for unit tests: records every request and answers with a handler.
 * This is the dependency-injected style users can copy to test their own programs.
 */
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { Effect, Layer } from "effect"

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON body (GraphQL requests), else undefined. */
  readonly body: any
  /** Aborted when the platform drops the request (interrupted, or its scope closed). */
  readonly signal: AbortSignal
}

/** What a handler answers: a web `Response`, or a transport failure. */
export type Answer = Response | { readonly transportError: string }

export const make = (handler: (request: Recorded, attempt: number) => Answer | Effect.Effect<Answer>) => {
  const requests: Array<Recorded> = []
  const client = HttpClient.make((request: HttpClientRequest.HttpClientRequest, url, signal) =>
    Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array"
        ? JSON.parse(new TextDecoder().decode(request.body.body))
        : undefined
      const recorded: Recorded = { method: request.method, url: url.toString(), headers: request.headers, body, signal }
      requests.push(recorded)
      const result = handler(recorded, requests.length)
      const answer = Effect.isEffect(result) ? yield* result : result
      if ("transportError" in answer) {
        return yield* new HttpClientError.RequestError({ request, reason: "Transport", description: answer.transportError })
      }
      return HttpClientResponse.fromWeb(request, answer)
    })
  )
  return { layer: Layer.succeed(HttpClient.HttpClient, client), requests }
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers }
  })

/** Answers GraphQL requests by operation name with `data` (or a full Response). */
export const graphql = (
  handlers: Record<string, (variables: Record<string, any>) => unknown>
) =>
  make((request) => {
    const handler = handlers[request.body?.operationName]
    if (handler === undefined) return json({ errors: [{ message: `no handler for ${request.body?.operationName}` }] })
    const result = handler(request.body.variables ?? {})
    return result instanceof Response ? result : json({ data: result })
  })
