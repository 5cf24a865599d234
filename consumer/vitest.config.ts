import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

// globalSetup builds and packs every package and starts the scratch project's `npm install` in
// the background: the tarball checks (publint, attw) run meanwhile, the scratch tests wait for it.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "consumer",
      globalSetup: ["./test/globalSetup.ts"],
      testTimeout: 180_000,
      hookTimeout: 600_000
    }
  })
)
