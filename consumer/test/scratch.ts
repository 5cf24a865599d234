/**
 * What globalSetup hands the consumer tests, and how they run programs in the scratch project
 * (plain node, the scratch project's own node_modules, nothing from the workspace).
 */
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"

/** The published packages, in dependency order (directory names under `packages/`). */
export const packages = ["core", "platform-node", "platform-browser", "server", "cli"] as const

/** Written into the scratch project when its `npm install` ends. */
export const installStatusFile = "install-status.json"

/** The scratch project laid out by globalSetup. */
export interface Consumer {
  readonly scratch: string
  readonly tarballs: Record<string, { readonly path: string; readonly bytes: number }>
  readonly timings: { readonly build: string; readonly pack: string }
}

declare module "vitest" {
  export interface ProvidedContext {
    consumer: Consumer
  }
}

/** How the scratch project's `npm install` ended. */
export interface InstallStatus {
  readonly code: number | null
  readonly output: string
  readonly seconds: number
}

/** Waits for the background `npm install` started by globalSetup. */
export const waitForInstall = async (scratch: string): Promise<InstallStatus> => {
  const file = path.join(scratch, installStatusFile)
  while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 250))
  return JSON.parse(readFileSync(file, "utf8")) as InstallStatus
}

/** The environment of a scratch program: this process's, without loaders, plus `env`. */
const environment = (env: Record<string, string>): NodeJS.ProcessEnv => {
  const { NODE_OPTIONS: _options, ...rest } = process.env
  return { ...rest, ...env }
}

/** Starts `command` in the scratch project, its output piped. */
const spawnIn = (scratch: string, command: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  spawn(command, args, { cwd: scratch, env: environment(env), stdio: ["ignore", "pipe", "pipe"] })

/** A finished scratch program. */
export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/** Runs `command` in the scratch project and collects its output. */
export const runIn = (
  scratch: string,
  command: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {}
): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawnIn(scratch, command, args, env)
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }))
  })

/** A long-running scratch program that printed the base URL it listens on. */
export interface Started {
  readonly baseUrl: string
  /** Everything it printed so far. */
  readonly output: () => string
  readonly stop: () => Promise<void>
}

/**
 * Starts a server program in the scratch project and waits (up to 60 s) until it prints its
 * base URL (`http://127.0.0.1:<port>`).
 */
export const startIn = (
  scratch: string,
  command: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {}
): Promise<Started> =>
  new Promise((resolve, reject) => {
    const child = spawnIn(scratch, command, args, env)
    let output = ""
    const exited = new Promise<void>((done) => child.on("close", () => done()))
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
      await exited
    }
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`${command} ${args.join(" ")} printed no URL within 60 s:\n${output}`))
    }, 60_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(output)
      if (url !== null) {
        clearTimeout(timer)
        resolve({ baseUrl: url[0], output: () => output, stop })
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      reject(new Error(`${command} ${args.join(" ")} exited (${code}) before printing its URL:\n${output}`))
    })
  })
