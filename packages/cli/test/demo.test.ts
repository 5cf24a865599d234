/**
 * The one-command demo prints what the README promises, ends with exit code 0 and leaves no
 * temporary directory or server behind.
 */
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { fileURLToPath } from "node:url"
import { cleanEnv } from "./helpers.js"

const demoDirs = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith("effect-wandb-demo-")))

it.live("the demo walks through the CLI and cleans up", () =>
  Effect.gen(function*() {
    const before = demoDirs()
    const result = yield* Effect.async<{ code: number | null; stdout: string; stderr: string }>((resume) => {
      const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        env: cleanEnv(),
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
      child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
      return Effect.sync(() => child.kill())
    })
    expect(result.code, result.stderr).toBe(0)
    const out = result.stdout
    for (
      const command of [
        "$ effect-wandb server --port 0",
        "$ effect-wandb projects",
        "$ effect-wandb runs demo/mnist-cnn --filter",
        "$ effect-wandb run demo/mnist-cnn/",
        "$ effect-wandb history demo/mnist-cnn/",
        "$ effect-wandb scan demo/mnist-cnn/",
        "$ effect-wandb files demo/mnist-cnn/",
        "$ effect-wandb download demo/mnist-cnn/",
        "$ effect-wandb artifacts demo/mnist-cnn",
        "$ effect-wandb artifact demo/mnist-cnn/classifier:best",
        "$ effect-wandb artifact download demo/mnist-cnn/training-data:stable --root data"
      ]
    ) expect(out).toContain(command)
    expect(out).toMatch(/^demo\s+mnist-cnn\s+/m)
    expect(out).toMatch(/^_step,_runtime,_timestamp,/m)
    expect(out).toMatch(/^201 history\.csv {3}\(a header and 200 rows\)$/m)
    expect(out).toMatch(/^config\.yaml\s+downloads\/config\.yaml\s+\d+$/m)
    expect(out).toContain("error: file already exists: downloads/config.yaml (use --replace to overwrite)\n(exit code 5)")
    expect(out).toMatch(/^classifier:v1\s+model\s+best\s+/m)
    expect(out).toMatch(/^shards\/train-000\.bin\s+fetched$/m)
    expect(out).toMatch(/^shards\/train-000\.bin\s+present$/m)
    expect(out).not.toMatch(/demo-[0-9a-f]{40}/)
    expect(demoDirs()).toEqual(before)
  }), 120_000)
