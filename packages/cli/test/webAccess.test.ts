/**
 * The web page's server lends the API key to what it forwards: it must answer only its own page.
 * Requests are sent as a hostile page, a rebound DNS name or a local program would send them
 * (raw HTTP with chosen `Host`, `Origin`, cookies and bodies), against the local server, and the
 * test checks both the answer and that nothing reached the upstream.
 */
import * as Artifacts from "@effect-wandb/core/Artifacts"
import * as Histories from "@effect-wandb/core/Histories"
import * as History from "@effect-wandb/core/History"
import * as Secrets from "@effect-wandb/core/Secrets"
import * as Sweeps from "@effect-wandb/core/Sweeps"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import * as LocalServer from "@effect-wandb/server/LocalServer"
import { describe, expect, it, layer } from "@effect/vitest"
import { Chunk, Deferred, Effect, Stream } from "effect"
import { createServer, type RequestListener } from "node:http"
import { gzipSync } from "node:zlib"
import * as WebProxy from "../src/WebProxy.js"
import { maskStream } from "../src/internal/maskBytes.js"
import { apiKey, runCli, serverEnv, ServerLive, startWebCli } from "./helpers.js"
import { raw, startWeb } from "./webProxyHarness.js"

const viewer = WandbApi.operations.find((operation) => operation.name === "GetViewer")!
const createRun = WandbApi.operations.find((operation) => /mutation /.test(operation.document))!
const json = (body: unknown) => JSON.stringify(body)

const web = Effect.flatMap(LocalServer.LocalServer, (server) => startWeb(server.baseUrl, apiKey))

layer(ServerLive, { excludeTestServices: true })("web server access", (it) => {
  it.scoped("the token: the printed URL sets an HttpOnly SameSite=Strict cookie; nothing is served without it", () =>
    Effect.gen(function*() {
      const w = yield* web
      const host = `127.0.0.1:${w.port}`
      expect(new URL(w.url).searchParams.get("token")).toBe(w.token)
      expect((yield* raw(w.port, { path: "/", headers: { host } })).status).toBe(401)
      expect((yield* raw(w.port, { path: "/?token=wrong", headers: { host } })).status).toBe(401)
      expect((yield* raw(w.port, { path: "/app.js", headers: { host } })).status).toBe(401)
      expect((yield* raw(w.port, { path: "/favicon.ico", headers: { host } })).status).toBe(204)

      const exchanged = yield* raw(w.port, { path: `/?token=${w.token}`, headers: { host } })
      expect(exchanged.status).toBe(303)
      expect(exchanged.headers["location"]).toBe("/")
      const setCookie = String(exchanged.headers["set-cookie"])
      expect(setCookie).toContain(`${w.cookie}`)
      expect(setCookie).toMatch(/HttpOnly/i)
      expect(setCookie).toMatch(/SameSite=Strict/i)

      const page = yield* raw(w.port, { path: "/", headers: { host, cookie: w.cookie } })
      expect(page.status).toBe(200)
      expect(page.headers["x-frame-options"]).toBe("DENY")
      expect(page.body.toString()).not.toContain(w.token)
      expect((yield* raw(w.port, { path: "/", headers: { host, cookie: `${w.cookie}x` } })).status).toBe(401)
      expect(w.forwarded).toEqual([])
    }))

  it.scoped("Host: only the server's own names on its port (a rebound DNS name is refused)", () =>
    Effect.gen(function*() {
      const w = yield* web
      const post = (host: string) =>
        raw(w.port, {
          method: "POST",
          path: "/graphql",
          headers: { host, cookie: w.cookie, "content-type": "application/json" },
          body: json({ query: viewer.document, operationName: viewer.name })
        })
      for (const host of [`evil.example:${w.port}`, `127.0.0.1:${w.port + 1}`, "127.0.0.1", "", `user@127.0.0.1:${w.port}`]) {
        expect({ host, status: (yield* post(host)).status }).toEqual({ host, status: 403 })
      }
      expect(w.forwarded).toEqual([])
      for (const host of [`127.0.0.1:${w.port}`, `localhost:${w.port}`, `LOCALHOST:${w.port}`]) {
        const answer = yield* post(host)
        expect({ host, status: answer.status }).toEqual({ host, status: 200 })
        expect(JSON.parse(answer.body.toString()).data.viewer.username).toBe(LocalServer.DEFAULT_USERNAME)
      }
      expect(w.forwarded).toHaveLength(3)
    }))

  it.scoped("Origin: POSTs from another site are refused, same-origin ones and non-browser clients pass", () =>
    Effect.gen(function*() {
      const w = yield* web
      const host = `127.0.0.1:${w.port}`
      const post = (headers: Record<string, string>) =>
        Effect.map(
          raw(w.port, {
            method: "POST",
            path: "/graphql",
            headers: { host, cookie: w.cookie, "content-type": "application/json", ...headers },
            body: json({ query: viewer.document })
          }),
          (answer) => answer.status
        )
      expect(yield* post({ origin: "http://evil.example" })).toBe(403)
      expect(yield* post({ origin: `http://localhost:${w.port}` })).toBe(403)
      expect(yield* post({ origin: "null" })).toBe(403)
      expect(yield* post({ "sec-fetch-site": "cross-site" })).toBe(403)
      expect(yield* post({ "sec-fetch-site": "same-site" })).toBe(403)
      expect(w.forwarded).toEqual([])
      expect(yield* post({ origin: `http://${host}`, "sec-fetch-site": "same-origin" })).toBe(200)
      expect(yield* post({})).toBe(200)
    }))

  it.scoped("only the page's own queries, as application/json, up to the body limit", () =>
    Effect.gen(function*() {
      const w = yield* web
      const post = (body: string | Buffer, contentType = "application/json") =>
        raw(w.port, {
          method: "POST",
          path: "/graphql",
          headers: { host: `127.0.0.1:${w.port}`, cookie: w.cookie, "content-type": contentType },
          body
        })
      // the cross-site request of the report: text/plain needs no preflight
      expect((yield* post(json({ query: "{ viewer { username entity } }" }), "text/plain")).status).toBe(415)
      expect((yield* post(json({ query: viewer.document }), "text/plain;charset=UTF-8")).status).toBe(415)
      expect((yield* post(json({ query: "{ viewer { username entity } }" }))).status).toBe(403)
      expect((yield* post(json({ query: `${viewer.document} ` }))).status).toBe(403)
      expect((yield* post(json({ query: createRun.document, variables: { project: "p", entity: "demo", name: "planted" } })))
        .status).toBe(403)
      expect((yield* post(json({ query: viewer.document, operationName: "Other" }))).status).toBe(403)
      expect((yield* post(json({ query: viewer.document, variables: [1] }))).status).toBe(400)
      expect((yield* post("{not json"))).toMatchObject({ status: 400 })
      const tooLarge = yield* post(json({ query: viewer.document, pad: "x".repeat(WebProxy.MAX_BODY_BYTES) }))
      expect(tooLarge.status).toBe(413)
      expect(w.forwarded).toEqual([])
      // every query the client sends is forwarded, mutations never
      const queries = [...WandbApi.operations, ...History.operations, ...Histories.operations, ...Sweeps.operations, ...Artifacts.artifactOperations]
        .filter((o) => !/mutation /.test(o.document))
      expect([...WebProxy.pageOperations.keys()].sort()).toEqual(queries.map((o) => o.document).sort())
      const ok = yield* post(json({ query: viewer.document, operationName: viewer.name, extensions: { persistedQuery: 1 } }))
      expect(ok.status).toBe(200)
    }))

  it.scoped("/files/* forwards file paths only: no dot segments, no encoded separators", () =>
    Effect.gen(function*() {
      const w = yield* web
      const get = (path: string) =>
        Effect.map(raw(w.port, { path, headers: { host: `127.0.0.1:${w.port}`, cookie: w.cookie } }), (r) => r.status)
      for (
        const path of [
          "/files/../graphql?query={viewer{username}}",
          "/files/%2e%2e/graphql",
          "/files/..%2fgraphql",
          "/files/a%2f..%2f..%2fgraphql",
          "/files/a%5c..%5cgraphql",
          "/files/./x"
        ]
      ) {
        expect({ path, status: yield* get(path) }).toEqual({ path, status: 400 })
      }
      expect(w.forwarded).toEqual([])
      expect(yield* get("/files/demo/nope/nothing.txt")).toBe(404)
      expect(w.forwarded).toHaveLength(1)
    }))

  it.scoped("--no-token is refused beyond loopback; binding beyond loopback warns and keeps the token", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const refused = yield* runCli(["web", "--host", "0.0.0.0", "--port", "0", "--no-token"], env)
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toContain("--no-token")
      expect(refused.stdout).not.toContain("serving")

      const exposed = yield* startWebCli(["--host", "0.0.0.0"])
      expect(exposed.stderr()).toMatch(/^warning: --host 0\.0\.0\.0 exposes this server/m)
      expect(new URL(exposed.url).searchParams.get("token")).toMatch(/^[\w-]{43}$/)

      const local = yield* startWebCli(["--no-token"])
      expect(new URL(local.url).search).toBe("")
      const port = new URL(local.url).port
      expect((yield* raw(Number(port), { path: "/", headers: { host: `127.0.0.1:${port}` } })).status).toBe(200)
    }))
})

describe("web proxy masks the key in what it relays", () => {
  it.scoped("an upstream that echoes the request headers hands nothing of the key to the page, gzipped or not", () =>
    Effect.gen(function*() {
      for (const gzip of [false, true]) {
        // A misbehaving upstream: echoes every request header, in its GraphQL answer and in a file,
        // gzipped (when asked for) as a remote server would: the proxy must mask the decoded text.
        const upstreamUrl = yield* upstream((req, res) => {
          const text = Buffer.from(JSON.stringify({ data: { viewer: { echoed: req.headers } } }))
          const zipped = gzip && /gzip/.test(req.headers["accept-encoding"] ?? "")
          const body = zipped ? gzipSync(text) : text
          res.writeHead(200, {
            "content-type": "application/json",
            "content-length": body.length,
            ...(zipped ? { "content-encoding": "gzip" } : {})
          })
          res.end(body)
        })
        const w = yield* startWeb(upstreamUrl, apiKey)
        const headers = { host: `127.0.0.1:${w.port}`, cookie: w.cookie, "accept-encoding": "gzip" }
        const answers = [
          yield* raw(w.port, {
            method: "POST",
            path: "/graphql",
            headers: { ...headers, "content-type": "application/json" },
            body: json({ query: viewer.document })
          }),
          yield* raw(w.port, { path: "/files/x/y/z.txt", headers })
        ]
        for (const answer of answers) {
          const text = answer.body.toString()
          expect(text).toContain("authorization")
          for (const form of Secrets.forms(apiKey)) expect(text).not.toContain(form)
          expect(answer.headers["content-encoding"]).toBeUndefined()
          if (answer.headers["content-length"] !== undefined) expect(Number(answer.headers["content-length"])).toBe(answer.body.length)
          expect(() => JSON.parse(text)).not.toThrow()
        }
        // files are asked for as stored (their size, MD5 and ranges count those bytes)
        expect(JSON.parse(answers[1]!.body.toString()).data.viewer.echoed["accept-encoding"]).toBe("identity")
        // the page's own token never goes upstream either: the upstream saw no cookie
        expect(answers[0]!.body.toString()).not.toContain(w.token)
      }
    }))

  it.scoped("a file is relayed as it arrives: the page has most of the first MiB while the upstream holds the rest", () =>
    Effect.gen(function*() {
      const half = Buffer.alloc(1024 * 1024, "a")
      const rest = Buffer.alloc(1024 * 1024, "b")
      const release = yield* Deferred.make<void>()
      const upstreamUrl = yield* upstream((_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": half.length + rest.length })
        res.write(half)
        Effect.runFork(Effect.andThen(Deferred.await(release), () => res.end(rest)))
      })
      const w = yield* startWeb(upstreamUrl, apiKey)
      // A proxy that buffered the whole file would pass nothing on before the release. (The masking
      // holds back a key's length of bytes, so "most of" the first MiB.)
      const answer = yield* raw(w.port, {
        path: "/files/e/p/r/big.bin",
        headers: { host: `127.0.0.1:${w.port}`, cookie: w.cookie },
        onProgress: (received) => {
          if (received >= half.length / 2) Deferred.unsafeDone(release, Effect.void)
        }
      }).pipe(Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error("the proxy held the file back") }))
      expect(answer.status).toBe(200)
      expect(answer.body.equals(Buffer.concat([half, rest]))).toBe(true)
    }))

  it.effect("maskStream masks secrets split across chunks, keeps every other byte", () =>
    Effect.gen(function*() {
      const secret = "s3cr3t-key-0123456789"
      const text = `a${secret}b${Secrets.forms(secret)[0]}c${secret}`.repeat(3) + "tail"
      const expected = Secrets.forms(secret).reduce((out, form) => out.split(form).join("*".repeat(form.length)), text)
      for (const size of [1, 2, 3, 7, 20, 21, 22, 1000]) {
        const bytes = Buffer.from(text)
        const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size))
        const out = yield* Stream.runCollect(maskStream(Stream.fromIterable(chunks), Secrets.forms(secret)))
        expect({ size, text: Buffer.concat(Chunk.toReadonlyArray(out)).toString() }).toEqual({ size, text: expected })
      }
    }))
})

describe("Secrets.forms", () => {
  it("covers the encodings a key travels in, each decoding back to the key", () => {
    const key = "0123456789abcdef0123456789abcdef01234567"
    const forms = Secrets.forms(key)
    expect(forms).toContain(key)
    expect(forms).toContain(key.toUpperCase())
    expect(forms).toContain(Buffer.from(`api:${key}`).toString("base64"))
    expect(forms).toContain(Buffer.from(`api:${key}`).toString("base64").replace(/=+$/, ""))
    expect(forms).toContain(Buffer.from(key).toString("hex"))
    expect(forms).toContain(Buffer.from(key).toString("base64url"))
    expect(Secrets.mask(`x ${Buffer.from(key).toString("hex").toUpperCase()} y`, forms)).toBe("x <redacted> y")
  })
})

/** A stand-in upstream answering with `handler` on a loopback port; its base URL. Closed with the scope. */
const upstream = (handler: RequestListener) =>
  Effect.gen(function*() {
    const server = createServer(handler)
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () => Effect.sync(() => void server.close())
    )
    const address = server.address()
    return `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
  })
