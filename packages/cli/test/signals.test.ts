/**
 * Signals end a running command with its cleanup: a download interrupted by SIGINT, SIGTERM or
 * SIGHUP (the terminal closed) leaves no `.part` file behind and exits with 130.
 */
import { describe, expect, it } from "@effect/vitest"
import { DemoData, LocalServer } from "@effect-wandb/server"
import { Context, Effect, Redacted, Stream } from "effect"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { bin, cleanEnv, transcript } from "./helpers.js"

type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.putFile>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

/** Everything under `dir`, recursively. */
const tree = (dir: string): Array<string> => readdirSync(dir, { recursive: true }).map(String).sort()

describe("signals", () => {
  for (const signal of ["SIGHUP", "SIGINT", "SIGTERM"] as const) {
    it.scopedLive(`${signal} during a download: cleanup runs, no .part file left, exit code 130`, () =>
      Effect.gen(function*() {
        // the file's first megabyte arrives, then the body stalls for good
        const { demo, server, sql } = yield* LocalServer.make({
          seed: { projects: 1, runsPerProject: 1, filesPerRun: 0, largeFileBytes: 0, stepsPerRun: 1 },
          transformFileBody: (_file, body) => Stream.concat(Stream.take(body, 1), Stream.never)
        })
        const run = demo!.projects[0]!.runs[0]!
        yield* DemoData.putFile(run.id, "big.bin", randomBytes(4 * 1024 * 1024)).pipe(
          Effect.provideService(Sql, sql as unknown as Sql)
        )
        const root = mkdtempSync(path.join(tmpdir(), "wandb-signal-"))
        const env = { ...cleanEnv(), WANDB_BASE_URL: server.baseUrl, WANDB_API_KEY: Redacted.value(server.apiKey) }
        const args = ["download", `${demo!.entity}/${demo!.projects[0]!.name}/${run.name}`, "big.bin", "--root", root]
        const result = yield* Effect.async<{ code: number | null; output: string; sawPart: boolean }>((resume) => {
          const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
          let output = ""
          let sawPart = false
          child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d))
          child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d))
          // signal once the temporary file holds bytes
          const poll = setInterval(() => {
            if (tree(root).some((entry) => entry.endsWith(".part"))) {
              sawPart = true
              clearInterval(poll)
              child.kill(signal)
            }
          }, 20)
          child.on("close", (code) => {
            clearInterval(poll)
            transcript.push(output)
            resume(Effect.succeed({ code, output, sawPart }))
          })
          return Effect.sync(() => child.kill("SIGKILL"))
        }).pipe(Effect.timeout("20 seconds"))
        expect(result.sawPart).toBe(true)
        expect(result.code).toBe(130)
        expect(tree(root)).toEqual([])
      }), 30_000)
  }
})
