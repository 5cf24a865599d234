/**
 * What the server leaves on disk: a database file it creates is private to its owner (0600,
 * and so are SQLite's `-wal`/`-shm` files); an existing file keeps its mode; the API key is
 * stored only as a digest, so neither the file nor its journal holds the key.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { LocalServer } from "../src/index.js"
import { keyDigest } from "../src/internal/users.js"
import { basic, gql, post } from "./fixtures.js"

const mode = (file: string) => statSync(file).mode & 0o777

const viewer = "{ viewer { username } models(entityName: \"demo\") { edges { node { name } } } }"

describe("database file", () => {
  it.live("is created 0600 (with its -wal/-shm), holds a digest of the key and never the key", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(path.join(tmpdir(), "wandb-db-"))
      const database = path.join(dir, "server.db")
      const apiKey = `secret-${randomBytes(16).toString("hex")}`
      yield* Effect.scoped(Effect.gen(function*() {
        const { server } = yield* LocalServer.make({ database, apiKey, seed: { runsPerProject: 1, stepsPerRun: 2 } })
        const reply = yield* gql(server, viewer)
        expect(reply.body.data.viewer.username).toBe("demo-user")
        expect(reply.body.data.models.edges).toHaveLength(3)
        const wrong = yield* post(server, { query: viewer }, basic(keyDigest(apiKey)))
        expect(wrong.status).toBe(401)
        const files = ["", "-wal", "-shm"].map((suffix) => database + suffix).filter((file) => existsSync(file))
        expect(files.length).toBeGreaterThanOrEqual(2)
        for (const file of files) {
          expect(mode(file), file).toBe(0o600)
          expect(readFileSync(file).includes(apiKey), file).toBe(false)
        }
        const bytes = Buffer.concat(files.map((file) => readFileSync(file)))
        expect(bytes.includes(keyDigest(apiKey))).toBe(true)
      }))
      // Reused: an existing file keeps its mode (0640 here) and its data.
      chmodSync(database, 0o640)
      yield* Effect.scoped(Effect.gen(function*() {
        const { server } = yield* LocalServer.make({ database, apiKey })
        const reply = yield* gql(server, viewer)
        expect(reply.body.data.models.edges).toHaveLength(3)
        expect(mode(database)).toBe(0o640)
      }))
    }))
})
