import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

// globalSetup bundles the CLI and the web page once; the tests run the built binary, many times
// per test, so they get more time than the shared default when the whole suite shares the CPUs.
export default mergeConfig(
  shared,
  defineProject({ test: { name: "cli", globalSetup: ["./test/globalSetup.ts"], testTimeout: 180_000 } })
)
