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
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as WebBundle from "../src/WebBundle.js"

const packageDir = WebBundle.packageDir()

/**
 * better-sqlite3 is a native module of the server package: it cannot be bundled, and the CLI
 * package does not depend on it directly (pnpm's strict layout), so it is resolved from the
 * server package and kept external by absolute path.
 */
const nativeFromServer: esbuild.Plugin = {
  name: "native-from-server",
  setup(build) {
    const serverRequire = createRequire(path.join(packageDir, "../server/package.json"))
    build.onResolve({ filter: /^better-sqlite3$/ }, (args) => ({ path: serverRequire.resolve(args.path), external: true }))
  }
}

/**
 * Builds the CLI bundle.
 *
 * @since 0.1.0
 */
export const buildCli = (): Promise<esbuild.BuildResult> =>
  esbuild.build({
    absWorkingDir: packageDir,
    entryPoints: { "effect-wandb": "src/bin.ts" },
    outdir: "build",
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: "none",
    logLevel: "warning",
    external: ["esbuild", "playwright-core", "tsx"],
    plugins: [nativeFromServer],
    // CommonJS dependencies bundled into ESM call `require` for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }
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
