import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

// globalSetup builds and packs every package and starts the scratch project's `npm install`
// in the background; the tests wait for it. They run beside the other projects' files (not after
// them all: that made their ~40 s the run's tail, with one test file for three workers).
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
