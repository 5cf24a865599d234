/**
 * Browser end-to-end plumbing: an esbuild bundle of `e2e/entry.ts`, a same-origin HTTP server
 * (page + bundle + reverse proxy to the W&B server, so there is no CORS) and Debian's chromium
 * driven by playwright-core. Everything is released with the enclosing scope.
 */
import { Effect } from "effect"
import { build } from "esbuild"
import { existsSync } from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"

/** Bundles the browser program (core + platform-browser) as one ES module. */
export const bundleEntry = Effect.promise(async () => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./e2e/entry.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "silent"
  })
  return result.outputFiles[0]!.text
})

const page = (config: unknown) => `<!doctype html>
<html><head><meta charset="utf-8"><title>effect-wandb e2e</title></head>
<body><script>globalThis.__config = ${JSON.stringify(config).replace(/</g, "\\u003c")}</script>
<script type="module" src="/bundle.js"></script></body></html>`

/**
 * Forwards the request to `upstream` (same path and headers), streaming both bodies. GraphQL
 * answers are rewritten so the file URLs they carry point at this origin, as if the page's own
 * origin served the API.
 */
const proxy = (upstream: URL, origin: string, req: Http.IncomingMessage, res: Http.ServerResponse) => {
  const forward = Http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host, "accept-encoding": "identity" }
    },
    (answer) => {
      if (req.url !== "/graphql") {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
        return
      }
      const chunks: Array<Buffer> = []
      answer.on("data", (chunk: Buffer) => chunks.push(chunk))
      answer.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8").split(upstream.origin).join(origin)
        const headers = { ...answer.headers, "content-length": String(Buffer.byteLength(body)) }
        res.writeHead(answer.statusCode ?? 502, headers).end(body)
      })
    }
  )
  forward.on("error", () => res.destroy())
  req.pipe(forward)
}

/**
 * Serves `/` (the page with `config`), `/bundle.js`, and proxies everything else to `upstream`.
 * Gives the page's URL and, in arrival order, the `Range` header of every run-file request
 * (`/files/…`; `null` without one).
 */
export const serveHarness = (options: { readonly bundle: string; readonly config: unknown; readonly upstream: string }) => {
  const fileRanges: Array<string | null> = []
  return Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const upstream = new URL(options.upstream)
      const server: Http.Server = Http.createServer((req, res) => {
        if (req.url?.startsWith("/files/")) fileRanges.push(req.headers.range ?? null)
        if (req.url === "/") {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page(options.config))
        } else if (req.url === "/bundle.js") {
          res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(options.bundle)
        } else if (req.url === "/favicon.ico") {
          res.writeHead(204).end()
        } else {
          proxy(upstream, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, req, res)
        }
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.async<void>((resume) => { server.closeAllConnections(); server.close(() => resume(Effect.void)) })
  ).pipe(Effect.map((server) => ({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, fileRanges })))
}

/** Chromium from Debian (never a downloaded browser); fails loudly when it is missing. */
export const launchChromium = Effect.gen(function*() {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
  if (!existsSync(executablePath)) {
    return yield* Effect.dieMessage(
      `chromium not found at ${executablePath}: install Debian's chromium ` +
        "(apt-get install -y chromium, or scripts/ensure-chromium.sh) or set CHROMIUM_PATH"
    )
  }
  return yield* Effect.acquireRelease(
    Effect.promise(() =>
      chromium.launch({
        executablePath,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--disable-quic"
        ]
      })
    ),
    (browser) => Effect.promise(() => browser.close())
  )
})

/** Opens `url` in a fresh page and waits for the program's `globalThis.__result`. */
export const runPage = (url: string) =>
  Effect.gen(function*() {
    const browser = yield* launchChromium
    const context = yield* Effect.acquireRelease(
      Effect.promise(() => browser.newContext()),
      (context) => Effect.promise(() => context.close())
    )
    const tab = yield* Effect.promise(() => context.newPage())
    const errors: Array<string> = []
    tab.on("pageerror", (error) => errors.push(error.message))
    yield* Effect.promise(() => tab.goto(url))
    const handle = yield* Effect.tryPromise(() =>
      tab.waitForFunction(() => (globalThis as { __result?: unknown }).__result, null, { timeout: 60_000 })
    ).pipe(Effect.orDieWith((cause) => new Error(`the page produced no result (${errors.join("; ")}): ${String(cause)}`)))
    return (yield* Effect.promise(() => handle.jsonValue())) as any
  })
