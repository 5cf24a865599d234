/**
 * The `effect-wandb-server` command: argument parsing, and a real process that prints its URL
 * and key and answers authenticated GraphQL over loopback.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { parseArgs } from "../src/internal/binArgs.js"
import { DEFAULT_API_KEY } from "../src/LocalServer.js"
import { basic } from "./fixtures.js"

describe("effect-wandb-server", () => {
  it("parses every option", () => {
    expect(
      parseArgs([
        "--port", "0", "--host=0.0.0.0", "--db", "/tmp/x.db", "--seed", "demo", "--runs-per-project", "4",
        "--steps-per-run", "10", "--projects", "2", "--files-per-run", "1", "--seed-value", "9",
        "--latency-ms", "20", "--api-key", "local-abc", "--username", "u", "--entity", "e"
      ])
    ).toEqual({
      port: 0,
      host: "0.0.0.0",
      database: "/tmp/x.db",
      seed: { runsPerProject: 4, stepsPerRun: 10, projects: 2, filesPerRun: 1, seed: 9 },
      latencyMs: 20,
      apiKey: "local-abc",
      username: "u",
      entity: "e"
    })
    expect(parseArgs([])).toEqual({ port: 8080 })
    expect(parseArgs(["--help"])).toBe("help")
  })

  it("rejects bad arguments with a clear message", () => {
    expect(() => parseArgs(["--port", "-1"])).toThrow("--port needs a non-negative integer")
    expect(() => parseArgs(["--seed", "other"])).toThrow("--seed supports only \"demo\"")
    expect(() => parseArgs(["--frobnicate", "1"])).toThrow("unknown option --frobnicate")
    expect(() => parseArgs(["--db"])).toThrow("--db needs a value")
  })

  it.live("starts, prints base URL and key, serves seeded demo data", () =>
    Effect.acquireUseRelease(
      Effect.sync(() =>
        spawn(
          process.execPath,
          ["bin/effect-wandb-server.js", "--port", "0", "--seed", "demo", "--runs-per-project", "2", "--steps-per-run", "5"],
          { cwd: new URL("..", import.meta.url).pathname, stdio: ["ignore", "pipe", "pipe"] }
        )
      ),
      (child) =>
        Effect.gen(function*() {
          const output = yield* Effect.async<string, Error>((resume) => {
            let text = ""
            child.stdout!.on("data", (chunk) => {
              text += String(chunk)
              if (text.includes("WANDB_API_KEY=")) resume(Effect.succeed(text))
            })
            child.on("exit", (code) => resume(Effect.fail(new Error(`exited with ${code}: ${text}`))))
          })
          const baseUrl = /WANDB_BASE_URL=(\S+)/.exec(output)![1]!
          const key = /WANDB_API_KEY=(\S+)/.exec(output)![1]!
          expect(key).toBe(DEFAULT_API_KEY)
          expect(output).toContain("seeded entity demo")
          const reply = yield* Effect.promise(() =>
            fetch(`${baseUrl}/graphql`, {
              method: "POST",
              headers: { authorization: basic(key), "content-type": "application/json" },
              body: JSON.stringify({ query: "{ viewer { username } models(entityName: \"demo\") { edges { node { name } } } }" })
            }).then((r) => r.json())
          )
          expect(reply.data.viewer.username).toBe("demo-user")
          expect(reply.data.models.edges.length).toBeGreaterThan(0)
        }),
      (child) => Effect.sync(() => child.kill("SIGINT"))
    ), 60_000)
})
