/**
 * The HTTP surface around GraphQL: authentication on every endpoint, file downloads (bytes,
 * md5, Range), unknown paths, the fault-injection seams and added latency.
 */
import { HttpServerResponse } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, Stream } from "effect"
import { LocalServer } from "../src/index.js"
import { FILE_CHUNK_SIZE } from "../src/internal/ddl.js"
import { basic, BIG_FILE, BIG_SIZE, getBytes, gql, md5Base64, patternBytes, post, seedMain, SMALL_TEXT } from "./fixtures.js"

const bigUrl = `/files/ent/proj/abc123/${BIG_FILE.split("/").map(encodeURIComponent).join("/")}`
const big = patternBytes(BIG_SIZE)
/** Byte equality without vitest's (very slow on megabytes) deep diff. */
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0

const seeded = (options?: LocalServer.Options) =>
  Layer.effectDiscard(seedMain).pipe(Layer.provideMerge(LocalServer.layerWithSql(options)))

describe("http", () => {
  layer(seeded(), { excludeTestServices: true })("auth and files", (it) => {
    it.effect("401 with a JSON errors body: missing key, wrong key, wrong user — on /graphql and /files", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const key = Redacted.value(server.apiKey)
        const wrongKey = `local-${"0".repeat(40)}`
        for (const auth of [null, basic(wrongKey), `Basic ${Buffer.from(`bob:${key}`).toString("base64")}`, "Bearer x"]) {
          const graphql = yield* post(server, { query: "{ viewer { id } }" }, auth)
          expect(graphql.status).toBe(401)
          expect(graphql.body.errors[0].message.length).toBeGreaterThan(0)
          expect(JSON.stringify(graphql.body)).not.toContain(key)
          expect(JSON.stringify(graphql.body)).not.toContain(wrongKey)
          const file = yield* getBytes(server, "/files/ent/proj/abc123/x.txt", {}, auth)
          expect(file.status).toBe(401)
          expect(JSON.parse(new TextDecoder().decode(file.bytes)).errors[0].message.length).toBeGreaterThan(0)
        }
        const unknownPath = yield* getBytes(server, "/nope", {}, null)
        expect(unknownPath.status).toBe(401)
      }))

    it.effect("unknown paths: 404 JSON; /graphql GET: 405", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const nope = yield* getBytes(server, "/nope")
        expect(nope.status).toBe(404)
        const missingFile = yield* getBytes(server, "/files/ent/proj/abc123/missing.txt")
        expect(missingFile.status).toBe(404)
        expect(JSON.parse(new TextDecoder().decode(missingFile.bytes)).errors[0].message).toContain("missing.txt")
        const getGraphql = yield* getBytes(server, "/graphql")
        expect(getGraphql.status).toBe(405)
      }))

    it.effect("file bytes at the url the server hands out, matching md5, Content-Length/Type, Accept-Ranges", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const listed = yield* gql(
          server,
          `{ project(name: "proj", entityName: "ent") { run(name: "abc123") { files { edges { node { name url md5 sizeBytes mimetype } } } } } }`
        )
        for (const { node } of listed.body.data.project.run.files.edges) {
          const reply = yield* getBytes(server, node.url)
          expect(reply.status, node.name).toBe(200)
          expect(reply.bytes.length).toBe(node.sizeBytes)
          expect(md5Base64(reply.bytes)).toBe(node.md5)
          expect(reply.headers.get("content-length")).toBe(String(node.sizeBytes))
          expect(reply.headers.get("content-type")).toContain(node.mimetype)
          expect(reply.headers.get("accept-ranges")).toBe("bytes")
        }
        const text = yield* getBytes(server, "/files/ent/proj/abc123/x.txt")
        expect(new TextDecoder().decode(text.bytes)).toBe(SMALL_TEXT)
        const whole = yield* getBytes(server, bigUrl)
        expect(sameBytes(whole.bytes, big)).toBe(true)
      }))

    it.effect("Range: a-b, a-, -n → 206 with Content-Range (across chunk boundaries); unsatisfiable → 416", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const cases: ReadonlyArray<readonly [string, number, number]> = [
          ["bytes=0-9", 0, 9],
          [`bytes=${FILE_CHUNK_SIZE - 5}-${FILE_CHUNK_SIZE + 4}`, FILE_CHUNK_SIZE - 5, FILE_CHUNK_SIZE + 4],
          [`bytes=${FILE_CHUNK_SIZE * 2 - 1}-`, FILE_CHUNK_SIZE * 2 - 1, BIG_SIZE - 1],
          ["bytes=-100", BIG_SIZE - 100, BIG_SIZE - 1],
          [`bytes=10-${BIG_SIZE * 2}`, 10, BIG_SIZE - 1]
        ]
        for (const [range, start, end] of cases) {
          const reply = yield* getBytes(server, bigUrl, { range })
          expect(reply.status, range).toBe(206)
          expect(reply.headers.get("content-range"), range).toBe(`bytes ${start}-${end}/${BIG_SIZE}`)
          expect(reply.headers.get("content-length"), range).toBe(String(end - start + 1))
          expect(sameBytes(reply.bytes, big.subarray(start, end + 1)), range).toBe(true)
        }
        for (const range of [`bytes=${BIG_SIZE}-`, "bytes=-0"]) {
          const reply = yield* getBytes(server, bigUrl, { range })
          expect(reply.status, range).toBe(416)
          expect(reply.headers.get("content-range"), range).toBe(`bytes */${BIG_SIZE}`)
        }
        const ignored = yield* getBytes(server, bigUrl, { range: "bytes=0-1,5-6" })
        expect(ignored.status).toBe(200)
        expect(ignored.bytes.length).toBe(BIG_SIZE)
      }))
  })

  layer(
    seeded({
      apiKey: Redacted.make("local-0123456789abcdef0123456789abcdef01234567"),
      username: "alice",
      entity: "alice",
      latencyMs: 5,
      faultInjection: (request) =>
        Effect.succeed(
          request.headers["x-fault"] === "503"
            ? Option.some(HttpServerResponse.text("{\"errors\":[{\"message\":\"injected\"}]}", {
              status: 503,
              headers: { "retry-after": "1" },
              contentType: "application/json"
            }))
            : Option.none()
        ),
      transformFileBody: (file, body) => file.name === "x.txt" ? Stream.take(body, 0) : body
    }),
    { excludeTestServices: true }
  )("options", (it) => {
    it.effect("custom key/user/entity, fault injection before auth, file body transform, added latency", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        expect(Redacted.value(server.apiKey)).toBe("local-0123456789abcdef0123456789abcdef01234567")
        expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        const viewer = yield* gql(server, "{ viewer { username entity } }")
        expect(viewer.body.data.viewer).toEqual({ username: "alice", entity: "alice" })
        const faulted = yield* Effect.promise(() =>
          fetch(`${server.baseUrl}/graphql`, { method: "POST", headers: { "x-fault": "503" }, body: "{}" })
        )
        expect(faulted.status).toBe(503)
        expect(faulted.headers.get("retry-after")).toBe("1")
        const untouched = yield* getBytes(server, "/files/ent/proj/abc123/config.yaml")
        expect(new TextDecoder().decode(untouched.bytes)).toBe("lr: 0.02\n")
        const truncated = yield* Effect.promise(() =>
          fetch(`${server.baseUrl}/files/ent/proj/abc123/x.txt`, {
            headers: { authorization: basic(Redacted.value(server.apiKey)) }
          }).then((r) => r.arrayBuffer()).then(() => "complete", () => "broken")
        )
        expect(truncated).toBe("broken")
      }))
  })
})
