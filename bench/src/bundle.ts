/**
 * Bundling a benchmark file for its measured children: esbuild (resolved through tsx, which
 * depends on it) writes one ES module that plain `node` runs, as an application would ship, so
 * the children's RSS and CPU are the client's, not tsx's loader's.
 */
import * as Effect from "effect/Effect"
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
