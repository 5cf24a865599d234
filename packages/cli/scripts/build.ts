/**
 * Bundles the command line and the web page with esbuild:
 * - `build/effect-wandb.mjs` (+ `build/chunks/`): the CLI for Node, one ESM entry whose rarely
 *   used parts (the local server) are split into chunks loaded on demand, for a fast cold start;
 * - `build/web/app.js`: the web page's script for the browser.
 *
 * Run with `pnpm --filter @effect-wandb/cli run build`; the CLI tests build it too (vitest
 * `globalSetup`). `bin/effect-wandb.js` runs the bundle when present.
 *
 * @since 0.1.0
 */
import * as esbuild from "esbuild"
import { readdirSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as WebBundle from "../src/WebBundle.js"

const packageDir = WebBundle.packageDir()

/** esbuild options for an ESM bundle that plain `node` runs from `build/`. */
const nodeBundle = {
  absWorkingDir: packageDir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "none",
  logLevel: "warning",
  external: ["better-sqlite3", "esbuild", "playwright-core", "tsx"],
  // CommonJS dependencies bundled into ESM call `require` for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }
} satisfies esbuild.BuildOptions

/**
 * `@effect/platform-node/NodeHttpClient` holds both HTTP clients, and esbuild keeps its undici one
 * (a class extending another cannot be proven pure), so undici (about 0.7 MB of JavaScript, 18 MB
 * of RSS and 0.1 s per start) would load with every command. `NodeWandb` only uses the
 * `node:http` client: its import of `NodeHttpClient` is served from the module that defines that
 * client. The web command's proxy, which does use undici, loads it in its own chunk.
 */
const nodeHttpClientWithoutUndici: esbuild.Plugin = {
  name: "node-http-client-without-undici",
  setup(build) {
    build.onResolve({ filter: /^@effect\/platform-node\/NodeHttpClient$/ }, async (args) => {
      if (!/[/\\]NodeWandb\.(ts|js)$/.test(args.importer) || args.pluginData === "resolving") return undefined
      const entry = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: "resolving" })
      return { path: path.join(path.dirname(entry.path), "internal/httpClient.js") }
    })
  }
}

/**
 * Builds the CLI bundle. Chunk names carry a content hash and `build/chunks/` ships in the
 * package tarball, so chunks that this build did not write (left by earlier builds) are deleted
 * afterwards (not before: a build running at the same time writes the same files).
 *
 * better-sqlite3 (a native module, used by the server chunk) cannot be bundled: it stays an
 * import of the bare name, a dependency of this package (installed next to the bundle).
 *
 * @since 0.1.0
 */
export const buildCli = async (): Promise<esbuild.BuildResult> => {
  const result = await esbuild.build({
    ...nodeBundle,
    entryPoints: { "effect-wandb": "src/bin.ts" },
    outdir: "build",
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    metafile: true,
    plugins: [nodeHttpClientWithoutUndici]
  })
  const written = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(packageDir, file)))
  const chunks = path.join(packageDir, "build/chunks")
  for (const name of readdirSync(chunks)) {
    if (!written.has(path.join(chunks, name))) rmSync(path.join(chunks, name), { force: true })
  }
  return result
}

/**
 * Bundles the server package's own entry point (`effect-wandb-server`, its `src/bin.ts`) into
 * `build/test/effect-wandb-server.mjs`, for the CLI tests that start it many times: its
 * workspace bin runs the sources through tsx, three times slower to start. Not shipped.
 *
 * @since 0.1.0
 */
export const buildServerForTests = (): Promise<esbuild.BuildResult> =>
  esbuild.build({
    ...nodeBundle,
    entryPoints: { "effect-wandb-server": createRequire(import.meta.url).resolve("@effect-wandb/server/bin") },
    outdir: "build/test"
  })

/**
 * Builds the web page's script (`build/web/app.js`).
 *
 * @since 0.1.0
 */
export const buildWeb = (): Promise<esbuild.BuildResult> => esbuild.build(WebBundle.buildOptions(packageDir))

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await Promise.all([buildCli(), buildWeb()])
}
