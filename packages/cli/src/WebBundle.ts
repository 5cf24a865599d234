/**
 * The web page's script: esbuild bundles `src/web/app.ts` (core + platform-browser + the page)
 * for the browser. `scripts/build.ts` writes it to `build/web/app.js`; `effect-wandb web` serves
 * that file, or bundles in memory when it has not been built.
 *
 * @since 0.1.0
 */
import type * as esbuild from "esbuild"
import * as Effect from "effect/Effect"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The directory of `@effect-wandb/cli` (found from this module, in source or bundled form).
 *
 * @since 0.1.0
 * @category paths
 */
export const packageDir = (): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (true) {
    const manifest = path.join(dir, "package.json")
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "@effect-wandb/cli") {
      return dir
    }
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error("cannot find the @effect-wandb/cli package directory")
    dir = parent
  }
}

/**
 * Where the built script lives, relative to the package directory.
 *
 * @since 0.1.0
 * @category paths
 */
export const outfile = "build/web/app.js"

/**
 * The esbuild options of the page's script.
 *
 * @since 0.1.0
 * @category build
 */
export const buildOptions = (dir: string): esbuild.BuildOptions => ({
  absWorkingDir: dir,
  entryPoints: ["src/web/app.ts"],
  outfile,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  logLevel: "warning"
})

/**
 * The script's bytes: the built file when present, else a fresh in-memory bundle.
 *
 * @since 0.1.0
 * @category build
 */
export const script: Effect.Effect<Uint8Array> = Effect.suspend(() => {
  const dir = packageDir()
  const built = path.join(dir, outfile)
  if (existsSync(built)) return Effect.sync(() => new Uint8Array(readFileSync(built)))
  return Effect.promise(async () => {
    const esbuild = await import("esbuild")
    const result = await esbuild.build({ ...buildOptions(dir), write: false })
    return result.outputFiles[0]!.contents
  })
})
