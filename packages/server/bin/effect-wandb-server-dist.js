#!/usr/bin/env node
// The published `effect-wandb-server` command (package.json `publishConfig.bin`): the compiled
// entry point, on plain node. In the workspace, `bin/effect-wandb-server.js` runs the sources
// through tsx instead, so development needs no build step.
import "../dist/bin.js"
