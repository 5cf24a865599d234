/**
 * Running the built `effect-wandb` binary as a subprocess, against a local server started in
 * the test process.
 */
import { NodeWandb } from "@effect-wandb/platform-node"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import * as LocalServer from "@effect-wandb/server/LocalServer"
import { Effect, Layer, Redacted, Stream } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, chromium } from "playwright-core"

export const bin = fileURLToPath(new URL("../bin/effect-wandb.js", import.meta.url))

/** The server package's own bin, `effect-wandb-server`. */
export const serverBin = path.join(
  path.dirname(createRequire(import.meta.url).resolve("@effect-wandb/server/package.json")),
  "bin/effect-wandb-server.js"
)

/**
 * The server package's entry point bundled by `globalSetup` (`buildServerForTests`): the same
 * program as {@link serverBin}, which runs it from the sources through tsx and starts three
 * times slower. (The `--help` parity test runs `serverBin` itself; the consumer test, the
 * published bin.)
 */
const serverBundle = fileURLToPath(new URL("../build/test/effect-wandb-server.mjs", import.meta.url))

/** The two ways to start the server: the command line's subcommand and the server's own entry point. */
export const serverEntries = [
  { name: "effect-wandb server", command: [bin, "server"] },
  { name: "effect-wandb-server", command: [serverBundle] }
] as const

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

/** A process whose output is being collected. */
interface Running {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Its outcome once it has ended (recorded in the {@link transcript}). */
  readonly closed: Promise<Result>
}

const start = (command: ReadonlyArray<string>, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd?: string): Running => {
  const child = spawn(process.execPath, [...command, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d))
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d))
  const closed = new Promise<Result>((resolve) =>
    child.on("close", (code, signal) => {
      transcript.push(stdout, stderr)
      resolve({ code: code ?? (signal === null ? -1 : 128), stdout, stderr })
    })
  )
  return { child, stdout: () => stdout, stderr: () => stderr, closed }
}

/** Runs `node command… args…` to its end. */
export const runCommand = (command: ReadonlyArray<string>, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd?: string) =>
  Effect.async<Result>((resume) => {
    const running = start(command, args, env, cwd)
    running.closed.then((result) => resume(Effect.succeed(result)))
    return Effect.sync(() => running.child.kill())
  })

export const runCli = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd?: string) => runCommand([bin], args, env, cwd)

/** A server started by one of {@link serverEntries}, listening. */
export interface StartedServer {
  readonly baseUrl: string
  /** What it printed so far. */
  readonly stdout: () => string
  readonly stderr: () => string
  /** Stops it with SIGINT (Ctrl-C) and returns everything it printed, and its exit code. */
  readonly stop: Effect.Effect<Result>
}

/**
 * Starts a server command and waits for its first stdout line, which must be `listening on
 * <base URL>`; it is stopped when the scope closes. Fails with the output if it ends first.
 */
export const startServer = (command: ReadonlyArray<string>, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd?: string) =>
  Effect.acquireRelease(
    Effect.async<StartedServer, Error>((resume) => {
      const running = start(command, args, env, cwd)
      const stop = Effect.promise(() => {
        if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill("SIGINT")
        return running.closed
      })
      let settled = false
      const settle = (effect: Effect.Effect<StartedServer, Error>) => {
        if (!settled) resume(effect)
        settled = true
      }
      running.child.stdout!.on("data", () => {
        const text = running.stdout()
        const newline = text.indexOf("\n")
        if (newline < 0) return
        const match = /^listening on (http:\/\/\S+)$/.exec(text.slice(0, newline))
        if (match === null && !settled) running.child.kill()
        settle(match === null ? Effect.fail(new Error(`unexpected first line: ${text}`)) : Effect.succeed({ ...running, baseUrl: match[1]!, stop }))
      })
      running.closed.then((result) => settle(Effect.fail(new Error(`exited with ${result.code}: ${result.stdout}${result.stderr}`))))
    }),
    (server) => Effect.asVoid(server.stop)
  )

/** Flips every byte served for files named `output.log`, so their md5 check fails. */
const corruptOutputLog: LocalServer.FileBodyTransform = (file, body) =>
  file.name === "output.log" ? Stream.map(body, (bytes) => bytes.map((b) => b ^ 0xff)) : body

export const ServerLive = LocalServer.layer({ seed: true, apiKey: Redacted.make(apiKey), transformFileBody: corruptOutputLog })

/** The test server, and a client of it (to know what the CLI or the page should show). */
export const ServerWithApiLive = Layer.provideMerge(
  Layer.unwrapEffect(
    Effect.map(LocalServer.LocalServer, (server) =>
      WandbApi.layer({ baseUrl: server.baseUrl, apiKey }).pipe(Layer.provide(NodeWandb.layerPlatform)))
  ),
  ServerLive
)

/** The environment pointing the CLI at the test server. */
export const serverEnv = Effect.map(LocalServer.LocalServer, (server) => ({
  ...cleanEnv(),
  WANDB_BASE_URL: server.baseUrl,
  WANDB_API_KEY: apiKey
}))

/**
 * Debian's chromium (never a downloaded browser) for the lifetime of the scope; `args` are added
 * to the usual headless flags.
 */
export const launchChromium = (args: ReadonlyArray<string> = []) =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
      if (!existsSync(executablePath)) {
        return Effect.dieMessage(`chromium not found at ${executablePath}: run scripts/ensure-chromium.sh (apt-get install -y chromium) or set CHROMIUM_PATH`)
      }
      return Effect.promise(() =>
        chromium.launch({
          executablePath,
          headless: true,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            ...args
          ]
        })
      )
    }),
    (browser: Browser) => Effect.promise(() => browser.close())
  )

/**
 * `effect-wandb web --port 0 …args` as a subprocess against the test server, until the scope
 * ends; its URL from the first line, and what it wrote to stderr so far.
 */
export const startWebCli = (args: ReadonlyArray<string> = []) =>
  Effect.acquireRelease(
    Effect.flatMap(serverEnv, (env) =>
      Effect.async<{ url: string; stderr: () => string; kill: () => void }, Error>((resume) => {
        const child = spawn(process.execPath, [bin, "web", "--port", "0", ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
        let out = ""
        let err = ""
        child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d))
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d
          const match = /^serving (\S+)/m.exec(out)
          if (match !== null) resume(Effect.succeed({ url: match[1]!, stderr: () => err, kill: () => child.kill() }))
        })
        child.on("exit", (code) => resume(Effect.fail(new Error(`effect-wandb web exited (${code}): ${err}`))))
      })),
    (web) => Effect.sync(web.kill)
  )
