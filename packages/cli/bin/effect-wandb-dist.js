#!/usr/bin/env node
// The published `effect-wandb` command (package.json `publishConfig.bin`): the esbuild bundle
// that ships in the tarball (`scripts/build.ts`). In the workspace, `bin/effect-wandb.js` runs
// the bundle when built and the sources through tsx otherwise.
import "../build/effect-wandb.mjs"
