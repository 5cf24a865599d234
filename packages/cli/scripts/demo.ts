/**
 * The one-command demo (`npm run demo` at the repository root): starts the local W&B-compatible
 * server with demo data in a temporary directory, then walks through the command line, printing
 * each command before its output. Ends by itself, exit code 0, leaving nothing behind (server
 * stopped, temporary directory removed). Any unexpected step outcome ends it with exit code 1.
 *
 * `--build` bundles the CLI first (what `npm run demo` does); the tests run it without.
 *
 * @since 0.1.0
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const bin = path.join(packageDir, "bin/effect-wandb.js")

interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const say = (text: string) => process.stdout.write(text + "\n")
const heading = (text: string) => say(`\n── ${text} ${"─".repeat(Math.max(0, 72 - text.length))}`)

/** Runs `effect-wandb args…` in `cwd` with `env`, capturing its output. */
const cli = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })

const quote = (arg: string) => (/^[\w./:@,+=-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`)

/** Prints `$ effect-wandb args…`, runs it, prints its output; checks the exit code. */
const step = async (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv, expectCode = 0): Promise<Result> => {
  say(`$ effect-wandb ${args.map(quote).join(" ")}`)
  const result = await cli(args, cwd, env)
  process.stdout.write(result.stdout)
  process.stdout.write(result.stderr)
  if (result.code !== expectCode) throw new Error(`expected exit code ${expectCode}, got ${result.code}`)
  if (expectCode !== 0) say(`(exit code ${result.code})`)
  return result
}

/** Starts `effect-wandb server` and resolves with its base URL (from its first line). */
const startServer = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv) =>
  new Promise<{ child: ChildProcess; baseUrl: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "server", ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d))
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d
      const match = /^listening on (\S+)/m.exec(out)
      if (match !== null) resolve({ child, baseUrl: match[1]! })
    })
    child.on("error", reject)
    child.on("exit", (code) => reject(new Error(`the server exited early (code ${code}): ${err.trim()}`)))
  })

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })

const main = async () => {
  if (process.argv.includes("--build")) {
    const build = await import("./build.js")
    await Promise.all([build.buildCli(), build.buildWeb()])
  }
  const dir = mkdtempSync(path.join(tmpdir(), "effect-wandb-demo-"))
  let server: ChildProcess | undefined
  try {
    // A fresh random key: the server accepts it, the commands send it; it is never printed.
    writeFileSync(path.join(dir, "api-key"), `demo-${randomBytes(20).toString("hex")}\n`, { mode: 0o600 })
    const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" }
    for (const name of ["WANDB_API_KEY", "WANDB_BASE_URL", "WANDB_ENTITY", "WANDB_PROJECT"]) delete base[name]
    heading("start the local W&B-compatible server with demo data (SQLite in a temporary directory)")
    say("$ effect-wandb server --port 0 --db demo.sqlite --api-key-file api-key &")
    const started = await startServer(["--port", "0", "--db", "demo.sqlite", "--api-key-file", "api-key"], dir, base)
    server = started.child
    say(`listening on ${started.baseUrl}`)
    say(`$ export WANDB_BASE_URL=${started.baseUrl}`)
    say("$ export WANDB_API_KEY=$(cat api-key)        # random key made for this demo; never printed")
    const env: NodeJS.ProcessEnv = {
      ...base,
      WANDB_BASE_URL: started.baseUrl,
      WANDB_API_KEY: readFileSync(path.join(dir, "api-key"), "utf8").trim()
    }

    heading("projects of the API key's user")
    await step(["projects", "--format", "table"], dir, env)

    heading("finished runs with lr ≤ 0.001, best accuracy first")
    const listing = ["runs", "demo/mnist-cnn", "--filter", "{\"state\": \"finished\", \"config.lr\": {\"$lte\": 0.001}}", "--order", "-summary.accuracy"]
    await step([...listing, "--fields", "id,name,state,config.lr,config.optimizer.name,summary.accuracy", "--limit", "5", "--format", "table"], dir, env)
    const best = (await cli([...listing, "--limit", "1", "--fields", "id", "--format", "csv"], dir, env)).stdout.split("\n")[1]!.trim()
    const runPath = `demo/mnist-cnn/${best}`

    heading("one run: metadata, config, summary")
    await step(["run", runPath, "--format", "table"], dir, env)

    heading("sampled history (8 rows spread over the run)")
    await step(["history", runPath, "--samples", "8", "--keys", "loss,accuracy,val_loss", "--format", "table"], dir, env)

    heading("full history scan to CSV")
    say(`$ effect-wandb scan ${runPath} --format csv > history.csv`)
    const scan = await cli(["scan", runPath, "--format", "csv"], dir, env)
    if (scan.code !== 0) throw new Error(`scan failed: ${scan.stderr}`)
    writeFileSync(path.join(dir, "history.csv"), scan.stdout)
    const lines = scan.stdout.split("\n").filter((line) => line !== "")
    say("$ head -n 4 history.csv")
    say(lines.slice(0, 4).join("\n"))
    say("$ wc -l history.csv")
    say(`${lines.length} history.csv   (a header and ${lines.length - 1} rows)`)

    heading("files of the run, and a download (md5-checked)")
    await step(["files", runPath, "--format", "table"], dir, env)
    const download = ["download", runPath, "config.yaml", "requirements.txt", "--root", "downloads"]
    await step([...download, "--format", "table"], dir, env)

    heading("the same download again, without --replace")
    await step(download, dir, env, 5)

    heading("artifacts: versioned datasets and models, and their lineage")
    await step(["artifacts", "demo/mnist-cnn", "--format", "table"], dir, env)
    await step(["artifact", "demo/mnist-cnn/classifier:best", "--format", "table"], dir, env)

    heading("an artifact download (staged, every file md5-checked), then again")
    const artifactDownload = ["artifact", "download", "demo/mnist-cnn/training-data:stable", "--root", "data", "--format", "table"]
    await step(artifactDownload, dir, env)
    await step(artifactDownload, dir, env)

    heading("done")
    say("Every command also takes --format json|ndjson|csv, and --help. The web page: effect-wandb web")
  } finally {
    if (server !== undefined) await stop(server)
    rmSync(dir, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
)
