/**
 * Run lifecycle over loopback against the local server: console logs, sweeps and best runs,
 * project creation, stop / state / deletion of runs and files, tags filters, and the typed
 * refusals (run already deleted, read-only run, no permission).
 */
import { expect, layer } from "@effect/vitest"
import { ConsoleLog, Lifecycle, Sweeps, WandbApi } from "@effect-wandb/core"
import { Chunk, Effect, Option, Stream } from "effect"
import * as Fixtures from "./fixtures.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

/** Runs SQL on the server's database (to arrange states the API cannot create). */
const sql = (text: string, params: ReadonlyArray<string | number> = []) =>
  Effect.flatMap(Fixtures.Demo, ({ sql }) => sql.unsafe<Record<string, unknown>>(text, params)).pipe(Effect.orDie)

/** A run of the demo project `p` (index `i`) as the API returns it. */
const demoRun = (p: number, i: number) =>
  Effect.gen(function*() {
    const { summary } = yield* Fixtures.Demo
    const project = summary.projects[p]!
    return yield* Effect.flatMap(WandbApi.WandbApi, (api) => api.run([summary.entity, project.name, project.runs[i]!.name]))
  })

layer(Fixtures.layer({ demo: { projects: 2, runsPerProject: 6, stepsPerRun: 40 } }), { excludeTestServices: true })(
  "run lifecycle over loopback",
  (it) => {
    it.effect("console log: every line page by page, the tail in one request, RunNotFound", () =>
      Effect.gen(function*() {
        const run = yield* demoRun(0, 0)
        const all = yield* collect(ConsoleLog.lines(run, { perPage: 7 }))
        expect(all.length).toBe(40)
        expect(all.map((line) => line.number)).toEqual(Array.from({ length: 40 }, (_, i) => i))
        expect(all[3]).toMatchObject({ content: expect.stringMatching(/^step 3: loss=/), level: "", timestamp: null })
        const tail = yield* collect(ConsoleLog.lines(run, { last: 5 }))
        expect(tail.map((line) => line.content)).toEqual(all.slice(-5).map((line) => line.content))
        const missing = yield* Effect.flip(collect(ConsoleLog.lines({ ...run, id: "nosuchrun" })))
        expect(missing).toMatchObject({ _tag: "RunNotFound", runId: "nosuchrun" })
        const bad = yield* Effect.flip(collect(ConsoleLog.lines(run, { perPage: 0 })))
        expect(bad).toMatchObject({ _tag: "InvalidArgument", argument: "perPage" })
      }))

    it.effect("sweeps of a project, and a sweep's best run by its metric", () =>
      Effect.gen(function*() {
        const { summary } = yield* Fixtures.Demo
        const demoSweep = summary.sweeps[0]!
        const listed = yield* collect(Sweeps.sweeps([summary.entity, demoSweep.project], { perPage: 1 }))
        expect(listed.map((sweep) => sweep.id)).toEqual(
          summary.sweeps.filter((s) => s.project === demoSweep.project).map((s) => s.name)
        )
        const sweep = listed[0]!
        expect(Sweeps.metricOrder(sweep)).toBe("+summary_metrics.val_loss")
        const api = yield* WandbApi.WandbApi
        const runs = yield* collect(api.sweepRuns(sweep))
        const losses = runs.map((run) => run.summary.val_loss).filter((v): v is number => typeof v === "number")
        const best = yield* Sweeps.bestRun(sweep)
        expect(Option.getOrThrow(best).summary.val_loss).toBe(Math.min(...losses))
        const worst = yield* Sweeps.bestRun(sweep, { order: "-summary_metrics.val_loss" })
        expect(Option.getOrThrow(worst).summary.val_loss).toBe(Math.max(...losses))
        const missing = yield* Effect.flip(collect(Sweeps.sweeps("demo/no-such-project")))
        expect(missing).toMatchObject({ _tag: "ProjectNotFound" })
      }))

    it.effect("createProject creates once, reads back, refuses bad names", () =>
      Effect.gen(function*() {
        const project = yield* Lifecycle.createProject("fresh-proj", { description: "made by a test" })
        expect(project).toMatchObject({ entity: "demo", name: "fresh-proj" })
        const again = yield* Lifecycle.createProject("fresh-proj", { entity: "demo" })
        expect(again.id).toBe(project.id)
        const bad = yield* Effect.flip(Lifecycle.createProject("a/b"))
        expect(bad).toMatchObject({ _tag: "InvalidArgument", argument: "name" })
      }))

    it.effect("stopRun records the stop; setRunState changes the state and returns the re-read run", () =>
      Effect.gen(function*() {
        const run = yield* demoRun(1, 0)
        yield* Lifecycle.stopRun(run.path)
        expect(yield* sql("SELECT run_id FROM run_stops")).toHaveLength(1)
        const failed = yield* Lifecycle.setRunState(run, "failed")
        expect(failed.state).toBe("failed")
        const bad = yield* Effect.flip(Lifecycle.setRunState(run, "finished" as any))
        expect(bad).toMatchObject({ _tag: "InvalidArgument", argument: "state" })
      }))

    it.effect("deleteFile deletes that file only", () =>
      Effect.gen(function*() {
        const run = yield* demoRun(1, 1)
        const api = yield* WandbApi.WandbApi
        const before = yield* collect(api.files(run))
        yield* Lifecycle.deleteFile(before.find((file) => file.name === "config.yaml")!)
        const after = yield* collect(api.files(run))
        expect(after.map((file) => file.name)).toEqual(before.map((file) => file.name).filter((n) => n !== "config.yaml"))
      }))

    it.effect("deleteRun: gone afterwards (cache too); again with the Run is RunDeleted, with the path RunNotFound", () =>
      Effect.gen(function*() {
        const run = yield* demoRun(1, 2)
        const api = yield* WandbApi.WandbApi
        yield* Lifecycle.deleteRun(run, { deleteArtifacts: true })
        expect(yield* Effect.flip(api.run(run.path))).toMatchObject({ _tag: "RunNotFound" })
        expect(yield* Effect.flip(Lifecycle.deleteRun(run))).toMatchObject({ _tag: "RunDeleted", runId: run.id })
        expect(yield* Effect.flip(Lifecycle.stopRun(run))).toMatchObject({ _tag: "RunDeleted" })
        expect(yield* Effect.flip(Lifecycle.deleteRun(run.path))).toMatchObject({ _tag: "RunNotFound" })
      }))

    it.effect("a read-only run is RunReadOnly with nothing sent; a read-only project is PermissionDenied", () =>
      Effect.gen(function*() {
        const run = yield* demoRun(1, 3)
        yield* sql("UPDATE runs SET read_only = 1 WHERE name = ?", [run.id])
        expect(yield* Effect.flip(Lifecycle.deleteRun(run))).toMatchObject({ _tag: "RunReadOnly", runId: run.id })
        expect(yield* Effect.flip(Lifecycle.stopRun(run))).toMatchObject({ _tag: "RunReadOnly" })
        expect(yield* sql("SELECT 1 FROM runs WHERE name = ?", [run.id])).toHaveLength(1)
        const other = yield* demoRun(0, 4)
        yield* sql("UPDATE projects SET read_only = 1 WHERE name = ?", [other.project])
        const denied = yield* Effect.flip(Lifecycle.deleteRun(other))
        expect(denied._tag).toBe("PermissionDenied")
        expect(denied.message).toContain("read-only")
        yield* sql("UPDATE projects SET read_only = 0 WHERE name = ?", [other.project])
        expect(yield* sql("SELECT 1 FROM runs WHERE name = ?", [other.id])).toHaveLength(1)
      }))

    it.effect("tags filters: a plain list (one of) and $all (every one)", () =>
      Effect.gen(function*() {
        const api = yield* WandbApi.WandbApi
        const { summary } = yield* Fixtures.Demo
        const path = [summary.entity, summary.projects[0]!.name]
        const runs = yield* collect(api.runs(path))
        const [a, b] = [runs[0]!, runs[1]!]
        yield* api.updateRun(a, { tags: ["x-tag", "y-tag"] })
        yield* api.updateRun(b, { tags: ["y-tag"] })
        const anyOf = yield* collect(api.runs(path, { filters: { tags: ["x-tag", "y-tag"] } }))
        expect(anyOf.map((run) => run.id).sort()).toEqual([a.id, b.id].sort())
        const allOf = yield* collect(api.runs(path, { filters: { tags: { $all: ["x-tag", "y-tag"] } } }))
        expect(allOf.map((run) => run.id)).toEqual([a.id])
      }))
  }
)
