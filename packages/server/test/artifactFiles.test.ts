/**
 * The artifact HTTP endpoints at their edges: bytes by content per entity, ranges, unknown or
 * malformed paths, other methods, missing credentials, manifests by id; contents stored once per
 * entity and digest.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { createHash } from "node:crypto"
import { LocalServer } from "../src/index.js"
import { seedArtifacts, TRAIN_CSV, WEIGHTS_SIZE } from "./artifactFixtures.js"
import { basic, getBytes, insertProject, patternBytes, seedMain } from "./fixtures.js"

const hex = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")

describe("artifact endpoints", () => {
  layer(LocalServer.layerWithSql(), { excludeTestServices: true })("on the fixture", (it) => {
    it.effect("serve bytes by entity and MD5, with ranges; refuse everything else", () =>
      Effect.gen(function*() {
        yield* seedMain
        yield* seedArtifacts
        yield* insertProject("other", "p")
        const server = yield* LocalServer.LocalServer
        const csv = new TextEncoder().encode(TRAIN_CSV)
        const whole = yield* getBytes(server, `/artifacts/ent/${hex(csv)}`)
        expect(whole.status).toBe(200)
        expect(new TextDecoder().decode(whole.bytes)).toBe(TRAIN_CSV)
        expect(whole.headers.get("x-wandb-md5")).toBe(createHash("md5").update(csv).digest("base64"))
        const weights = patternBytes(WEIGHTS_SIZE, 3)
        const part = yield* getBytes(server, `/artifacts/ent/${hex(weights)}`, { range: "bytes=1048570-1048580" })
        expect(part.status).toBe(206)
        expect(part.headers.get("content-range")).toBe(`bytes 1048570-1048580/${WEIGHTS_SIZE}`)
        expect(Buffer.from(part.bytes).equals(Buffer.from(weights.subarray(1048570, 1048581)))).toBe(true)
        const beyond = yield* getBytes(server, `/artifacts/ent/${hex(csv)}`, { range: `bytes=${csv.length}-` })
        expect(beyond.status).toBe(416)
        // the bytes belong to entity ent only; unknown digests and malformed paths are 404
        expect((yield* getBytes(server, `/artifacts/other/${hex(csv)}`)).status).toBe(404)
        expect((yield* getBytes(server, `/artifacts/ent/${"0".repeat(32)}`)).status).toBe(404)
        expect((yield* getBytes(server, `/artifacts/ent/not-a-digest`)).status).toBe(404)
        expect((yield* getBytes(server, `/artifacts/ent/${hex(csv)}/extra`)).status).toBe(404)
        expect((yield* getBytes(server, `/artifacts/ent/${hex(csv)}`, {}, null)).status).toBe(401)
        const post = yield* Effect.promise(() =>
          fetch(`${server.baseUrl}/artifacts/ent/${hex(csv)}`, {
            method: "POST",
            headers: { authorization: basic(Redacted.value(server.apiKey)) }
          })
        )
        expect(post.status).toBe(405)
        // v0 and v1 share data/train.csv: two blobs hold the three stored entries
        const sql = yield* SqlClient.SqlClient
        const blobs = yield* sql<{ n: number }>`SELECT count(*) AS n FROM artifact_blobs`
        expect(blobs[0]!.n).toBe(2)
        // manifests by artifact row id
        const manifest = yield* getBytes(server, "/artifactManifests/1")
        expect(manifest.status).toBe(200)
        expect(Object.keys(JSON.parse(new TextDecoder().decode(manifest.bytes)).contents)).toEqual(["data/train.csv"])
        expect((yield* getBytes(server, "/artifactManifests/999")).status).toBe(404)
        expect((yield* getBytes(server, "/artifactManifests/x")).status).toBe(404)
      }))
  })
})
