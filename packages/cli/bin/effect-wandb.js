#!/usr/bin/env node
// Runs the esbuild bundle when it exists (fast cold start), else the TypeScript source via tsx.
// Build the bundle with `pnpm --filter @effect-wandb/cli run build`.
import { existsSync } from "node:fs"

const bundle = new URL("../build/effect-wandb.mjs", import.meta.url)
if (existsSync(bundle)) {
  await import(bundle.href)
} else {
  const { register } = await import("tsx/esm/api")
  register()
  await import("../src/bin.ts")
}
