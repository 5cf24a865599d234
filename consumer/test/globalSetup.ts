/**
 * Before any test: builds every package (`pnpm run build`: tsc to `dist/`, the CLI bundle and
 * web page), packs each one with `pnpm pack` (which writes `publishConfig` into the tarball's
 * package.json), lays out a scratch project in a temporary directory outside the workspace and
 * starts its `npm install` of the tarballs in the background, so that it runs while the other
 * projects' tests do; the consumer tests wait for it.
 */
import { execFile, spawn } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import type { TestProject } from "vitest/node"
import { installStatusFile, packages, type Consumer } from "./scratch.js"

const run = promisify(execFile)
const root = fileURLToPath(new URL("../..", import.meta.url))
const fixtures = fileURLToPath(new URL("../fixtures", import.meta.url))
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`

/** Versions the scratch project pins beside the tarballs (an app's own dependencies). */
const appDependencies = {
  effect: "3.22.4",
  "@effect/platform": "0.97.2",
  // Optional peers of @effect-wandb/cli's library modules (its bin is a self-contained bundle).
  "@effect/cli": "0.77.2",
  "@effect/printer": "0.51.0",
  "@effect/printer-ansi": "0.51.0",
  "@types/node": "20.19.43",
  typescript: "5.9.3"
}

/**
 * better-sqlite3 (a dependency of the server and CLI tarballs) is native, and nothing can be
 * downloaded here: its install script (prebuild-install, then node-gyp) compiles SQLite from
 * source, about 75 s of CPU (2-3 min on this shared 2-core machine). prebuild-install first looks
 * for a local prebuild, though; this offers it the workspace's binary of the same version,
 * compiled from source by the workspace's own install on this Node, packed under the name it
 * looks for. When the versions differ it is not found and the install compiles, as it does with
 * `CONSUMER_NATIVE=source`. Returns the environment that points the install at it.
 */
const localPrebuild = async (dir: string): Promise<Record<string, string>> => {
  if (process.env.CONSUMER_NATIVE === "source") return {}
  const fromServer = createRequire(path.join(root, "packages/server/package.json"))
  const packageDir = path.dirname(fromServer.resolve("better-sqlite3/package.json"))
  const binary = "build/Release/better_sqlite3.node"
  if (!existsSync(path.join(packageDir, binary))) return {}
  const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string }
  mkdirSync(dir)
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
  await run("tar", ["czf", path.join(dir, name), "-C", packageDir, binary])
  return { npm_config_better_sqlite3_local_prebuilds: dir }
}

export default async function setup(project: TestProject) {
  const started = performance.now()
  await run("pnpm", ["run", "build"], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
  const built = seconds(started)

  const scratch = mkdtempSync(path.join(os.tmpdir(), "effect-wandb-consumer-"))
  const tarballs = path.join(scratch, "tarballs")
  mkdirSync(tarballs)
  const packStarted = performance.now()
  await Promise.all(
    packages.map((name) => run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: path.join(root, "packages", name) }))
  )
  const files = readdirSync(tarballs)
  const tarball = Object.fromEntries(packages.map((name) => {
    const file = files.find((f) => f.startsWith(`effect-wandb-${name}-`) && f.endsWith(".tgz"))
    if (file === undefined) throw new Error(`pnpm pack wrote no tarball for ${name} (got ${files.join(", ")})`)
    return [name, path.join(tarballs, file)]
  }))
  const packed = seconds(packStarted)

  cpSync(fixtures, scratch, { recursive: true })
  writeFileSync(
    path.join(scratch, "package.json"),
    JSON.stringify(
      {
        name: "effect-wandb-consumer-scratch",
        private: true,
        type: "module",
        dependencies: {
          ...Object.fromEntries(packages.map((name) => [`@effect-wandb/${name}`, `file:${path.relative(scratch, tarball[name]!)}`])),
          ...appDependencies
        }
      },
      null,
      2
    )
  )

  // Plain npm, nothing from the workspace: the registry (or npm's cache) for third-party
  // packages, the tarballs for ours. better-sqlite3 compiles with node-gyp against the headers
  // npm is configured with (as scripts/with-pnpm.sh sets up), so it needs no download.
  const nodedir = process.env.npm_config_nodedir ?? (await run("npm", ["config", "get", "nodedir"])).stdout.trim()
  const prebuild = await localPrebuild(path.join(scratch, "prebuilds"))
  const installStarted = performance.now()
  const status = path.join(scratch, installStatusFile)
  const install = spawn("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: scratch,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so that teardown can stop node-gyp and the compiler with it.
    detached: true,
    env: { ...process.env, ...(nodedir !== "" && nodedir !== "undefined" ? { npm_config_nodedir: nodedir } : {}), ...prebuild }
  })
  let output = ""
  install.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  install.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  install.on("close", (code) => {
    writeFileSync(status, JSON.stringify({ code, output: output.slice(-20_000), seconds: (performance.now() - installStarted) / 1000 }))
  })

  const consumer: Consumer = {
    scratch,
    tarballs: Object.fromEntries(packages.map((name) => [name, { path: tarball[name]!, bytes: statSync(tarball[name]!).size }])),
    timings: { build: built, pack: packed }
  }
  project.provide("consumer", consumer)

  return () => {
    if (install.exitCode === null && install.pid !== undefined) process.kill(-install.pid, "SIGTERM")
    if (process.env.CONSUMER_KEEP === undefined) rmSync(scratch, { recursive: true, force: true })
  }
}
