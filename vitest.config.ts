import { availableParallelism } from "node:os"
import { defineConfig } from "vitest/config"

const workers = Math.max(3, availableParallelism())

export default defineConfig({
  test: {
    projects: ["packages/*", "consumer"],
    // Most test time is spent waiting (servers, subprocesses, Chromium): three test files at once
    // even on two cores (vitest's default is one fewer worker than cores: one file at a time there;
    // the whole run took 272 s with one worker, 244 s with two, 200 s with three).
    maxWorkers: workers,
    // Test files share their worker's module cache (Effect, the server, the client are imported
    // once per worker, not once per file: a third of the CPU time). Set here: vitest reads
    // `isolate` from the root configuration, not from the projects'. minWorkers = maxWorkers:
    // with fewer, tinypool ends idle non-isolated workers with an unhandled "Terminating worker
    // thread" rejection (vitest-dev/vitest#8564).
    isolate: false,
    minWorkers: workers
  }
})
