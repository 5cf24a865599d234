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
    metafile: true
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
