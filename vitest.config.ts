import { availableParallelism } from "node:os"
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    projects: ["packages/*", "consumer"],
    // Most test time is spent waiting (servers, subprocesses, Chromium): three test files at once
    // even on two cores (vitest's default is one fewer worker than cores: one file at a time there;
    // the whole run took 272 s with one worker, 244 s with two, 200 s with three).
    maxWorkers: Math.max(3, availableParallelism())
  }
})
