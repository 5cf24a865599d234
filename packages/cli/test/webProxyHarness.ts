/**
 * `WebServer.make` in the test process, in front of an upstream, with a record of every request
 * the proxy forwards; and raw HTTP requests whose `Host`, `Origin` and cookies the test chooses
 * (as a hostile page or a rebound DNS name would send them).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { NodeWandb } from "@effect-wandb/platform-node"
import { Effect, Layer, Option, Redacted } from "effect"
import { request as httpRequest } from "node:http"
import * as WebBundle from "../src/WebBundle.js"
import * as WebServer from "../src/WebServer.js"

export interface Web {
  /** The printed URL (with the token). */
  readonly url: string
  readonly port: number
  readonly token: string
  /** The `Cookie` header the page's browser sends after opening {@link url}. */
  readonly cookie: string
  /** The URLs the proxy forwarded upstream, in order. */
  readonly forwarded: ReadonlyArray<string>
}

/** Starts the web server (token on) in front of `baseUrl` for the lifetime of the scope. */
export const startWeb = (baseUrl: string, apiKey: string) =>
  Effect.gen(function*() {
    const forwarded: Array<string> = []
    const recording = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, HttpClient.tapRequest((request) => Effect.sync(() => forwarded.push(request.url))))
    ).pipe(Layer.provide(NodeWandb.layerPlatform))
    const token = "t0ken-" + "x".repeat(20)
    const client = yield* Layer.build(recording)
    const url = yield* WebServer.make({
      host: "127.0.0.1",
      port: 0,
      baseUrl,
      apiKey: Option.some(Redacted.make(apiKey)),
      allowedHosts: [],
      token,
      script: yield* WebBundle.script,
      page: { upstream: baseUrl, entity: null, project: null }
    }).pipe(Effect.provide(client))
    const port = Number(new URL(url).port)
    return { url, port, token, cookie: `effect-wandb-web-${port}=${token}`, forwarded } satisfies Web
  })

export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: Buffer
}

/** One HTTP/1.1 request to 127.0.0.1:`port` with exactly the given headers. */
export const raw = (port: number, options: {
  readonly method?: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body?: string | Buffer
  /** Called with the number of body bytes received so far, as they arrive. */
  readonly onProgress?: (received: number) => void
}) =>
  Effect.async<RawResponse, Error>((resume) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method: options.method ?? "GET", path: options.path, headers: options.headers, setHost: false },
      (res) => {
        const parts: Array<Buffer> = []
        let received = 0
        res.on("data", (part: Buffer) => {
          parts.push(part)
          received += part.length
          options.onProgress?.(received)
        })
        res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) })))
        res.on("error", (error) => resume(Effect.fail(error)))
      }
    )
    req.on("error", (error) => resume(Effect.fail(error)))
    req.end(options.body)
  })
