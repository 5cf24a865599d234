/**
 * The artifact commands of the built binary against the local server's demo artifacts:
 * listings in the four formats, one version, download (fetched, then present, refused without
 * --replace), verify (exit 8 on a changed file), `run` with its artifacts, not-found exit codes.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { runCli, serverEnv, ServerLive } from "./helpers.js"

const ndjson = (text: string): Array<any> => text.trim().split("\n").map((line) => JSON.parse(line))

layer(ServerLive, { excludeTestServices: true })("effect-wandb artifact commands", (it) => {
  it.effect("artifacts: every version of every collection in table, json, ndjson and csv; --type", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const json = JSON.parse((yield* runCli(["artifacts", "demo/mnist-cnn", "--format", "json"], env)).stdout)
      expect(json.map((a: any) => a.name)).toEqual([
        "training-data:v2",
        "training-data:v1",
        "training-data:v0",
        "classifier:v2",
        "classifier:v1",
        "classifier:v0"
      ])
      expect(ndjson((yield* runCli(["artifacts", "demo/mnist-cnn", "--format", "ndjson"], env)).stdout)).toEqual(json)
      const csv = (yield* runCli(["artifacts", "demo/mnist-cnn", "--type", "model", "--format", "csv"], env)).stdout
      expect(csv.trim().split("\n")).toEqual([
        "name,type,aliases,size,fileCount,createdAt",
        ...json.filter((a: any) => a.type === "model").map((a: any) =>
          [a.name, a.type, a.aliases.join(","), a.size, a.fileCount, a.createdAt].join(",")
        )
      ])
      const table = yield* runCli(["artifacts", "demo/mnist-cnn", "--format", "table"], env)
      expect(table.stdout.split("\n")[0]).toMatch(/^name\s+type\s+aliases\s+size\s+fileCount\s+createdAt$/)
      expect(table.stdout).toContain("classifier:v1")
      const missingType = yield* runCli(["artifacts", "demo/mnist-cnn", "--type", "checkpoint"], env)
      expect(missingType.code).toBe(3)
      expect(missingType.stderr).toContain("artifact type not found: checkpoint")
    }))

  it.effect("artifact: one version with aliases, lineage and files; not-found exit codes", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const shown = JSON.parse((yield* runCli(["artifact", "demo/mnist-cnn/classifier:best", "--format", "json"], env)).stdout)
      expect(shown).toMatchObject({ name: "classifier:v1", aliases: ["best"], type: "model", metadata: { epochs: 20 } })
      expect(shown.createdBy).toMatch(/^demo\/mnist-cnn\//)
      expect(shown.usedBy).toHaveLength(2)
      expect(shown.files.map((f: any) => f.path)).toEqual(["config.json", "weights/model.safetensors"])
      const noAlias = yield* runCli(["artifact", "demo/mnist-cnn/classifier:v9"], env)
      expect(noAlias.code).toBe(3)
      expect(noAlias.stderr).toContain("no version \"v9\"")
      expect((yield* runCli(["artifact", "demo/mnist-cnn/nothing:latest"], env)).code).toBe(3)
      expect((yield* runCli(["artifact"], env)).code).toBe(2)
    }))

  it.effect("artifact download / verify: fetched, then present; a changed file is exit 8 and exit 5 without --replace", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const root = path.join(mkdtempSync(path.join(tmpdir(), "effect-wandb-artifact-")), "data")
      const first = yield* runCli(["artifact", "download", "demo/mnist-cnn/training-data:stable", "--root", root, "--format", "ndjson"], env)
      expect(first.code).toBe(0)
      expect(ndjson(first.stdout)).toEqual([
        { path: "README.md", status: "fetched" },
        { path: "images/sample-000.png", status: "fetched" },
        { path: "images/sample-001.png", status: "fetched" },
        { path: "labels.json", status: "fetched" },
        { path: "shards/train-000.bin", status: "fetched" }
      ])
      expect(readFileSync(path.join(root, "README.md"), "utf8")).toContain("Version 1")
      const again = yield* runCli(["artifact", "download", "demo/mnist-cnn/training-data:v1", "--root", root, "--format", "ndjson"], env)
      expect(ndjson(again.stdout).map((row) => row.status)).toEqual(Array(5).fill("present"))
      expect((yield* runCli(["artifact", "verify", "demo/mnist-cnn/training-data:v1", "--root", root], env)).code).toBe(0)
      appendFileSync(path.join(root, "labels.json"), " ")
      const changed = yield* runCli(["artifact", "verify", "demo/mnist-cnn/training-data:v1", "--root", root, "--format", "csv"], env)
      expect(changed.code).toBe(8)
      expect(changed.stdout).toBe("path,status\nlabels.json,changed\n")
      const refused = yield* runCli(["artifact", "download", "demo/mnist-cnn/training-data:v1", "--root", root], env)
      expect(refused.code).toBe(5)
      expect(refused.stderr).toContain("--replace")
      const replaced = yield* runCli(["artifact", "download", "demo/mnist-cnn/training-data:v1", "--root", root, "--replace", "--format", "csv"], env)
      expect(replaced.code).toBe(0)
      expect(replaced.stdout).toContain("labels.json,fetched")
      expect((yield* runCli(["artifact", "verify", "demo/mnist-cnn/training-data:v1", "--root", root], env)).code).toBe(0)
      expect(readdirSync(path.dirname(root))).toEqual(["data"]) // no staging directory left
    }))

  it.effect("run shows the artifacts it logged and used", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const shown = JSON.parse((yield* runCli(["artifact", "demo/mnist-cnn/classifier:v0", "--format", "json"], env)).stdout)
      const run = JSON.parse((yield* runCli(["run", shown.createdBy, "--format", "json"], env)).stdout)
      expect(run.loggedArtifacts).toEqual(["demo/mnist-cnn/classifier:v0"])
      expect(run.usedArtifacts).toEqual(["demo/mnist-cnn/training-data:v1"])
      const table = (yield* runCli(["run", shown.createdBy, "--format", "table"], env)).stdout
      expect(table).toMatch(/loggedArtifacts\s+demo\/mnist-cnn\/classifier:v0/)
    }))
})
