/**
 * Running the built `effect-wandb` binary as a subprocess, against a local server started in
 * the test process.
 */
import * as LocalServer from "@effect-wandb/server/LocalServer"
import { Effect, Redacted, Stream } from "effect"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { fileURLToPath } from "node:url"

export const bin = fileURLToPath(new URL("../bin/effect-wandb.js", import.meta.url))

/** The key the test server accepts: random, so any appearance in an output is a leak. */
export const apiKey = `cli-test-${randomBytes(16).toString("hex")}`

export interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Every output of every run, to check that the key never appears. */
export const transcript: Array<string> = []

/** The environment without the caller's W&B settings. */
export const cleanEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env }
  for (const name of Object.keys(env)) if (name.startsWith("WANDB_")) delete env[name]
  return env
}

export const runCli = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd?: string) =>
  Effect.async<Result>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("close", (code) => {
      transcript.push(stdout, stderr)
      resume(Effect.succeed({ code: code ?? -1, stdout, stderr }))
    })
    return Effect.sync(() => child.kill())
  })

/** Flips every byte served for files named `output.log`, so their md5 check fails. */
const corruptOutputLog: LocalServer.FileBodyTransform = (file, body) =>
  file.name === "output.log" ? Stream.map(body, (bytes) => bytes.map((b) => b ^ 0xff)) : body

export const ServerLive = LocalServer.layer({ seed: true, apiKey: Redacted.make(apiKey), transformFileBody: corruptOutputLog })

/** The environment pointing the CLI at the test server. */
export const serverEnv = Effect.map(LocalServer.LocalServer, (server) => ({
  ...cleanEnv(),
  WANDB_BASE_URL: server.baseUrl,
  WANDB_API_KEY: apiKey
}))
