import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createHash, randomBytes } from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { bundleEntry, runPage, serveHarness } from "./harness.js"

// TEMPORARY fixture upstream until the local server lands.
const fixture = (body: Uint8Array) =>
  Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const server = Http.createServer((req, res) => {
        if (req.headers.authorization !== `Basic ${Buffer.from("api:secret-key").toString("base64")}`) return res.writeHead(401).end()
        if (req.url === "/files/demo/p/r/data/blob.bin") return res.writeHead(200, { "content-length": body.length }).end(body)
        res.writeHead(404).end()
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.async<void>((resume) => { server.closeAllConnections(); server.close(() => resume(Effect.void)) })
  ).pipe(Effect.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`))

describe("browser end to end", () => {
  it.scopedLive("downloads into OPFS from Chromium", () =>
    Effect.gen(function*() {
      const body = randomBytes(3 * 1024 * 1024 + 5)
      const upstream = yield* fixture(body)
      const bundle = yield* bundleEntry
      const url = yield* serveHarness({
        bundle,
        upstream,
        config: {
          apiKey: "secret-key",
          file: { name: "data/blob.bin", url: "/files/demo/p/r/data/blob.bin", md5: createHash("md5").update(body).digest("base64"), sizeBytes: body.length }
        }
      })
      const result = yield* runPage(url)
      console.log(JSON.stringify(result, (k, v) => (k === "hex" ? v.length : v), 2))
      expect(result.ok).toBe(true)
    }), 120_000)
})
