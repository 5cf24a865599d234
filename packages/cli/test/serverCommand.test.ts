/**
 * The server command under both of its names — `effect-wandb server` (the built CLI) and
 * `effect-wandb-server` (the server package's bin) — as real processes over real HTTP and
 * SQLite: the same options, the same output, the same errors and exit codes; where the API key
 * comes from and that it is never printed unless generated; the database file's mode; and
 * that the CLI bundle loads the server only when the command runs.
 */
import { apiKeyFlagWarning } from "@effect-wandb/server/ServerCommand"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { cleanEnv, runCli, runCommand, serverBin, serverEntries, startServer } from "./helpers.js"

const tempDir = () => mkdtempSync(path.join(tmpdir(), "effect-wandb-server-test-"))
const basic = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString("base64")}`

/** POSTs a GraphQL operation with `key`; the status and the parsed body. */
const graphql = (baseUrl: string, key: string, query: string, operationName?: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: "POST",
      headers: { authorization: basic(key), "content-type": "application/json" },
      body: JSON.stringify({ query, ...(operationName === undefined ? {} : { operationName }) })
    })
    return { status: response.status, body: await response.json() as any }
  })

const viewer = "query Viewer { viewer { username entity } }"

/** better-sqlite3, from the server package (the CLI does not depend on it). */
const Sqlite = createRequire(serverBin)("better-sqlite3") as new(file: string) => { exec(sql: string): void; close(): void }

for (const entry of serverEntries) {
  describe(entry.name, () => {
    it.scopedLive("dataset, user, fault and latency options; a generated key, on stdout only", () =>
      Effect.gen(function*() {
        const server = yield* startServer(entry.command, [
          "--port", "0", "--seed", "demo", "--projects", "1", "--runs-per-project", "2", "--steps-per-run", "5",
          "--files-per-run", "1", "--seed-value", "4", "--username", "alice", "--entity", "team",
          "--faults", "503@graphql:Viewer=1,max-consecutive=1", "--fault-seed", "3", "--latency-ms", "1"
        ], cleanEnv())
        const key = /^WANDB_API_KEY=(local-[0-9a-f]{40})$/m.exec(server.stdout())?.[1]
        expect(key, server.stdout()).toBeDefined()
        // The fault plan: Viewer fails once (max-consecutive=1), then goes through.
        expect((yield* graphql(server.baseUrl, key!, viewer, "Viewer")).status).toBe(503)
        const ok = yield* graphql(server.baseUrl, key!, viewer, "Viewer")
        expect(ok.body.data.viewer).toEqual({ username: "alice", entity: "team" })
        const models = yield* graphql(server.baseUrl, key!, "{ models(entityName: \"demo\") { edges { node { name runCount } } } }")
        expect(models.body.data.models.edges).toHaveLength(1)
        expect(models.body.data.models.edges[0].node.runCount).toBe(2)
        const { code, stderr, stdout } = yield* server.stop
        expect(code).toBe(130)
        expect(stdout.split("\n")).toEqual([
          `listening on ${server.baseUrl}`,
          "  database: :memory: (demo data: entity demo, 1 projects, 2 runs)",
          "  user:     alice (default entity team)",
          "  accepts:  a key generated for this run (WANDB_API_KEY below)",
          "  faults:   503@graphql:Viewer=1,max-consecutive=1 (seed 3)",
          "  latency:  1 ms per request",
          `WANDB_BASE_URL=${server.baseUrl}`,
          `WANDB_API_KEY=${key}`,
          "Press Ctrl-C to stop.",
          ""
        ])
        expect(stderr).not.toContain(key)
      }))

    it.scopedLive("--api-key: a warning on stderr, the key nowhere in the output; the database file is created 0600; logs on stderr", () =>
      Effect.gen(function*() {
        const cwd = tempDir()
        const key = `flag-key-${randomBytes(16).toString("hex")}`
        const server = yield* startServer(entry.command, ["--port", "0", "--seed", "none", "--db", "server.db", "--api-key", key], cleanEnv(), cwd)
        expect((yield* graphql(server.baseUrl, key, viewer)).body.data.viewer.username).toBe("demo-user")
        expect(statSync(path.join(cwd, "server.db")).mode & 0o777).toBe(0o600)
        expect(server.stderr()).toBe(apiKeyFlagWarning + "\n")
        // A resolver that fails (its table dropped behind the server's back) is logged: on stderr.
        const db = new Sqlite(path.join(cwd, "server.db"))
        db.exec("DROP TABLE projects")
        db.close()
        expect((yield* graphql(server.baseUrl, key, "{ models(entityName: \"demo\") { edges { node { name } } } }")).status).toBe(500)
        const { stderr, stdout } = yield* server.stop
        expect(stderr.split("\n")[0]).toBe(apiKeyFlagWarning)
        expect(stderr).toMatch(/level=ERROR .*message="graphql resolver failed"/)
        expect(stdout).toContain("  database: server.db (no data)\n")
        expect(stdout).toContain("  accepts:  the key given with --api-key\n")
        expect(stdout).not.toMatch(/level=|resolver/)
        expect(stdout).not.toContain("WANDB_API_KEY")
        expect(stdout + stderr).not.toContain(key)
      }))

    it.scopedLive("a key from --api-key-file or env WANDB_API_KEY: accepted, never printed", () =>
      Effect.gen(function*() {
        const cwd = tempDir()
        const fileKey = `file-key-${randomBytes(16).toString("hex")}`
        const envKey = `env-key-${randomBytes(16).toString("hex")}`
        writeFileSync(path.join(cwd, "key"), `\n  ${fileKey}\n`, { mode: 0o600 })
        const starts = [
          { args: ["--api-key-file", "key"], env: { ...cleanEnv(), WANDB_API_KEY: envKey }, key: fileKey, source: "the key in key" },
          { args: [], env: { ...cleanEnv(), WANDB_API_KEY: envKey }, key: envKey, source: "the key in env WANDB_API_KEY" }
        ]
        for (const start of starts) {
          const server = yield* startServer(entry.command, ["--port", "0", "--seed", "none", ...start.args], start.env, cwd)
          expect((yield* graphql(server.baseUrl, start.key, viewer)).status).toBe(200)
          expect((yield* graphql(server.baseUrl, start.key === fileKey ? envKey : fileKey, viewer)).status).toBe(401)
          const { stderr, stdout } = yield* server.stop
          expect(stdout).toContain(`  accepts:  ${start.source}\n`)
          expect(stdout).not.toContain("WANDB_API_KEY=local-")
          expect(stderr).toBe("")
          expect(stdout + stderr).not.toContain(fileKey)
          expect(stdout + stderr).not.toContain(envKey)
        }
      }))

    it.live("bad values: one error line on stderr, nothing on stdout, the CLI's exit codes", () =>
      Effect.gen(function*() {
        const cwd = tempDir()
        writeFileSync(path.join(cwd, "plain-file"), "")
        const cases: ReadonlyArray<readonly [ReadonlyArray<string>, number, RegExp]> = [
          [["--port", "70000"], 2, /^error: invalid --port: expected an integer from 0 to 65535, got 70000$/],
          [["--latency-ms", "-1"], 2, /^error: invalid --latency-ms: expected an integer from 0 /],
          [["--host", "0.0.0.0", "--port", "0"], 2, /^error: invalid --host: 0\.0\.0\.0 is not a loopback address: give the key/],
          [["--port", "0", "--faults", "404=1"], 2, /^error: invalid --faults: unknown fault kind or setting "404"/],
          [["--port", "0", "--seed", "none", "--runs-per-project", "2"], 2, /^error: invalid --seed: the demo dataset options need --seed demo$/],
          [["--port", "0", "--api-key-file", "/nonexistent/key"], 2, /^error: invalid --api-key-file: cannot read \/nonexistent\/key/],
          [["--port", "0", "--api-key-file", "plain-file", "--api-key", "k-123456"], 2, /^error: invalid --api-key: give the key with --api-key-file or --api-key, not both$/],
          [["--port", "0", "--db", "plain-file/sub/x.db"], 9, /^error: file system error at plain-file\/sub\/x\.db: cannot open the database/]
        ]
        yield* Effect.forEach(cases, ([args, code, line]) =>
          Effect.gen(function*() {
            const result = yield* runCommand(entry.command, args, cleanEnv(), cwd)
            expect(result.code, args.join(" ")).toBe(code)
            expect(result.stdout, args.join(" ")).toBe("")
            expect(result.stderr.trim().split("\n").filter((l) => !l.startsWith("warning: ")), args.join(" ")).toHaveLength(1)
            expect(result.stderr.trim().split("\n").at(-1), args.join(" ")).toMatch(line)
          }), { concurrency: 2 })
        const usage = yield* runCommand(entry.command, ["--nope"], cleanEnv(), cwd)
        expect(usage.code).toBe(2)
        expect(usage.stdout).toBe("")
        expect(usage.stderr).toContain("Received unknown argument: '--nope'")
        // A port in use.
        const busy = yield* Effect.scoped(Effect.flatMap(
          startServer(entry.command, ["--port", "0", "--seed", "none"], cleanEnv()),
          (server) => runCommand(entry.command, ["--port", new URL(server.baseUrl).port, "--seed", "none"], cleanEnv())
        ))
        expect(busy.code).toBe(2)
        expect(busy.stderr.trim()).toMatch(/^error: invalid --host\/--port: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/)
      }))
  })
}

const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")
/** The options section of a `--help` text: every flag with its description. */
const optionsHelp = (help: string) => help.replace(ansi, "").split("OPTIONS")[1]?.trim()

describe("both entry points", () => {
  it.live("the same options, with the same descriptions", () =>
    Effect.gen(function*() {
      const [cli, server] = yield* Effect.all([runCli(["server", "--help"], cleanEnv()), runCommand([serverBin], ["--help"], cleanEnv())])
      expect(cli.code).toBe(0)
      expect(server.code).toBe(0)
      const options = optionsHelp(cli.stdout)
      for (const flag of ["--host", "--port", "--db", "--seed", "--seed-value", "--projects", "--runs-per-project", "--steps-per-run", "--files-per-run", "--latency-ms", "--faults", "--fault-seed", "--api-key-file", "--api-key", "--username", "--entity"]) {
        expect(options).toMatch(new RegExp(`^${flag} `, "m"))
      }
      expect(optionsHelp(server.stdout)).toBe(options)
    }))

  it("`effect-wandb` loads the server (GraphQL engine, SQLite) only when `server` runs: a chunk of its own", () => {
    const build = path.join(path.dirname(serverBin), "../../cli/build")
    const read = (file: string) => readFileSync(path.join(build, file), "utf8")
    // Every module the entry imports statically, transitively.
    const loaded = new Set<string>()
    const visit = (file: string): void => {
      if (loaded.has(file)) return
      loaded.add(file)
      const dir = path.dirname(file)
      for (const match of read(file).matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+)"/g)) visit(path.join(dir, match[1]!))
    }
    visit("effect-wandb.mjs")
    const chunks = readdirSync(path.join(build, "chunks")).map((name) => path.join("chunks", name))
    const serverChunks = chunks.filter((file) => read(file).includes("GraphQLSchema") || read(file).includes("better-sqlite3"))
    expect(serverChunks.length).toBeGreaterThan(0)
    expect(serverChunks.filter((file) => loaded.has(file))).toEqual([])
    expect(loaded.size).toBeGreaterThan(0)
    expect(existsSync(path.join(build, "effect-wandb.mjs"))).toBe(true)
  })
})
