/**
 * The packages as an app gets them: every package's `pnpm pack` tarball installed with plain
 * `npm install` into a scratch project outside the workspace (see globalSetup), then used there
 * from ES modules and CommonJS on plain node, type-checked by the scratch project's tsc, bundled
 * for Chromium, and run as command-line programs — plus publint and arethetypeswrong on each
 * tarball, the tarball sizes, and the size of a tree-shaken bundle.
 */
import { Effect } from "effect"
import { build } from "esbuild"
import { execFile } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { gzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { runPage, serveHarness } from "../../packages/platform-browser/test/harness.js"
import { type InstallStatus, packages, type Ran, runIn, type Started, startIn, waitForInstall } from "./scratch.js"

const consumer = inject("consumer")
const { scratch } = consumer
const root = fileURLToPath(new URL("../..", import.meta.url))
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url))
const scratchBin = (name: string) => path.join(scratch, "node_modules/.bin", name)
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

/** A key made for this run; no output of any scratch program may contain it. */
const apiKey = `consumer-${randomBytes(16).toString("hex")}`
const project = "acme-ml/mnist-cnn"

/** The first ```ts block after the README's `<!-- consumer-test: main-example -->` marker. */
const readmeExample = (): string => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8")
  const marker = readme.indexOf("<!-- consumer-test: main-example -->")
  if (marker < 0) throw new Error("README.md has no <!-- consumer-test: main-example --> marker")
  const block = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(marker))
  if (block === null) throw new Error("no ```ts block after the README's main-example marker")
  return block[1]!
}

/** The public modules of a package: its top-level sources, except the barrel and the bins. */
const publicModules = (name: string): Array<string> =>
  readdirSync(path.join(root, "packages", name, "src"))
    .filter((file) => file.endsWith(".ts") && file !== "index.ts" && file !== "bin.ts")
    .map((file) => file.slice(0, -3))

/** esbuild bundle of a scratch program for the browser, resolved from the scratch node_modules. */
const bundle = (entry: string, options: { readonly minify: boolean }) =>
  build({
    absWorkingDir: scratch,
    entryPoints: [entry],
    bundle: true,
    minify: options.minify,
    write: false,
    metafile: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "silent"
  })

const expectClean = (ran: Ran, what: string) => {
  expect(ran.code, `${what} exited with ${ran.code}:\n${ran.stdout}\n${ran.stderr}`).toBe(0)
  expect(ran.stdout + ran.stderr, `${what} printed the API key`).not.toContain(apiKey)
}

let install: InstallStatus

/**
 * The local server from the server tarball's Layer (`serve.mjs`), started by the first test that
 * needs it, so that a server that cannot start fails those tests and no other.
 */
let serving: Promise<Started> | undefined
const localServer = () => (serving ??= startIn(scratch, process.execPath, ["serve.mjs"], { WANDB_API_KEY: apiKey }))
/** The environment that points a program at the local server. */
const serverEnv = async () => ({ WANDB_BASE_URL: (await localServer()).baseUrl, WANDB_API_KEY: apiKey })

/** The Node scenario, from ESM (run once, shared by the tests that need its runs and file). */
let nodeScenario: Promise<Ran> | undefined
const esmScenario = () =>
  (nodeScenario ??= serverEnv().then((env) => runIn(scratch, process.execPath, ["esm.mjs", project, "out-esm"], env)))

/**
 * `tsc` of the typed program, the browser program and the README example with one module
 * resolution, run once per resolution. node16 compiles in full (the declarations of our packages
 * and their dependencies as this consumer sees them) and emits JavaScript to `compiled/`;
 * bundler only type-checks the programs.
 */
const typechecks = new Map<"node16" | "bundler", Promise<Ran>>()
const typecheck = (resolution: "node16" | "bundler"): Promise<Ran> => {
  const existing = typechecks.get(resolution)
  if (existing !== undefined) return existing
  const config = `tsconfig.${resolution}.json`
  const node16 = resolution === "node16"
  writeFileSync(
    path.join(scratch, config),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: "ES2022",
        lib: ["ES2022", "DOM"],
        module: node16 ? "node16" : "preserve",
        moduleResolution: resolution,
        types: [],
        skipLibCheck: !node16,
        ...(node16 ? { outDir: "compiled" } : { noEmit: true })
      },
      files: ["typed.ts", "browser.ts", "readme-example.ts"]
    })
  )
  const ran = runIn(scratch, scratchBin("tsc"), ["-p", config])
  typechecks.set(resolution, ran)
  return ran
}

const installed = async () => {
  install = await waitForInstall(scratch)
  if (install.code !== 0) throw new Error(`npm install in ${scratch} failed (exit ${install.code}):\n${install.output}`)
  // node-gyp leaves its object files next to a binary it compiled; a local prebuild has none.
  const compiled = existsSync(path.join(scratch, "node_modules/better-sqlite3/build/Release/obj.target"))
  console.log(
    `consumer: build ${consumer.timings.build}, pack ${consumer.timings.pack}, npm install ${install.seconds.toFixed(1)} s ` +
      `(better-sqlite3 ${compiled ? "compiled from source" : "from the workspace's binary, as a local prebuild"})`
  )
  writeFileSync(path.join(scratch, "readme-example.ts"), readmeExample())
}

afterAll(async () => {
  const server = await serving?.catch(() => undefined)
  await server?.stop()
  expect(server?.output() ?? "").not.toContain(apiKey)
})

describe("the tarballs", () => {
  it("ship the build, no tests or fixtures, and print their sizes", async () => {
    for (const name of packages) {
      const { bytes, path: file } = consumer.tarballs[name]!
      const listing = (await promisify(execFile)("tar", ["tzf", file])).stdout.split("\n").filter((line) => line !== "")
      console.log(`tarball @effect-wandb/${name}: ${kib(bytes)} (${listing.length} files)`)
      expect(listing).toContain("package/dist/index.js")
      expect(listing).toContain("package/dist/index.d.ts")
      expect(listing.filter((entry) => /\/test\/|\.test\.|fixtures|tsbuildinfo/.test(entry))).toEqual([])
    }
  })

  it.each(packages)("publint finds no problem in %s", async (name) => {
    const ran = await runIn(scratch, bin("publint"), ["--strict", consumer.tarballs[name]!.path])
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
    expect(ran.stdout).toContain("All good!")
  })

  // ESM-only packages (CommonJS programs load them through Node's require(esm)): the esm-only
  // profile leaves out node10 and TypeScript's CommonJS-importing-ESM view.
  it.each(packages)("arethetypeswrong (esm-only) finds no problem in %s, for every public module", async (name) => {
    const entrypoints = publicModules(name).map((module) => `./${module}`)
    const ran = await runIn(scratch, bin("attw"), [
      consumer.tarballs[name]!.path,
      "--profile",
      "esm-only",
      "--format",
      "table-flipped",
      "--include-entrypoints",
      ...entrypoints
    ])
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
    for (const entrypoint of entrypoints) expect(ran.stdout).toContain(`@effect-wandb/${name}/${entrypoint.slice(2)}`)
  })
})

describe("in the scratch project (installed with npm)", () => {
  beforeAll(installed, 600_000)

  it("has no workspace links and no tsx", () => {
    expect(install.code).toBe(0)
    expect(existsSync(path.join(scratch, "node_modules/tsx"))).toBe(false)
    for (const name of packages) {
      const manifest = JSON.parse(readFileSync(path.join(scratch, "node_modules/@effect-wandb", name, "package.json"), "utf8"))
      expect(JSON.stringify(manifest)).not.toContain("workspace:")
      expect(JSON.stringify(manifest.exports)).not.toContain("./src/")
    }
  })

  it("every public module loads by import and by require; ./internal/* is not exported", async () => {
    const specifiers = packages.flatMap((name) => [
      `@effect-wandb/${name}`,
      ...publicModules(name).map((module) => `@effect-wandb/${name}/${module}`)
    ])
    const ran = await runIn(scratch, process.execPath, ["resolve.cjs", ...specifiers])
    expectClean(ran, "resolve.cjs")
    const { failures, internal } = JSON.parse(ran.stdout)
    expect(failures).toEqual({})
    expect(Object.values(internal)).toEqual(["ERR_PACKAGE_PATH_NOT_EXPORTED", "ERR_PACKAGE_PATH_NOT_EXPORTED"])
  })

  it("Node, ESM and CommonJS: lists runs with a filter, scans a history, downloads a file", async () => {
    const [esm, cjs] = await Promise.all([
      esmScenario(),
      serverEnv().then((env) => runIn(scratch, process.execPath, ["cjs.cjs", project, "out-cjs"], env))
    ])
    expectClean(esm, "esm.mjs")
    expectClean(cjs, "cjs.cjs")
    // Node 20.20 loads ESM through require() without a warning.
    expect(cjs.stderr).toBe("")
    const result = JSON.parse(esm.stdout)
    const finishedIds = result.all.filter((run: { state: string }) => run.state === "finished").map((run: { id: string }) => run.id)
    expect(result.finished.length).toBeGreaterThan(0)
    expect(result.finished.length).toBeLessThan(result.all.length)
    expect(result.finished.map((run: { id: string }) => run.id).sort()).toEqual(finishedIds.sort())
    const accuracies = result.finished.map((run: { accuracy: number }) => run.accuracy)
    expect(accuracies).toEqual([...accuracies].sort((a, b) => b - a))
    expect(result.scan.rows).toBe(result.best.historyLineCount)
    expect(result.scan.rows).toBeGreaterThan(0)
    expect(result.scan.ordered).toBe(true)
    expect(result.scan.withLoss).toBeGreaterThan(0)
    const bytes = readFileSync(path.join(scratch, result.path))
    expect(bytes.length).toBe(result.file.sizeBytes)
    expect(createHash("md5").update(bytes).digest("base64")).toBe(result.file.md5)
    // The CommonJS program saw the same, and downloaded the same bytes.
    const fromCjs = JSON.parse(cjs.stdout)
    expect({ ...fromCjs, path: undefined }).toEqual({ ...result, path: undefined })
    expect(readFileSync(path.join(scratch, fromCjs.path)).equals(bytes)).toBe(true)
  })

  it.each(["node16", "bundler"] as const)("tsc (strict, moduleResolution %s): types resolve, errors are tagged unions", async (resolution) => {
    const ran = await typecheck(resolution)
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
  })

  it("the README's main example compiles and runs as written", async () => {
    // The node16 compile emits it (with the other programs) to compiled/.
    const compiled = await typecheck("node16")
    expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0)
    const env = await serverEnv()
    const example = await runIn(scratch, process.execPath, ["compiled/readme-example.js"], env)
    expectClean(example, "the README example")
    expect(example.stderr).toBe("")
    const lines = example.stdout.split("\n").filter((line) => line !== "")
    // It prints the 3 best finished runs with lr <= 0.01: the same runs the CLI lists.
    const expected = await runIn(scratch, scratchBin("effect-wandb"), [
      "runs",
      "acme-ml/mnist-cnn",
      "--filter",
      JSON.stringify({ state: "finished", "config.lr": { $lte: 0.01 } }),
      "--order",
      "-summary.val_acc",
      "--limit",
      "3",
      "--fields",
      "name",
      "--format",
      "json"
    ], env)
    expectClean(expected, "effect-wandb runs")
    const names = JSON.parse(expected.stdout).map((run: { name: string }) => run.name)
    expect(names.length).toBeGreaterThan(0)
    expect(lines.map((line) => line.split(" ")[0])).toEqual(names)
    for (const line of lines) expect(Number(line.split(" ").at(-1))).toBeGreaterThan(0)
  })

  it("a browser bundle of a platform-browser program lists runs and downloads into OPFS in Chromium", async () => {
    const nodeResult = JSON.parse((await esmScenario()).stdout)
    const bundled = await bundle("browser.ts", { minify: false })
    // Everything came from the scratch project's node_modules.
    for (const input of Object.keys(bundled.metafile.inputs)) expect(input).toMatch(/^(node_modules\/|browser\.ts$)/)
    const result = await Effect.gen(function*() {
      const { url } = yield* serveHarness({
        bundle: bundled.outputFiles[0]!.text,
        upstream: (yield* Effect.promise(localServer)).baseUrl,
        config: { apiKey, project, run: nodeResult.best.id, fileName: nodeResult.file.name }
      })
      return yield* runPage(url)
    }).pipe(Effect.scoped, Effect.runPromise)
    expect(result.ok, JSON.stringify(result)).toBe(true)
    expect([...result.value.runs].sort()).toEqual(nodeResult.all.map((run: { id: string }) => run.id).sort())
    expect(result.value.path).toBe(`consumer/${nodeResult.file.name}`)
    expect(result.value.size).toBe(nodeResult.file.sizeBytes)
  })

  it("a bundle that uses only WandbApi.runs is tree-shaken: no server, no CLI", async () => {
    const bundled = await bundle("runs-only.ts", { minify: true })
    // Every file esbuild read, and those with code left in the output after tree-shaking.
    const loaded = Object.keys(bundled.metafile.inputs)
    const kept = Object.values(bundled.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file)
    )
    const bytes = bundled.outputFiles[0]!.contents
    const gzipped = gzipSync(bytes).length
    console.log(`WandbApi.runs-only browser bundle: ${kib(bytes.length)} minified, ${kib(gzipped)} minified+gzipped`)
    expect(kept).toContain("node_modules/@effect-wandb/core/dist/WandbApi.js")
    // The server and the CLI are not even read.
    expect(loaded.filter((input) => /@effect-wandb\/(server|cli)\/|\/(graphql|better-sqlite3|@effect\/cli|@effect\/sql)\//.test(input)))
      .toEqual([])
    // The core barrel's other modules are read, and dropped: history and downloads are not part
    // of listing runs (`sideEffects: false`).
    expect(loaded).toContain("node_modules/@effect-wandb/core/dist/History.js")
    expect(kept.filter((input) => /@effect-wandb\/core\/dist\/(History|Download)\.js$/.test(input))).toEqual([])
    expect(gzipped).toBeLessThan(200 * 1024)
  })

  it("effect-wandb-server (the server package's bin) runs on plain node", async () => {
    const help = await runIn(scratch, scratchBin("effect-wandb-server"), ["--help"])
    expectClean(help, "effect-wandb-server --help")
    expect(help.stdout).toContain("--port")
    const started = await startIn(scratch, scratchBin("effect-wandb-server"), ["--port", "0", "--seed", "demo"], { WANDB_API_KEY: apiKey })
    try {
      const response = await fetch(`${started.baseUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ viewer { username } }" })
      })
      // No key: the server answers, and refuses.
      expect(response.status).toBe(401)
    } finally {
      await started.stop()
    }
  })

  it("the CLI from its tarball: --help, server --seed demo, runs", async () => {
    const cli = scratchBin("effect-wandb")
    // Three starts, the fastest printed (a measurement, not an assertion: the machine may be busy).
    const helps = [await runIn(scratch, cli, ["--help"]), await runIn(scratch, cli, ["--help"]), await runIn(scratch, cli, ["--help"])]
    for (const help of helps) expectClean(help, "effect-wandb --help")
    expect(helps[0]!.stdout).toMatch(/runs[\s\S]*download[\s\S]*server/)
    const coldStart = Math.min(...helps.map((help) => help.ms))
    console.log(`effect-wandb --help from the tarball: ${coldStart.toFixed(0)} ms`)

    const started = await startIn(scratch, cli, ["server", "--seed", "demo", "--port", "0"], { WANDB_API_KEY: apiKey })
    try {
      const cliEnv = { WANDB_BASE_URL: started.baseUrl, WANDB_API_KEY: apiKey }
      const [all, finished] = await Promise.all([
        runIn(scratch, cli, ["runs", "demo/mnist-cnn", "--format", "json"], cliEnv),
        runIn(scratch, cli, ["runs", "demo/mnist-cnn", "--filter", "{\"state\": \"finished\"}", "--format", "json"], cliEnv)
      ])
      expectClean(all, "effect-wandb runs")
      expectClean(finished, "effect-wandb runs --filter")
      const allRuns: Array<{ id: string; state: string }> = JSON.parse(all.stdout)
      const finishedRuns: Array<{ id: string; state: string }> = JSON.parse(finished.stdout)
      expect(finishedRuns.length).toBeGreaterThan(0)
      expect(finishedRuns.map((run) => run.id).sort()).toEqual(
        allRuns.filter((run) => run.state === "finished").map((run) => run.id).sort()
      )
    } finally {
      await started.stop()
    }
    expect(started.output()).not.toContain(apiKey)
  })
})
