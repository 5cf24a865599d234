import { defineConfig } from "vitest/config"

export default defineConfig({
  esbuild: { target: "es2022" },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: [new URL("./vitest.setup.ts", import.meta.url).pathname],
    fakeTimers: { toFake: undefined },
    sequence: { concurrent: true },
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
