/**
 * The small Node server behind `effect-wandb web`: it serves the page and its script, and
 * reverse-proxies the page's queries and file downloads to the W&B base URL (the local server or
 * any W&B deployment) with the API key, which never reaches the page (`WebProxy`). Only the page
 * it served, in the user's browser, gets answers (`WebAccess`: host names, same origin, a token
 * per start).
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"
import * as Page from "./web/page.js"
import * as WebAccess from "./WebAccess.js"
import * as WebProxy from "./WebProxy.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends WebProxy.Upstream {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  /** Host names the server also answers to, besides its own addresses (see `WebAccess.hostsFor`). */
  readonly allowedHosts: ReadonlyArray<string>
  /** The token every request must present (see `WebAccess`), or `null` for none. */
  readonly token: string | null
  /** The page's script (see `WebBundle.script`). */
  readonly script: Uint8Array
  /** Defaults shown in the page. */
  readonly page: Page.PageConfig
}

/** Headers of the page and its script: no framing, no sniffing, no caching, no referrer. */
const pageHeaders = {
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store"
}

/**
 * The routes: `/` (page), `/app.js` (script), `/graphql` and `/files/*` (proxied), behind the
 * checks of `WebAccess`.
 *
 * @since 0.1.0
 * @category routes
 */
export const app = (options: Options, policy: WebAccess.Policy) => {
  const proxy = WebProxy.make(options)
  const routes = HttpRouter.empty.pipe(
    HttpRouter.get("/", HttpServerResponse.html(Page.html(options.page)).pipe(HttpServerResponse.setHeaders(pageHeaders))),
    HttpRouter.get(
      "/app.js",
      Effect.succeed(HttpServerResponse.uint8Array(options.script, { contentType: "text/javascript", headers: Headers.fromInput(pageHeaders) }))
    ),
    HttpRouter.get("/favicon.ico", Effect.succeed(HttpServerResponse.empty({ status: 204 }))),
    HttpRouter.post("/graphql", proxy.graphql),
    HttpRouter.get("/files/*", proxy.files)
  )
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const answer = WebAccess.admit(policy, request)
    return answer === null ? routes : Effect.succeed(answer)
  })
}

/**
 * Starts the server on `host:port` for the lifetime of the scope; returns the URL to open (with
 * the token, when there is one).
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
    const port = address._tag === "TcpAddress" ? address.port : 0
    const policy: WebAccess.Policy = { hosts: WebAccess.hostsFor(options.host, options.allowedHosts), port, token: options.token }
    yield* server.serve(app(options, policy))
    const host = options.host.includes(":") && !options.host.startsWith("[") ? `[${options.host}]` : options.host
    return `http://${host}:${port}/${options.token === null ? "" : `?token=${options.token}`}`
  })
