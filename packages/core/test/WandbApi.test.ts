/**
 * The API service over an in-memory HttpClient: the dependency-injected style to copy for
 * testing your own programs. Fixtures are the protocol's test vectors.
 */
import { describe, expect, it } from "@effect/vitest"
import { WandbApi, WandbConfig } from "@effect-wandb/core"
import { Chunk, Effect, Layer, Stream } from "effect"
import * as FakeHttp from "./FakeHttp.js"

const RUN_NODE = {
  projectId: 445566,
  id: "UnVuOnYxOjNrOXgwcTJmOm1uaXN0LWNubjphY21lLW1s",
  name: "3k9x0q2f",
  displayName: "noble-sky-12",
  tags: ["baseline"],
  sweepName: null,
  state: "finished",
  group: null,
  jobType: "train",
  commit: "9f1c2ab",
  readOnly: false,
  createdAt: "2024-06-01T10:00:03",
  heartbeatAt: "2024-06-01T10:42:57.250Z",
  description: null,
  notes: "lr sweep anchor",
  historyLineCount: 1200,
  user: { name: "Dana Lee", username: "dlee" },
  config:
    "{\"lr\": {\"value\": 0.001, \"desc\": null}, \"batch_size\": {\"value\": 64, \"desc\": null}, \"optimizer\": {\"value\": {\"name\": \"adam\", \"betas\": [0.9, 0.999]}, \"desc\": null}, \"_wandb\": {\"value\": {\"cli_version\": \"0.28.2\"}}, \"wandb_version\": 1}",
  summaryMetrics:
    "{\"_step\": 1199, \"val_acc\": 0.9912, \"loss\": NaN, \"best\": -Infinity, \"quoted\": \"Infinity\", \"samples\": {\"_type\": \"image-file\", \"path\": \"media/images/s.png\", \"size\": 20311}, \"custom\": {\"_type\": \"never-heard-of-it\", \"x\": [1, 2]}}",
  systemMetrics: "{\"system.cpu\": 31.5}",
  historyKeys: { lastStep: 1199, keys: { loss: { previousValue: "NaN" } } }
}

const runData = (node: unknown = RUN_NODE) => ({ project: { run: node } })

/** A `Runs` answer: one edge per node (cursor = the node's name). */
const runsPage = (nodes: ReadonlyArray<Record<string, unknown>>, hasNextPage = false) => ({
  project: {
    runCount: nodes.length,
    runs: {
      edges: nodes.map((node) => ({ node, cursor: node.name })),
      pageInfo: { endCursor: nodes.at(-1)?.name ?? null, hasNextPage }
    }
  }
})

/** The client over a fake server; nothing is read from the environment. */
const client = (fake: ReturnType<typeof FakeHttp.make>, options: WandbConfig.Options = {}) =>
  WandbApi.layerFrom(WandbConfig.layerWithoutEnv({ apiKey: "k", ...options })).pipe(Layer.provide(fake.layer))

const withApi = <A, E>(
  fake: ReturnType<typeof FakeHttp.make>,
  f: (api: WandbApi.WandbApi["Type"]) => Effect.Effect<A, E>,
  options?: WandbConfig.Options
) => Effect.flatMap(WandbApi.WandbApi, f).pipe(Effect.provide(client(fake, options)))

describe("WandbApi (in-memory HttpClient)", () => {
  it.effect("run: decodes every attribute, tolerant where W&B is loose", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({ Run: () => runData() })
      const run = yield* withApi(fake, (api) => api.run("acme-ml/mnist-cnn/3k9x0q2f"))
      expect(fake.requests[0]!.body.variables).toEqual({ project: "mnist-cnn", entity: "acme-ml", name: "3k9x0q2f" })
      expect(run.path).toEqual(["acme-ml", "mnist-cnn", "3k9x0q2f"])
      expect(run.id).toBe("3k9x0q2f")
      expect(run.storageId).toBe(RUN_NODE.id)
      expect(run.name).toBe("noble-sky-12")
      expect(run.config).toEqual({ lr: 0.001, batch_size: 64, optimizer: { name: "adam", betas: [0.9, 0.999] } })
      expect(run.rawConfig).toMatchObject({ _wandb: { cli_version: "0.28.2" }, wandb_version: 1, lr: 0.001 })
      expect(Number.isNaN(run.summary.loss)).toBe(true)
      expect(run.summary.best).toBe(-Infinity)
      expect(run.summary.quoted).toBe(Infinity)
      expect(run.summary.samples).toEqual({ _type: "image-file", path: "media/images/s.png", size: 20311 })
      expect(run.summary.custom).toEqual({ _type: "never-heard-of-it", x: [1, 2] })
      expect(run.systemMetrics).toEqual({ "system.cpu": 31.5 })
      expect(run.createdAt.toISOString()).toBe("2024-06-01T10:00:03.000Z")
      expect(run.heartbeatAt?.toISOString()).toBe("2024-06-01T10:42:57.250Z")
      expect(run.historyKeys.lastStep).toBe(1199)
      expect(run.historyKeys.keys).toEqual({ loss: { previousValue: "NaN" } })
      expect(run.user).toMatchObject({ name: "Dana Lee", username: "dlee" })
      expect(run.url).toBe("https://wandb.ai/acme-ml/mnist-cnn/runs/3k9x0q2f")
      expect(run.projectId).toBe(445566)
    }))

  it.effect("run: missing optional fields get defaults", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({ Run: () => runData({ id: "X", name: "r1", createdAt: "2024-01-01T00:00:00Z" }) })
      const run = yield* withApi(fake, (api) => api.run("e/p/r1"))
      expect(run).toMatchObject({ tags: [], config: {}, summary: {}, state: "unknown", readOnly: false, heartbeatAt: null })
      expect(run.historyKeys).toMatchObject({ lastStep: null, keys: {} })
    }))

  it.effect("run: a malformed JSON string is a DecodeError naming entity and field", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({ Run: () => runData({ ...RUN_NODE, config: "{oops" }) })
      const error = yield* Effect.flip(withApi(fake, (api) => api.run("e/p/3k9x0q2f")))
      expect(error).toMatchObject({ _tag: "DecodeError", entity: "Run", field: "config" })
      const badDate = FakeHttp.graphql({ Run: () => runData({ ...RUN_NODE, createdAt: "yesterday" }) })
      expect(yield* Effect.flip(withApi(badDate, (api) => api.run("e/p/3k9x0q2f")))).toMatchObject({
        _tag: "DecodeError",
        entity: "Run",
        field: "createdAt"
      })
      const missingId = FakeHttp.graphql({ Run: () => runData({ ...RUN_NODE, id: undefined }) })
      expect(yield* Effect.flip(withApi(missingId, (api) => api.run("e/p/3k9x0q2f")))).toMatchObject({
        _tag: "DecodeError",
        field: "data.project.run.id"
      })
    }))

  it.effect("run: null project or run is RunNotFound", () =>
    Effect.gen(function*() {
      const noRun = FakeHttp.graphql({ Run: () => ({ project: { run: null } }) })
      expect(yield* Effect.flip(withApi(noRun, (api) => api.run("e/p/zz")))).toMatchObject({
        _tag: "RunNotFound",
        entity: "e",
        project: "p",
        runId: "zz"
      })
      const noProject = FakeHttp.graphql({ Run: () => ({ project: null }) })
      expect((yield* Effect.flip(withApi(noProject, (api) => api.run("e/p/zz"))))._tag).toBe("RunNotFound")
    }))

  describe("paths", () => {
    const accepted: ReadonlyArray<[string, WandbConfig.Options, [string, string, string]]> = [
      ["acme/mnist/abc", {}, ["acme", "mnist", "abc"]],
      ["/acme/mnist/runs/abc/", {}, ["acme", "mnist", "abc"]],
      ["acme/mnist:abc", {}, ["acme", "mnist", "abc"]],
      ["mnist/abc", { entity: "acme" }, ["acme", "mnist", "abc"]],
      ["mnist:abc", { entity: "acme" }, ["acme", "mnist", "abc"]],
      ["abc", { entity: "acme", project: "mnist" }, ["acme", "mnist", "abc"]],
      ["", { entity: "acme", project: "mnist", run: "abc" }, ["acme", "mnist", "abc"]]
    ]
    for (const [path, options, expected] of accepted) {
      it.effect(`accepts ${JSON.stringify(path)}`, () =>
        Effect.gen(function*() {
          const fake = FakeHttp.graphql({ Run: () => runData({ ...RUN_NODE, name: expected[2] }) })
          const run = yield* withApi(fake, (api) => api.run(path), options)
          expect(run.path).toEqual(expected)
          expect(fake.requests[0]!.body.variables).toEqual({ entity: expected[0], project: expected[1], name: expected[2] })
        }))
    }

    const rejected: ReadonlyArray<[string, WandbConfig.Options, string]> = [
      ["a/b/c/d", {}, "expected entity/project/run_id"],
      ["a//c", {}, "empty path segment"],
      ["a/b:", {}, "expected project:id"],
      ["abc", { entity: "acme" }, "no default project"],
      ["", { entity: "acme", project: "p" }, "no run id"]
    ]
    for (const [path, options, reason] of rejected) {
      it.effect(`rejects ${JSON.stringify(path)}`, () =>
        Effect.gen(function*() {
          const fake = FakeHttp.graphql({})
          const error = yield* Effect.flip(withApi(fake, (api) => api.run(path), options))
          expect(error._tag).toBe("InvalidPath")
          expect(error.message).toContain(reason)
          expect(fake.requests).toHaveLength(0)
        }))
    }

    it.effect("accepts a path as an array of parts (Python's habit), for every path-taking function", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.graphql({ Run: () => runData({ ...RUN_NODE, name: "abc" }) })
        const run = yield* withApi(fake, (api) => api.run(["acme", "mnist", "abc"]))
        expect(run.path).toEqual(["acme", "mnist", "abc"])
        expect(fake.requests[0]!.body.variables).toEqual({ entity: "acme", project: "mnist", name: "abc" })
        const short = yield* withApi(fake, (api) => api.run(["mnist", "abc"]), { entity: "acme" })
        expect(short.path).toEqual(["acme", "mnist", "abc"])
      }))

    // what a JavaScript caller (or a decoded JSON value) may pass at run time despite the types
    const garbage: ReadonlyArray<unknown> = [
      ["acme", "", "abc"],
      ["acme", "mnist/x", "abc"],
      ["acme", 7, "abc"],
      [null],
      ["a", "b", "c", "d"],
      42,
      null,
      undefined,
      { entity: "acme" }
    ]
    for (const path of garbage) {
      it.effect(`InvalidPath (not a defect) for ${String(JSON.stringify(path))}, in every path-taking function`, () =>
        Effect.gen(function*() {
          const fake = FakeHttp.graphql({})
          const p = path as string
          const calls: ReadonlyArray<(api: WandbApi.WandbApi["Type"]) => Effect.Effect<unknown, { readonly _tag: string }>> = [
            (api) => api.run(p),
            (api) => api.sweep(p),
            (api) => api.project(p),
            (api) => api.countRuns(p),
            (api) => Stream.runCollect(api.runs(p)),
            (api) => Stream.runCollect(api.files(p)),
            (api) => api.file(p, "x")
          ]
          for (const call of calls) {
            const error = yield* Effect.flip(withApi(fake, call, { entity: "e", project: "p" }))
            expect(error._tag).toBe("InvalidPath")
          }
          expect(fake.requests).toHaveLength(0)
        }))
    }

    it.effect("fills a missing entity from the viewer, asking only once", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.graphql({
          GetDefaultEntity: () => ({ viewer: { id: "u", entity: "viewer-team" } }),
          Run: () => runData()
        })
        const runs = yield* withApi(fake, (api) => Effect.all([api.run("mnist/a"), api.run("mnist/b"), api.defaultEntity]))
        expect(runs[0].entity).toBe("viewer-team")
        expect(runs[2]).toBe("viewer-team")
        expect(fake.requests.map((r) => r.body.operationName)).toEqual(["GetDefaultEntity", "Run", "Run"])
      }))

    it.effect("a viewer without default entity leaves the path invalid", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.graphql({ GetDefaultEntity: () => ({ viewer: { id: "u", entity: null } }) })
        const error = yield* Effect.flip(withApi(fake, (api) => api.run("mnist/a")))
        expect(error).toMatchObject({ _tag: "InvalidPath", input: "mnist/a" })
      }))
  })

  it.effect("runs: full fields, normalised filters and order, cursor paging with prefetch, count", () =>
    Effect.gen(function*() {
      const pages = [["a", "b"], ["c", "d"], ["e"]]
      const fake = FakeHttp.graphql({
        Runs: (variables) => {
          const index = variables.cursor === null ? 0 : Number(variables.cursor.split(":")[0]) + 1
          const names = pages[index]!
          return {
            project: {
              runCount: 5,
              runs: {
                edges: names.map((name, i) => ({ node: { ...RUN_NODE, name }, cursor: `${index}:${i}` })),
                pageInfo: { endCursor: `${index}:${names.length - 1}`, hasNextPage: index < pages.length - 1 }
              }
            }
          }
        },
        RunsCount: () => ({ project: { runCount: 5 } })
      })
      const [runs, count] = yield* withApi(fake, (api) =>
        Effect.all([
          Stream.runCollect(
            api.runs("acme/mnist", { filters: { "summary.loss": { $lt: 1 }, "config.lr": 0.1 }, perPage: 2 })
          ),
          api.countRuns("acme/mnist")
        ]))
      expect(Chunk.toArray(runs).map((run) => run.id)).toEqual(["a", "b", "c", "d", "e"])
      expect(Chunk.toArray(runs)[0]!.config.lr).toBe(0.001)
      expect(count).toBe(5)
      const listing = fake.requests.filter((r) => r.body.operationName === "Runs")
      expect(listing.map((r) => r.body.variables.cursor)).toEqual([null, "0:1", "1:1"])
      expect(listing[0]!.body.variables).toEqual({
        project: "mnist",
        entity: "acme",
        cursor: null,
        perPage: 2,
        order: "+created_at",
        filters: `{"summary_metrics.loss":{"$lt":1},"config.lr.value":0.1}`
      })
      expect(listing[0]!.body.query).toContain("summaryMetrics")
    }))

  it.effect("runs: the next page is requested before the page before it is converted", () =>
    Effect.gen(function*() {
      const pages = [["a", "b"], ["c", "d"], ["e"]]
      const events: Array<string> = []
      const fake = FakeHttp.graphql({
        Runs: (variables) => {
          const index = variables.cursor === null ? 0 : pages.findIndex((names) => names.at(-1) === variables.cursor) + 1
          events.push(`request ${index}`)
          return runsPage(pages[index]!.map((name) => ({ ...RUN_NODE, name })), index < pages.length - 1)
        }
      })
      yield* withApi(fake, (api) =>
        api.runs("acme/mnist", { perPage: 2 }).pipe(Stream.runForEach((run) => Effect.sync(() => events.push(`run ${run.id}`)))))
      expect(events.filter((event) => event.startsWith("run"))).toEqual(["run a", "run b", "run c", "run d", "run e"])
      // page 1 (of pages 0-2) is on its way before page 0's runs are built
      expect(events.indexOf("request 1")).toBeLessThan(events.indexOf("run a"))
    }))

  it.effect("runs: at most one page is requested ahead of the consumer, none once the stream is closed", () =>
    Effect.gen(function*() {
      const pages = [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"], ["i"]]
      const fake = FakeHttp.graphql({
        Runs: (variables) => {
          const index = variables.cursor === null ? 0 : pages.findIndex((names) => names.at(-1) === variables.cursor) + 1
          return runsPage(pages[index]!.map((name) => ({ ...RUN_NODE, name })), index < pages.length - 1)
        }
      })
      const ids = yield* withApi(fake, (api) =>
        api.runs("acme/mnist", { perPage: 2 }).pipe(Stream.take(3), Stream.runCollect, Effect.map(Chunk.toArray)))
      expect(ids.map((run) => run.id)).toEqual(["a", "b", "c"])
      // pages 0 and 1 read, page 2 at most requested; pages 3 and 4 never
      const cursors = fake.requests.filter((r) => r.body.operationName === "Runs").map((r) => r.body.variables.cursor)
      expect([null, "b", "d"].slice(0, cursors.length)).toEqual(cursors)
      expect(cursors.length).toBeGreaterThanOrEqual(2)
    }))

  it.effect("runs: a 400 is FilterRejected with the server's message; null project is ProjectNotFound", () =>
    Effect.gen(function*() {
      const rejected = FakeHttp.make(() => FakeHttp.json({ errors: [{ message: "invalid filter column summary.loss" }] }, 400))
      const error = yield* Effect.flip(withApi(rejected, (api) => Stream.runDrain(api.runs("e/p", { filters: { x: 1 } }))))
      expect(error).toMatchObject({ _tag: "FilterRejected", filters: `{"x":1}`, reason: "invalid filter column summary.loss" })
      const missing = FakeHttp.graphql({ Runs: () => ({ project: null }) })
      expect(yield* Effect.flip(withApi(missing, (api) => Stream.runDrain(api.runs("e/p"))))).toMatchObject({
        _tag: "ProjectNotFound",
        entity: "e",
        project: "p"
      })
    }))

  it.effect("runs: a malformed node in a page is a DecodeError naming the entity and field", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({
        Runs: () => runsPage([RUN_NODE, { ...RUN_NODE, name: "b", createdAt: 5 }])
      })
      const error = yield* Effect.flip(withApi(fake, (api) => Stream.runDrain(api.runs("e/p"))))
      expect(error).toMatchObject({ _tag: "DecodeError", entity: "Run", field: "createdAt" })
    }))

  it.effect("page sizes are validated before any request", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({})
      for (const perPage of [0, -1, 1.5, 1001]) {
        const error = yield* Effect.flip(withApi(fake, (api) => Stream.runDrain(api.runs("e/p", { perPage }))))
        expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "perPage" })
      }
      const files = yield* Effect.flip(withApi(fake, (api) => Stream.runDrain(api.files("e/p/r", { names: ["a"], pattern: "%" }))))
      expect(files).toMatchObject({ _tag: "InvalidArgument", argument: "pattern" })
      expect(fake.requests).toHaveLength(0)
    }))

  it.effect("cache: run(path) is fetched once until flush; failures are not cached", () =>
    Effect.gen(function*() {
      let exists = false
      const fake = FakeHttp.graphql({ Run: () => (exists ? runData() : { project: { run: null } }) })
      yield* withApi(fake, (api) =>
        Effect.gen(function*() {
          expect((yield* Effect.flip(api.run("e/p/3k9x0q2f")))._tag).toBe("RunNotFound")
          exists = true
          yield* api.run("e/p/3k9x0q2f")
          yield* api.run("e/p:3k9x0q2f")
          expect(fake.requests).toHaveLength(2)
          yield* api.flush
          yield* api.run("e/p/3k9x0q2f")
          expect(fake.requests).toHaveLength(3)
        }))
    }))

  it.effect("sweep: YAML config parsed; runs are a listing filtered by the sweep", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({
        GetSweep: () => ({
          project: {
            sweep: {
              __typename: "Sweep",
              id: "U3dlZXA6MTAwMg==",
              name: "w4x7q1zz",
              displayName: "lr-grid",
              method: "grid",
              state: "FINISHED",
              description: null,
              bestLoss: 0.0213,
              config: "method: grid\nmetric:\n  goal: minimize\n  name: loss\nparameters:\n  lr:\n    values:\n    - 0.001\n    - 0.01\n",
              createdAt: "2024-05-30T08:00:00",
              updatedAt: "2024-05-30T10:00:00",
              runCount: 2,
              runCountExpected: 2
            }
          }
        }),
        Runs: () => runsPage([RUN_NODE])
      })
      const [sweep, runs] = yield* withApi(fake, (api) =>
        Effect.flatMap(api.sweep("acme-ml/mnist-cnn/sweeps/w4x7q1zz"), (sweep) =>
          Effect.map(Stream.runCollect(api.sweepRuns(sweep)), (runs) => [sweep, runs] as const)))
      expect(sweep).toMatchObject({ id: "w4x7q1zz", name: "lr-grid", state: "FINISHED", bestLoss: 0.0213, runCount: 2 })
      expect(sweep.config).toEqual({
        method: "grid",
        metric: { goal: "minimize", name: "loss" },
        parameters: { lr: { values: [0.001, 0.01] } }
      })
      expect(sweep.url).toBe("https://wandb.ai/acme-ml/mnist-cnn/sweeps/w4x7q1zz")
      expect(runs.length).toBe(1)
      expect(fake.requests[1]!.body.variables.filters).toBe(`{"$and":[{"sweep":"w4x7q1zz"}]}`)
    }))

  it.effect("files and file: variables as the official client, FileNotFound for a missing name", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({
        RunFiles: (variables) => ({
          project: {
            run: {
              fileCount: 1,
              files: {
                edges: variables.fileNames.includes("missing.txt") ? [] : [{
                  cursor: "f1",
                  node: {
                    id: "RmlsZTo5OTAx",
                    name: "config.yaml",
                    url: "https://api.wandb.ai/files/acme-ml/mnist-cnn/3k9x0q2f/config.yaml",
                    directUrl: null,
                    sizeBytes: null,
                    mimetype: "application/x-yaml",
                    updatedAt: "2024-06-01T10:42:58",
                    md5: "beBjiBIljO6D/9cWYhI6+g=="
                  }
                }],
                pageInfo: { endCursor: "f1", hasNextPage: false }
              }
            }
          }
        })
      })
      const [file, missing] = yield* withApi(fake, (api) =>
        Effect.all([api.file("acme-ml/mnist-cnn/3k9x0q2f", "config.yaml"), Effect.flip(api.file("acme-ml/mnist-cnn/3k9x0q2f", "missing.txt"))]))
      expect(file).toMatchObject({ name: "config.yaml", sizeBytes: 0, md5: "beBjiBIljO6D/9cWYhI6+g==", runId: "3k9x0q2f" })
      expect(file.updatedAt?.toISOString()).toBe("2024-06-01T10:42:58.000Z")
      expect(missing).toMatchObject({ _tag: "FileNotFound", runPath: "acme-ml/mnist-cnn/3k9x0q2f", name: "missing.txt" })
      expect(fake.requests[0]!.body.variables).toEqual({
        project: "mnist-cnn",
        entity: "acme-ml",
        name: "3k9x0q2f",
        fileCursor: null,
        fileLimit: 50,
        fileNames: ["config.yaml"],
        upload: false,
        pattern: null
      })
    }))

  it.effect("createRun sends the Current client's mutation and reads the run back", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({
        UpsertBucket: (variables) => ({
          upsertBucket: {
            bucket: { id: "X", name: variables.name, project: { name: variables.project, entity: { name: variables.entity } } },
            inserted: true
          }
        }),
        Run: (variables) => runData({ ...RUN_NODE, name: variables.name, state: "pending" })
      })
      const run = yield* withApi(fake, (api) => api.createRun({ state: "pending" }), { entity: "acme" })
      expect(fake.requests[0]!.body.variables).toMatchObject({ entity: "acme", project: "uncategorized", state: "pending" })
      expect(fake.requests[0]!.body.variables.name).toMatch(/^[a-z0-9]{8}$/)
      expect(run.id).toBe(fake.requests[0]!.body.variables.name)
      expect(run.state).toBe("pending")
      const bad = yield* Effect.flip(withApi(fake, (api) => api.createRun({ runId: "no/slashes" }), { entity: "acme" }))
      expect(bad).toMatchObject({ _tag: "InvalidArgument", argument: "runId" })
    }))

  it.effect("updateRun sends every field, wraps config, writes the summary with bare NaN", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({
        Run: () => runData(),
        UpsertBucket: (variables) => ({ upsertBucket: { bucket: "summaryMetrics" in variables ? { id: "X" } : RUN_NODE } })
      })
      yield* withApi(fake, (api) =>
        Effect.flatMap(api.run("acme-ml/mnist-cnn/3k9x0q2f"), (run) =>
          api.updateRun(run, { tags: ["baseline", "reviewed"], config: { ...run.config, lr: 0.01 }, summary: { loss: Number.NaN } })))
      const [update, summary] = fake.requests.filter((r) => r.body.operationName === "UpsertBucket")
      expect(update!.body.variables).toEqual({
        id: RUN_NODE.id,
        entity: "acme-ml",
        project: "mnist-cnn",
        name: "3k9x0q2f",
        description: null,
        display_name: "noble-sky-12",
        notes: "lr sweep anchor",
        tags: ["baseline", "reviewed"],
        config:
          `{"_wandb":{"value":{"cli_version":"0.28.2"},"desc":null},"lr":{"value":0.01,"desc":null},"batch_size":{"value":64,"desc":null},"optimizer":{"value":{"name":"adam","betas":[0.9,0.999]},"desc":null}}`,
        groupName: null,
        jobType: "train"
      })
      expect(summary!.body.variables).toEqual({ id: RUN_NODE.id, summaryMetrics: `{"loss":NaN}` })
      // re-read after the update
      expect(fake.requests.at(-1)!.body.operationName).toBe("Run")
    }))

  it.effect("viewer and projects", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({
        GetViewer: () => ({
          viewer: { id: "u", name: "Dana", username: "dlee", email: null, entity: "dlee", teams: { edges: [{ node: { name: "acme" } }] } }
        }),
        GetProjects: (variables) => ({
          models: variables.entity === "nobody" ? null : {
            pageInfo: { endCursor: "p1", hasNextPage: false },
            edges: [{ node: { id: "P", name: "mnist-cnn", entityName: "acme-ml", createdAt: "2024-03-02T09:15:11Z", isBenchmark: false, user: null } }]
          }
        })
      })
      const [viewer, projects, missing] = yield* withApi(fake, (api) =>
        Effect.all([api.viewer, Stream.runCollect(api.projects("acme-ml")), Effect.flip(Stream.runDrain(api.projects("nobody")))]))
      expect(viewer).toMatchObject({ username: "dlee", entity: "dlee", teams: ["acme"] })
      expect(Chunk.toArray(projects).map((p) => [p.path, p.url])).toEqual([["acme-ml/mnist-cnn", "https://wandb.ai/acme-ml/mnist-cnn/workspace"]])
      expect(fake.requests[1]!.body.variables).toEqual({ entity: "acme-ml", cursor: null, perPage: 200 })
      expect(missing).toMatchObject({ _tag: "EntityNotFound", entity: "nobody" })
    }))

  it.effect("a null viewer means the key is not valid", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.graphql({ GetViewer: () => ({ viewer: null }) })
      expect((yield* Effect.flip(withApi(fake, (api) => api.viewer)))._tag).toBe("Unauthorized")
    }))
})
