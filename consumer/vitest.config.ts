import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

// globalSetup builds and packs every package and starts the scratch project's `npm install`
// (better-sqlite3 compiles there) in the background; `groupOrder: 1` runs these tests after
// every other project's, so the install overlaps with them.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "consumer",
      globalSetup: ["./test/globalSetup.ts"],
      sequence: { groupOrder: 1 },
      testTimeout: 180_000,
      hookTimeout: 600_000
    }
  })
)
