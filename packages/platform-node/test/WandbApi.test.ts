/**
 * Every WandbApi operation over real HTTP (loopback) against the local server with its demo
 * dataset and real SQLite.
 */
import { expect, layer } from "@effect/vitest"
import { type Run, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { Chunk, Effect, Stream } from "effect"
import * as Fixtures from "./fixtures.js"

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)
const ids = (runs: ReadonlyArray<Run.Run>) => runs.map((run) => run.id)

layer(Fixtures.layer(), { excludeTestServices: true })("WandbApi over loopback", (it) => {
  it.effect("viewer and default entity come from the key owner", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const viewer = yield* api.viewer
      expect(viewer).toMatchObject({ username: "demo-user", entity: "demo" })
      expect(yield* api.defaultEntity).toBe("demo")
    }))

  it.effect("projects: every demo project, across pages, and EntityNotFound", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const { summary } = yield* Fixtures.Demo
      const expected = summary.projects.map((project) => project.name).sort()
      const all = yield* collect(api.projects())
      expect(all.map((project) => project.name).sort()).toEqual(expected)
      const paged = yield* collect(api.projects("demo", { perPage: 1 }))
      expect(paged.map((project) => project.name).sort()).toEqual(expected)
      expect(paged[0]).toMatchObject({ entity: "demo", isBenchmark: false })
      expect(paged[0]!.createdAt).toBeInstanceOf(Date)
      const error = yield* Effect.flip(collect(api.projects("no-such-entity")))
      expect(error).toMatchObject({ _tag: "EntityNotFound", entity: "no-such-entity" })
    }))

  it.effect("project(path) and ProjectNotFound", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const { server, summary } = yield* Fixtures.Demo
      const name = summary.projects[0]!.name
      const project = yield* api.project(`demo/${name}`)
      expect(project).toMatchObject({ entity: "demo", name, url: `${server.baseUrl}/demo/${name}/workspace` })
      expect((yield* api.project(name)).id).toBe(project.id)
      expect(yield* Effect.flip(api.project("demo/nope"))).toMatchObject({ _tag: "ProjectNotFound", entity: "demo", project: "nope" })
    }))

  it.effect("runs: several pages with prefetch, oldest first, every field loaded", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const { summary } = yield* Fixtures.Demo
      const project = summary.projects[0]!
      const runs = yield* collect(api.runs(`demo/${project.name}`, { perPage: 3 }))
      expect(ids(runs).sort()).toEqual(project.runs.map((run) => run.name).sort())
      expect(runs.length).toBeGreaterThan(6)
      const times = runs.map((run) => run.createdAt.getTime())
      expect(times).toEqual([...times].sort((a, b) => a - b))
      const finished = runs.find((run) => run.state === "finished")!
      expect(Object.keys(finished.summary).length).toBeGreaterThan(0)
      expect(Object.keys(finished.config).length).toBeGreaterThan(0)
      expect(finished.rawConfig).toHaveProperty("wandb_version")
      expect(finished.config).not.toHaveProperty("wandb_version")
      expect(finished.historyKeys.lastStep).toBeGreaterThan(0)
      // the listing equals single-run reads field for field
      const single = yield* api.run(finished.pathString)
      expect(single).toEqual(finished)
    }))

  it.effect("runs: order round-trips (-created_at reverses, summary.* spelling accepted)", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const { summary } = yield* Fixtures.Demo
      const path = `demo/${summary.projects[0]!.name}`
      const ascending = ids(yield* collect(api.runs(path, { perPage: 4 })))
      const descending = ids(yield* collect(api.runs(path, { order: "-created_at", perPage: 4 })))
      expect(descending).toEqual([...ascending].reverse())
      const byLoss = yield* collect(api.runs(path, { order: "+summary.loss", filters: { state: "finished" } }))
      const wire = yield* collect(api.runs(path, { order: "+summary_metrics.loss", filters: { state: "finished" } }))
      expect(ids(byLoss)).toEqual(ids(wire))
      const losses = byLoss.map((run) => run.summary.loss as number).filter(Number.isFinite)
      expect(losses).toEqual([...losses].sort((a, b) => a - b))
    }))

  it.effect("runs: filters round-trip in both spellings and agree with countRuns", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const { summary } = yield* Fixtures.Demo
      const path = `demo/${summary.projects[0]!.name}`
      const all = yield* collect(api.runs(path))
      const finished = yield* collect(api.runs(path, { filters: { state: "finished" } }))
      expect(ids(finished).sort()).toEqual(ids(all.filter((run) => run.state === "finished")).sort())
      expect(yield* api.countRuns(path, { filters: { state: "finished" } })).toBe(finished.length)
      expect(yield* api.countRuns(path)).toBe(all.length)

      const lrs = all.map((run) => run.config.lr as number).sort((a, b) => a - b)
      const threshold = lrs[Math.floor(lrs.length / 2)]!
      const expected = ids(all.filter((run) => (run.config.lr as number) <= threshold)).sort()
      for (const key of ["config.lr", "config.lr.value"]) {
        expect(ids(yield* collect(api.runs(path, { filters: { [key]: { $lte: threshold } } }))).sort()).toEqual(expected)
      }
      const accuracies = all.map((run) => run.summary.accuracy).filter((a): a is number => typeof a === "number")
      const cut = accuracies.sort((a, b) => a - b)[Math.floor(accuracies.length / 2)]!
      const accurate = ids(all.filter((run) => typeof run.summary.accuracy === "number" && run.summary.accuracy > cut)).sort()
      for (const key of ["summary.accuracy", "summary_metrics.accuracy"]) {
        expect(ids(yield* collect(api.runs(path, { filters: { [key]: { $gt: cut } } }))).sort()).toEqual(accurate)
      }
      const combined = yield* collect(api.runs(path, { filters: { $and: [{ state: "finished" }, { "config.lr": { $lte: threshold } }] } }))
      expect(combined.every((run) => run.state === "finished" && (run.config.lr as number) <= threshold)).toBe(true)
    }))

  it.effect("runs: a rejected filter is FilterRejected with the server's message; unknown project", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const error = yield* Effect.flip(collect(api.runs("demo/mnist-cnn", { filters: { "nonsense.column": 1 } })))
      expect(error._tag).toBe("FilterRejected")
      expect(error).toMatchObject({ filters: `{"nonsense.column":1}` })
      expect(error.message).toContain("nonsense.column")
      const count = yield* Effect.flip(api.countRuns("demo/mnist-cnn", { filters: { $bogus: [] } }))
      expect(count._tag).toBe("FilterRejected")
      expect(yield* Effect.flip(collect(api.runs("demo/nope")))).toMatchObject({ _tag: "ProjectNotFound" })
      expect(yield* Effect.flip(api.countRuns("demo/nope"))).toMatchObject({ _tag: "ProjectNotFound" })
    }))

  it.effect("run(path) in every path form, RunNotFound and InvalidPath", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const { summary } = yield* Fixtures.Demo
      const project = summary.projects[0]!.name
      const id = summary.projects[0]!.runs[1]!.name
      for (const path of [`demo/${project}/${id}`, `demo/${project}/runs/${id}`, `demo/${project}:${id}`, `${project}/${id}`, `${project}:${id}`]) {
        expect((yield* api.run(path)).path).toEqual(["demo", project, id])
      }
      expect(yield* Effect.flip(api.run(`demo/${project}/nope1234`))).toMatchObject({
        _tag: "RunNotFound",
        entity: "demo",
        project,
        runId: "nope1234"
      })
      expect(yield* Effect.flip(api.run("a/b/c/d"))).toMatchObject({ _tag: "InvalidPath", input: "a/b/c/d" })
      // no default project is configured
      expect(yield* Effect.flip(api.run(id))).toMatchObject({ _tag: "InvalidPath" })
    }))

  it.effect("sweep and its runs; SweepNotFound", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const { summary } = yield* Fixtures.Demo
      const demoSweep = summary.sweeps[0]!
      const sweep = yield* api.sweep(`demo/${demoSweep.project}/${demoSweep.name}`)
      expect(sweep).toMatchObject({ id: demoSweep.name, method: demoSweep.method, bestLoss: demoSweep.bestLoss })
      expect(sweep.config).toHaveProperty("parameters")
      const runs = yield* collect(api.sweepRuns(sweep, { perPage: 2 }))
      expect(ids(runs).sort()).toEqual([...demoSweep.runs].sort())
      expect(runs.every((run) => run.sweepName === demoSweep.name)).toBe(true)
      expect((yield* api.sweep(`demo/${demoSweep.project}/sweeps/${demoSweep.name}`)).storageId).toBe(sweep.storageId)
      expect(yield* Effect.flip(api.sweep(`demo/${demoSweep.project}/nope`))).toMatchObject({
        _tag: "SweepNotFound",
        sweepId: "nope"
      })
    }))

  it.effect("files: all, by names, by pattern, across pages; file(name) and FileNotFound", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const { server, summary } = yield* Fixtures.Demo
      const demoRun = summary.projects[0]!.runs[0]!
      const run = yield* api.run(`demo/${summary.projects[0]!.name}/${demoRun.name}`)
      const files = yield* collect(api.files(run, { perPage: 2 }))
      expect(files.map((file) => file.name).sort()).toEqual([...demoRun.files].sort())
      expect(files.every((file) => file.url.startsWith(`${server.baseUrl}/files/`) && file.md5 !== null)).toBe(true)
      const [first, second] = [...demoRun.files].sort()
      const named = yield* collect(api.files(run.pathString, { names: [first!, second!] }))
      expect(named.map((file) => file.name).sort()).toEqual([first, second])
      const json = yield* collect(api.files(run, { pattern: "%.json" }))
      expect(json.map((file) => file.name).sort()).toEqual(demoRun.files.filter((name) => name.endsWith(".json")).sort())
      const one = yield* api.file(run, first!)
      expect(one).toEqual(files.find((file) => file.name === first))
      expect(one.size).toBeGreaterThan(0)
      expect(yield* Effect.flip(api.file(run, "missing.bin"))).toMatchObject({
        _tag: "FileNotFound",
        runPath: run.pathString,
        name: "missing.bin"
      })
      expect(yield* Effect.flip(collect(api.files("demo/mnist-cnn/nope1234")))).toMatchObject({ _tag: "RunNotFound" })
    }))

  it.effect("create → update → read back, including a NaN summary and config replacement", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const created = yield* api.createRun({ project: "scratch", runId: "roundtrip1", state: "pending" })
      expect(created).toMatchObject({ entity: "demo", project: "scratch", id: "roundtrip1", state: "pending", tags: [] })
      const again = yield* api.createRun({ project: "scratch", runId: "roundtrip1" })
      expect(again.storageId).toBe(created.storageId)
      const updated = yield* api.updateRun(created, {
        name: "round trip",
        notes: "written by a test",
        tags: ["a", "b"],
        group: "g1",
        jobType: "eval",
        config: { lr: 0.5, nested: { depth: [1, 2] } },
        summary: { loss: Number.NaN, best: Infinity, acc: 0.75 }
      })
      expect(updated).toMatchObject({
        name: "round trip",
        notes: "written by a test",
        tags: ["a", "b"],
        group: "g1",
        jobType: "eval",
        config: { lr: 0.5, nested: { depth: [1, 2] } }
      })
      expect(Number.isNaN(updated.summary.loss)).toBe(true)
      expect(updated.summary.best).toBe(Infinity)
      yield* api.flush
      const read = yield* api.run("demo/scratch/roundtrip1")
      expect(read).toEqual(updated)
      // omitted fields keep their values; config spreads keep keys
      const second = yield* api.updateRun(read, { config: { ...read.config, extra: true } })
      expect(second).toMatchObject({ name: "round trip", tags: ["a", "b"], config: { lr: 0.5, extra: true } })
      expect(second.summary.acc).toBe(0.75)
      expect(yield* api.countRuns("demo/scratch", { filters: { "config.extra": true } })).toBe(1)
    }))

  it.effect("flush: run(path) serves the cached run until flush", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const { server } = yield* Fixtures.Demo
      const created = yield* api.createRun({ project: "scratch", runId: "cached01" })
      const cached = yield* api.run("demo/scratch/cached01")
      // another client changes the run behind this one's back
      yield* Effect.flatMap(WandbApi.WandbApi, (other) => other.updateRun(created, { notes: "changed elsewhere" })).pipe(
        Effect.provide(NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey })))
      )
      expect((yield* api.run("demo/scratch/cached01")).notes).toBe(cached.notes)
      yield* api.flush
      expect((yield* api.run("demo/scratch/cached01")).notes).toBe("changed elsewhere")
    }))

  it.effect("validation errors never reach the server", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      expect(yield* Effect.flip(collect(api.runs("demo/mnist-cnn", { perPage: 0 })))).toMatchObject({ _tag: "InvalidArgument" })
      expect(yield* Effect.flip(api.createRun({ runId: "bad id" }))).toMatchObject({ _tag: "InvalidArgument", argument: "runId" })
      expect(yield* Effect.flip(api.file("demo/mnist-cnn/x", ""))).toMatchObject({ _tag: "InvalidArgument" })
      expect(yield* Effect.flip(collect(api.runs("a/b/c")))).toMatchObject({ _tag: "InvalidPath" })
    }))
})

layer(Fixtures.layer({ client: { entity: "demo", project: "mnist-cnn" } }), { excludeTestServices: true })(
  "configured defaults",
  (it) => {
    it.effect("a bare run id uses the configured entity and project; createRun uses them too", () =>
      Effect.gen(function*() {
        const api = yield* WandbApi.WandbApi
        const { summary } = yield* Fixtures.Demo
        const project = summary.projects.find((p) => p.name === "mnist-cnn")!
        const run = yield* api.run(project.runs[0]!.name)
        expect(run.path).toEqual(["demo", "mnist-cnn", project.runs[0]!.name])
        expect((yield* collect(api.runs(""))).length).toBe(project.runs.length)
        const created = yield* api.createRun({ runId: "defaults1" })
        expect(created.path).toEqual(["demo", "mnist-cnn", "defaults1"])
      }))
  }
)

layer(Fixtures.layer(), { excludeTestServices: true })("missing defaults", (it) => {
  it.effect("createRun without a project goes to uncategorized, entity from the viewer", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const created = yield* api.createRun({ runId: "nodefault1" })
      expect(created.path).toEqual(["demo", "uncategorized", "nodefault1"])
    }))

  it.effect("a project-less path is InvalidPath, not a request", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      expect(yield* Effect.flip(collect(api.runs("")))).toMatchObject({ _tag: "InvalidPath" })
      expect(yield* Effect.flip(api.project(""))).toMatchObject({ _tag: "InvalidPath" })
      expect(yield* Effect.flip(api.sweep("abc"))).toMatchObject({ _tag: "InvalidPath" })
    }))
})
