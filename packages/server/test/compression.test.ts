/**
 * `compression`: GraphQL answers of 1 KiB or more are gzipped for requests that accept gzip;
 * small answers, requests that refuse gzip, files and a server without the option answer as is.
 * Raw `node:http` requests: `fetch` would decode the body and hide what was sent.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as Http from "node:http"
import { gunzipSync } from "node:zlib"
import { LocalServer } from "../src/index.js"

interface Raw {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
}

const request = (
  server: LocalServer.LocalServer["Type"],
  path: string,
  headers: Record<string, string>,
  body?: unknown
) =>
  Effect.promise(() =>
    new Promise<Raw>((resolve, reject) => {
      const outgoing = Http.request(`${server.baseUrl}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          authorization: `Basic ${btoa(`api:${Redacted.value(server.apiKey)}`)}`,
          "content-type": "application/json",
          ...headers
        }
      }, (incoming) => {
        const chunks: Array<Buffer> = []
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
        incoming.on("end", () => resolve({ status: incoming.statusCode!, headers: incoming.headers, body: Buffer.concat(chunks) }))
        incoming.on("error", reject)
      })
      outgoing.on("error", reject)
      outgoing.end(body === undefined ? undefined : JSON.stringify(body))
    })
  )

/** Every run of the first demo project with its config and summary: several KiB. */
const runsOf = (project: string) => ({
  query: "query Runs($project: String!) { project(entityName: \"demo\", name: $project) { runs(first: 50) { edges { node { name config summaryMetrics } } } } }",
  variables: { project }
})
const VIEWER = { query: "{ viewer { username } }" }

describe("compression", () => {
  it.scopedLive("gzips large GraphQL answers for requests accepting gzip, nothing else", () =>
    Effect.gen(function*() {
      const { demo, server } = yield* LocalServer.make({ seed: true, compression: true })
      const runs = runsOf(demo!.projects[0]!.name)
      const plain = yield* request(server, "/graphql", {}, runs)
      expect(plain.headers["content-encoding"]).toBeUndefined()
      expect(plain.body.byteLength).toBeGreaterThan(1024)
      expect(JSON.parse(plain.body.toString()).data.project.runs.edges.length).toBeGreaterThan(0)

      const zipped = yield* request(server, "/graphql", { "accept-encoding": "gzip, br" }, runs)
      expect(zipped.status).toBe(200)
      expect(zipped.headers["content-encoding"]).toBe("gzip")
      expect(zipped.headers["vary"]).toBe("accept-encoding")
      expect(Number(zipped.headers["content-length"])).toBe(zipped.body.byteLength)
      expect(zipped.body.byteLength).toBeLessThan(plain.body.byteLength / 2)
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true)

      // refused, or too small to gain
      for (const refusal of ["gzip;q=0", "br", "identity"]) {
        const refused = yield* request(server, "/graphql", { "accept-encoding": refusal }, runs)
        expect(refused.headers["content-encoding"]).toBeUndefined()
        expect(refused.body.equals(plain.body)).toBe(true)
      }
      const small = yield* request(server, "/graphql", { "accept-encoding": "gzip" }, VIEWER)
      expect(small.headers["content-encoding"]).toBeUndefined()
      expect(JSON.parse(small.body.toString())).toEqual({ data: { viewer: { username: "demo-user" } } })

      // errors are answers too
      const rejected = yield* request(server, "/graphql", { "accept-encoding": "*" }, { query: `{ viewer { ${"x".repeat(2000)} } }` })
      expect(rejected.status).toBe(400)
      expect(rejected.headers["content-encoding"]).toBe("gzip")
      expect(JSON.parse(gunzipSync(rejected.body).toString()).errors[0].message).toContain("x".repeat(100))

      // files: the stored bytes, whatever the request accepts
      const project = demo!.projects[0]!
      const run = project.runs.find((candidate) => candidate.files.length > 0)!
      const file = yield* request(server, `/files/${demo!.entity}/${project.name}/${run.name}/${encodeURIComponent(run.files[0]!)}`, {
        "accept-encoding": "gzip"
      })
      expect(file.status).toBe(200)
      expect(file.headers["content-encoding"]).toBeUndefined()
    }))

  it.scopedLive("is off by default", () =>
    Effect.gen(function*() {
      const { demo, server } = yield* LocalServer.make({ seed: true })
      const runs = runsOf(demo!.projects[0]!.name)
      const answer = yield* request(server, "/graphql", { "accept-encoding": "gzip" }, runs)
      expect(answer.headers["content-encoding"]).toBeUndefined()
      expect(JSON.parse(answer.body.toString()).data.project.runs.edges.length).toBeGreaterThan(0)
    }))
})
