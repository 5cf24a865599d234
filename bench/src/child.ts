/**
 * The measured children of the benchmarks: bundling a benchmark file with esbuild (resolved
 * through tsx, which depends on it) into one ES module that plain `node` runs, as an application
 * would ship, so the children's RSS and CPU are the client's, not tsx's loader's; and running a
 * child to collect its measurement.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

/** Bundles the module at `moduleUrl` (its `import.meta.url`) into `outfile`, the server package left out. */
export const bundleChild = (moduleUrl: string, outfile: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    const esbuild: { build: (options: object) => Promise<unknown> } = createRequire(
      createRequire(import.meta.url).resolve("tsx")
    )("esbuild")
    await esbuild.build({
      entryPoints: [fileURLToPath(moduleUrl)],
      outfile,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      external: ["@effect-wandb/server"],
      // CommonJS dependencies inside an ES module bundle still call require() for node builtins.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: "error"
    })
  })

/** Extra node flags for the measured children, from BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). */
export const childNodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "")

/**
 * Runs `node <BENCH_NODE_ARGS> <argv>` with `env` added to this process's environment. The child
 * reports its measurement as one JSON object line on stdout: the last line starting with `{` is
 * parsed and returned; other stdout lines (diagnostics such as `--trace-gc`) go to stderr.
 */
export const runChild = <A>(
  label: string,
  argv: ReadonlyArray<string>,
  options: { readonly env: Record<string, string>; readonly cwd?: string }
): Effect.Effect<A, Error> =>
  Effect.async<A, Error>((resume) => {
    const proc = spawn(process.execPath, [...childNodeArgs, ...argv], {
      env: { ...process.env, ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    proc.stdout.on("data", (chunk) => (out += chunk))
    proc.on("close", (code) => {
      const lines = out.trim().split("\n")
      const result = lines.filter((line) => line.startsWith("{")).at(-1)
      process.stderr.write(lines.filter((line) => line !== result && line !== "").map((line) => `${line}\n`).join(""))
      resume(
        code === 0 && result !== undefined
          ? Effect.succeed(JSON.parse(result) as A)
          : Effect.fail(new Error(`${label}: child exited with ${code}`))
      )
    })
  })

/**
 * This process's peak resident set size in MiB: `VmHWM` of /proc/self/status where there is one
 * (Linux). Not `process.resourceUsage().maxRSS` there: Linux carries the high-water mark of the
 * process image replaced by `exec` over, so a child reported at least the RSS its parent had
 * when it forked (the benchmarks' parents run the server: 200+ MiB). Elsewhere `maxRSS`.
 */
export const peakRssMiB = (): number => {
  const status = existsSync("/proc/self/status") ? readFileSync("/proc/self/status", "utf8") : ""
  const highWater = /^VmHWM:\s+(\d+) kB$/m.exec(status)
  return highWater === null ? process.resourceUsage().maxRSS / 1024 : Number(highWater[1]) / 1024
}

/**
 * Restarts the `VmHWM` count at the current RSS (Linux: `5` written to /proc/self/clear_refs), so
 * {@link peakRssMiB} then gives the peak since this call. False where that is not possible.
 */
export const resetPeakRss = (): boolean => {
  if (!existsSync("/proc/self/clear_refs")) return false
  writeFileSync("/proc/self/clear_refs", "5")
  return true
}

/**
 * A benchmark file's entry point: in a measured child (started with `--child <name>`, see
 * {@link runChild}) it runs `child(name)`, otherwise the parent's program, scoped.
 */
export const main = <Name extends string>(
  parent: Effect.Effect<void, unknown, Scope.Scope>,
  child: (name: Name) => unknown
): Promise<unknown> => {
  const index = process.argv.indexOf("--child")
  return index === -1 ? Effect.runPromise(Effect.scoped(parent)) : Promise.resolve(child(process.argv[index + 1] as Name))
}
