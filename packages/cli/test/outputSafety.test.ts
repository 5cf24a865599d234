/**
 * What the binary prints when the server's data is hostile or the command fails: control
 * characters in run names, tags and config never reach the terminal raw (table, csv), and
 * `--format json` prints valid JSON or nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import { NodeWandb } from "@effect-wandb/platform-node"
import { WandbApi, WandbConfig } from "@effect-wandb/core"
import { LocalServer } from "@effect-wandb/server"
import { Effect, Redacted } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { cleanEnv, runCli } from "./helpers.js"

const evil = "evil\u001b]0;PWNED\u0007\u001b[2J\u009b31m"
/** Any control character but line breaks: what must not reach the terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const control = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

describe("output safety", () => {
  it.scopedLive("a run named with terminal escapes: table and csv show them escaped, json/ndjson as JSON escapes", () =>
    Effect.gen(function*() {
      const { server } = yield* LocalServer.make({
        seed: { projects: 1, runsPerProject: 0, filesPerRun: 0, largeFileBytes: 0, stepsPerRun: 1 }
      })
      const layer = NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey }))
      const run = yield* Effect.flatMap(WandbApi.WandbApi, (api) =>
        Effect.flatMap(api.createRun({ entity: "demo", project: "evil", runId: "evil1" }), (created) =>
          api.updateRun(created, { name: evil, tags: [evil], config: { [evil]: evil } }))).pipe(Effect.provide(layer))
      const env = { ...cleanEnv(), WANDB_BASE_URL: server.baseUrl, WANDB_API_KEY: Redacted.value(server.apiKey) }
      for (const args of [
        ["runs", "demo/evil", "--format", "table"],
        ["runs", "demo/evil", "--format", "csv", "--fields", "id,name,tags,config"],
        ["run", run.path.join("/"), "--format", "table"],
        ["run", run.path.join("/"), "--format", "csv"]
      ]) {
        const result = yield* runCli(args, env)
        expect(result.code, args.join(" ")).toBe(0)
        expect(result.stdout, args.join(" ")).not.toMatch(control)
        expect(result.stdout, args.join(" ")).toContain("\\x1b]0;PWNED\\x07")
      }
      const ndjson = yield* runCli(["runs", "demo/evil", "--format", "ndjson"], env)
      expect(ndjson.stdout).not.toMatch(control)
      expect(JSON.parse(ndjson.stdout).name).toBe(evil)
    }), 60_000)

  it.scopedLive("runs --format json failing before any row prints nothing on stdout, the error on stderr", () =>
    Effect.gen(function*() {
      const env = yield* refusingServerEnv
      const result = yield* runCli(["runs", "demo/p", "--format", "json"], env)
      expect(result.code).toBe(4)
      expect(result.stdout).toBe("")
      expect(result.stderr).toMatch(/^error: /)
    }), 60_000)

  it.scopedLive("--log-level all writes log lines and their stack traces to stderr, masked, never to stdout", () =>
    Effect.gen(function*() {
      const env = yield* refusingServerEnv
      const result = yield* runCli(["--log-level", "all", "runs", "demo/p", "--format", "json"], env)
      expect(result.code).toBe(4)
      expect(result.stdout).toBe("")
      expect(result.stderr).toMatch(/level=DEBUG .*Fiber terminated/)
      expect(result.stderr).toMatch(/\n\s+at /)
      expect(result.stderr).not.toContain(env.WANDB_API_KEY)
    }), 60_000)
})

/** The environment of a CLI against a server that answers every request with 401. */
const refusingServerEnv = Effect.map(
  Effect.acquireRelease(
    Effect.async<ReturnType<typeof createServer>>((resume) => {
      const s = createServer((_request, response) => {
        response.writeHead(401, { "content-type": "application/json" }).end("{\"errors\":[{\"message\":\"no\"}]}")
      })
      s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
    }),
    (s) => Effect.promise(() => new Promise<void>((resolve) => s.close(() => resolve())))
  ),
  (server) => ({
    ...cleanEnv(),
    WANDB_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    WANDB_API_KEY: "local-0123456789abcdef0123456789abcdef"
  })
)
