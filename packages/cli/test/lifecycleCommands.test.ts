/**
 * `run delete`, `project create`, `sweeps` and `logs` against the local server (the built CLI
 * as a subprocess).
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { runCli, serverEnv, ServerLive } from "./helpers.js"

const ndjson = (text: string): Array<any> => text.trim().split("\n").filter((l) => l !== "").map((line) => JSON.parse(line))

layer(ServerLive, { excludeTestServices: true })("lifecycle commands", (it) => {
  it.effect("run delete needs --yes; deletes; the run is then not found; `run <path>` still shows runs", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const [first, second] = ndjson((yield* runCli(["runs", "demo/cifar-resnet", "--limit", "2", "--format", "ndjson"], env)).stdout)
      const refused = yield* runCli(["run", "delete", first.path], env)
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain("--yes")
      expect((yield* runCli(["run", first.path, "--format", "json"], env)).code).toBe(0)
      const deleted = yield* runCli(["run", "delete", first.path, "--yes", "--format", "json"], env)
      expect(deleted.code, deleted.stderr).toBe(0)
      expect(JSON.parse(deleted.stdout)).toEqual({ path: first.path, deleted: true })
      const gone = yield* runCli(["run", first.path], env)
      expect(gone.code).toBe(3)
      expect(gone.stderr).toContain("run not found")
      const other = yield* runCli(["run", second.path, "--format", "json"], env)
      expect(JSON.parse(other.stdout).id).toBe(second.id)
      expect((yield* runCli(["run"], env)).code).toBe(2)
    }))

  it.effect("project create, then listed; an invalid name is a usage error", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const created = yield* runCli(["project", "create", "demo/from-cli", "--description", "made here", "--format", "json"], env)
      expect(created.code, created.stderr).toBe(0)
      expect(JSON.parse(created.stdout)).toMatchObject({ entity: "demo", name: "from-cli" })
      const listed = ndjson((yield* runCli(["projects", "demo", "--format", "ndjson"], env)).stdout)
      expect(listed.map((p) => p.name)).toContain("from-cli")
      expect((yield* runCli(["project", "create", "demo/a b"], env)).code).toBe(2)
    }))

  it.effect("sweeps: each sweep with its metric and best run", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const all = []
      for (const project of ["mnist-cnn", "cifar-resnet", "llm-finetune"]) {
        const result = yield* runCli(["sweeps", `demo/${project}`, "--format", "ndjson"], env)
        expect(result.code, result.stderr).toBe(0)
        all.push(...ndjson(result.stdout))
      }
      expect(all.length).toBeGreaterThan(0)
      for (const sweep of all) {
        expect(sweep.metric).toBe("+summary_metrics.val_loss")
        expect(typeof sweep.bestRun).toBe("string")
      }
    }))

  it.effect("logs: the whole console log, or its last lines", () =>
    Effect.gen(function*() {
      const env = yield* serverEnv
      const [run] = ndjson((yield* runCli(["runs", "demo/mnist-cnn", "--limit", "1", "--format", "ndjson"], env)).stdout)
      const whole = yield* runCli(["logs", run.path, "--format", "table"], env)
      expect(whole.code, whole.stderr).toBe(0)
      const lines = whole.stdout.trimEnd().split("\n")
      expect(lines[0]).toMatch(/^step 0: loss=/)
      const tail = yield* runCli(["logs", run.path, "--last", "3", "--format", "ndjson"], env)
      expect(ndjson(tail.stdout).map((l) => l.content)).toEqual(lines.slice(-3))
      expect(ndjson(tail.stdout)[0].number).toBe(lines.length - 3)
    }))
})
