/**
 * The small Node server behind `effect-wandb web`: it serves the page and its script, and
 * reverse-proxies `/graphql` and `/files/*` to the W&B base URL (the local server or any W&B
 * deployment). The proxy adds the API key on the way out, so the key never reaches the page;
 * whatever `Authorization` the page sends is dropped. Redirects (e.g. to signed storage URLs) are
 * passed to the browser, never followed with the key.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"
import * as Page from "./web/page.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  /** The upstream W&B base URL, without trailing `/`. */
  readonly baseUrl: string
  readonly apiKey: Option.Option<Redacted.Redacted>
  /** The page's script (see `WebBundle.script`). */
  readonly script: Uint8Array
  /** Defaults shown in the page. */
  readonly page: Page.PageConfig
}

const requestHeaders = ["accept", "content-type", "range", "if-none-match", "if-modified-since"]
const responseHeaders = [
  "content-type",
  "content-length",
  "content-range",
  "content-encoding",
  "accept-ranges",
  "etag",
  "last-modified",
  "retry-after",
  "location"
]

const pick = (headers: Headers.Headers, names: ReadonlyArray<string>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name of names) {
    const value = headers[name]
    if (value !== undefined) out[name] = value
  }
  return out
}

const proxyError = (message: string) =>
  HttpServerResponse.unsafeJson({ errors: [{ message: `effect-wandb web proxy: ${message}` }] }, { status: 502 })

/**
 * Forwards the current request to the same path under `baseUrl`, with the API key.
 *
 * @since 0.1.0
 * @category proxy
 */
export const forward = (
  baseUrl: string,
  apiKey: Option.Option<Redacted.Redacted>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const client = yield* HttpClient.HttpClient
    const url = new URL(request.url, "http://proxy.invalid")
    let outgoing = HttpClientRequest.make(request.method === "POST" ? "POST" : "GET")(`${baseUrl}${url.pathname}${url.search}`).pipe(
      HttpClientRequest.setHeaders(pick(request.headers, requestHeaders))
    )
    if (Option.isSome(apiKey)) {
      outgoing = HttpClientRequest.setHeader(outgoing, "authorization", `Basic ${Encoding.encodeBase64(`api:${Redacted.value(apiKey.value)}`)}`)
    }
    if (request.method === "POST") {
      const body = yield* request.arrayBuffer
      outgoing = HttpClientRequest.bodyUint8Array(outgoing, new Uint8Array(body), request.headers["content-type"] ?? "application/json")
    }
    const response = yield* client.execute(outgoing)
    const headers = pick(response.headers, responseHeaders)
    if (headers["location"]?.startsWith(baseUrl)) headers["location"] = headers["location"].slice(baseUrl.length)
    return HttpServerResponse.stream(response.stream, { status: response.status, headers: Headers.fromInput(headers) })
  }).pipe(
    Effect.catchAll((error) =>
      Effect.succeed(proxyError(error._tag === "RequestError" ? `upstream unreachable (${error.reason})` : error.message))
    )
  )

/**
 * The routes: `/` (page), `/app.js` (script), `/graphql` and `/files/*` (proxied).
 *
 * @since 0.1.0
 * @category routes
 */
export const router = (options: Options) => {
  const proxy = forward(options.baseUrl, options.apiKey)
  return HttpRouter.empty.pipe(
    HttpRouter.get("/", HttpServerResponse.html(Page.html(options.page))),
    HttpRouter.get("/app.js", Effect.succeed(HttpServerResponse.uint8Array(options.script, { contentType: "text/javascript" }))),
    HttpRouter.get("/favicon.ico", Effect.succeed(HttpServerResponse.empty({ status: 204 }))),
    HttpRouter.post("/graphql", proxy),
    HttpRouter.get("/files/*", proxy)
  )
}

/**
 * Starts the server on `host:port` for the lifetime of the scope; returns its URL.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<string, HttpServerError.ServeError, Scope.Scope | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeHttpServer.layer(createServer, { port: options.port, host: options.host }))
    const server = Context.get(context, HttpServer.HttpServer)
    const address = server.address
    const url = address._tag === "TcpAddress" ? `http://${options.host}:${address.port}` : String(address.path)
    yield* server.serve(router(options))
    return url
  })
