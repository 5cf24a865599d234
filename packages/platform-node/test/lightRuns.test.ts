/**
 * Light (key-selected) runs listings over loopback: the server's `keys` arguments, the fallback
 * against a server without them (warned once), completion with `load`, and a run deleted
 * between two pages.
 */
import { expect, layer } from "@effect/vitest"
import { LightRuns, WandbApi } from "@effect-wandb/core"
import { Chunk, Effect, Logger, Stream } from "effect"
import * as Fixtures from "./fixtures.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

const demo = { projects: 1, runsPerProject: 7, stepsPerRun: 20, filesPerRun: 0 }

/** The expected light view of every run, from the full listing. */
const expected = (path: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const api = yield* WandbApi.WandbApi
    const full = yield* collect(api.runs(path))
    return full.map((run) => ({
      id: run.id,
      state: run.state,
      tags: run.tags,
      config: "lr" in run.config ? { lr: run.config.lr } : {},
      summary: "val_loss" in run.summary ? { val_loss: run.summary.val_loss } : {}
    }))
  })

const light = (runs: ReadonlyArray<LightRuns.LightRun>) =>
  runs.map((run) => ({ id: run.id, state: run.state, tags: run.tags, config: run.config, summary: run.summary }))

const projectPath = Effect.map(Fixtures.Demo, ({ summary }) => [summary.entity, summary.projects[0]!.name] as const)

/** Runs `effect` collecting the warnings it logs. */
const withWarnings = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const warnings: Array<string> = []
    const collector = Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") warnings.push(String(message))
    })
    return Effect.map(Effect.provide(effect, Logger.replace(Logger.defaultLogger, collector)), (a) => [a, warnings] as const)
  })

layer(Fixtures.layer({ demo }), { excludeTestServices: true })("light runs, server with keys arguments", (it) => {
  it.effect("selected keys only, the same values as the full listing, across pages; load completes a run", () =>
    Effect.gen(function*() {
      const path = yield* projectPath
      const options = { configKeys: ["lr"], summaryKeys: ["val_loss"], perPage: 3 }
      const [runs, warnings] = yield* withWarnings(collect(LightRuns.runs(path, { ...options, keySelection: "server" })))
      expect(warnings).toEqual([])
      expect(light(runs)).toEqual(yield* expected(path))
      expect(runs.every((run) => Object.keys(run.config).length <= 1 && Object.keys(run.summary).length <= 1)).toBe(true)
      const client = yield* collect(LightRuns.runs(path, { ...options, keySelection: "client" }))
      expect(light(client)).toEqual(light(runs))
      const full = yield* LightRuns.load(runs[2]!)
      expect(full.id).toBe(runs[2]!.id)
      expect(full.config.lr).toEqual(runs[2]!.config.lr)
      expect(Object.keys(full.config).length).toBeGreaterThan(1)
      const none = yield* collect(LightRuns.runs(path))
      expect(none.every((run) => Object.keys(run.config).length === 0 && Object.keys(run.summary).length === 0)).toBe(true)
    }))

  it.effect("filters and order apply; a refused filter is FilterRejected; bad options are InvalidArgument", () =>
    Effect.gen(function*() {
      const path = yield* projectPath
      const finished = yield* collect(
        LightRuns.runs(path, { filters: { state: "finished" }, order: "-created_at", summaryKeys: ["val_loss"] })
      )
      expect(finished.every((run) => run.state === "finished")).toBe(true)
      const times = finished.map((run) => run.createdAt.getTime())
      expect(times).toEqual([...times].sort((a, b) => b - a))
      const rejected = yield* Effect.flip(collect(LightRuns.runs(path, { filters: { "bogus.key": 1 } })))
      expect(rejected._tag).toBe("FilterRejected")
      const bad = yield* Effect.flip(collect(LightRuns.runs(path, { configKeys: [""] })))
      expect(bad).toMatchObject({ _tag: "InvalidArgument", argument: "configKeys" })
    }))

  it.effect("a run deleted between two pages is left out; no run is listed twice", () =>
    Effect.gen(function*() {
      const path = yield* projectPath
      const before = yield* collect(LightRuns.runs(path, { perPage: 2 }))
      const { sql } = yield* Fixtures.Demo
      const doomed = before[4]!.id
      const seen: Array<string> = []
      yield* LightRuns.runs(path, { perPage: 2 }).pipe(
        Stream.runForEach((run) =>
          Effect.gen(function*() {
            seen.push(run.id)
            // after the first page: delete a run of a later page and one already listed
            if (seen.length === 2) {
              for (const id of [doomed, before[0]!.id]) {
                yield* sql.unsafe("DELETE FROM runs WHERE name = ?", [id]).pipe(Effect.orDie)
              }
            }
          })
        )
      )
      expect(seen).toEqual(before.map((run) => run.id).filter((id) => id !== doomed))
    }))
})

layer(Fixtures.layer({ demo, server: { runKeyArguments: false } }), { excludeTestServices: true })(
  "light runs, server without keys arguments",
  (it) => {
    it.effect("auto falls back to whole objects with the same values, warning once; server mode fails", () =>
      Effect.gen(function*() {
        const path = yield* projectPath
        const options = { configKeys: ["lr"], summaryKeys: ["val_loss"], perPage: 3 }
        const refused = yield* Effect.flip(collect(LightRuns.runs(path, { ...options, keySelection: "server" })))
        expect(refused._tag).toBe("ServerError")
        expect(refused.message).toContain("keys")
        const [runs, warnings] = yield* withWarnings(collect(LightRuns.runs(path, options)))
        expect(light(runs)).toEqual(yield* expected(path))
        expect(warnings).toHaveLength(1)
        expect(warnings[0]).toContain("select the keys here")
        const [again, later] = yield* withWarnings(collect(LightRuns.runs(path, options)))
        expect(light(again)).toEqual(light(runs))
        expect(later).toEqual([])
      }))
  }
)
