import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

// globalSetup bundles the CLI and the web page once; the tests run the built binary.
export default mergeConfig(shared, defineProject({ test: { name: "cli", globalSetup: ["./test/globalSetup.ts"] } }))
