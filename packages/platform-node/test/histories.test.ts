/**
 * Histories of many runs over loopback: batched sampled histories (one request per page of
 * runs) equal to one `History.history` per run, long form, and full scans of many runs under one
 * global request budget.
 */
import { expect, layer } from "@effect/vitest"
import { GraphQLClient, Histories, History, LightRuns, type Run, WandbApi } from "@effect-wandb/core"
import { Chunk, Effect, Stream } from "effect"
import * as Fixtures from "./fixtures.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

/** Runs `effect` with a GraphQL client that counts requests and the most in flight at once. */
const counted = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const gql = yield* GraphQLClient.GraphQLClient
    const stats = { requests: 0, inFlight: 0, maxInFlight: 0 }
    const track = <X, Y, Z>(request: Effect.Effect<X, Y, Z>) =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          stats.requests++
          stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight)
        }),
        () => request,
        () => Effect.sync(() => stats.inFlight--)
      )
    const counting = GraphQLClient.GraphQLClient.of({
      execute: (operation, variables) => track(gql.execute(operation, variables)),
      send: (operation, variables) => track(Effect.flatMap(gql.send(operation, variables), (read) => read).pipe(Effect.map(Effect.succeed)))
    })
    const result = yield* Effect.provideService(effect, GraphQLClient.GraphQLClient, counting)
    return [result, stats] as const
  })

const allRuns = Effect.gen(function*() {
  const api = yield* WandbApi.WandbApi
  const { summary } = yield* Fixtures.Demo
  const lists = yield* Effect.forEach(summary.projects, (p) => collect(api.runs([summary.entity, p.name])))
  return lists.flat()
})

const perRun = (runs: ReadonlyArray<Run.Run>, options: History.HistoryOptions) =>
  Effect.forEach(runs, (run) => History.history(run, options))

const demo = { projects: 2, runsPerProject: 6, stepsPerRun: 40, filesPerRun: 0 }

layer(Fixtures.layer({ demo }), { excludeTestServices: true })("histories of many runs", (it) => {
  it.effect("batched: one request per page of runs, the same rows as one history per run (inner, outer, all keys)", () =>
    Effect.gen(function*() {
      const runs = yield* allRuns
      expect(runs.length).toBe(12)
      for (
        const options of [
          { keys: ["loss", "val_loss"], samples: 15 },
          { keys: ["loss", "val_loss"], samples: 15, join: "outer" as const },
          { samples: 10 },
          { keys: ["accuracy"], samples: 8, xAxis: "_runtime" }
        ]
      ) {
        const expected = yield* perRun(runs, options)
        const [batched, stats] = yield* counted(
          collect(Histories.histories(Stream.fromIterable(runs), { ...options, runsPerRequest: 5 }))
        )
        // 12 runs (6 per project) in groups of 5: [5 of p0], [1 of p0 + 4 of p1], [2 of p1] → 4 requests
        expect(stats.requests, JSON.stringify(options)).toBe(4)
        expect(batched.map((h) => h.run.id)).toEqual(runs.map((run) => run.id))
        expect(batched.map((h) => h.rows), JSON.stringify(options)).toEqual(expected.map((h) => h.rows))
        expect(batched.map((h) => h.columns)).toEqual(expected.map((h) => h.columns))
        expect(batched.some((h) => h.rows.length > 0)).toBe(true)
      }
    }))

  it.effect("perRun mode, light runs as input, long form", () =>
    Effect.gen(function*() {
      const { summary } = yield* Fixtures.Demo
      const light = LightRuns.runs([summary.entity, summary.projects[1]!.name])
      const options = { keys: ["loss"], samples: 12 }
      const [viaRuns, stats] = yield* counted(collect(Histories.histories(light, { ...options, mode: "perRun" })))
      expect(stats.requests).toBe(1 + 6) // the listing page, one history per run (the project lookup uses WandbApi's own client)
      const batched = yield* collect(Histories.histories(light, options))
      expect(viaRuns.map((h) => h.rows)).toEqual(batched.map((h) => h.rows))
      const long = yield* collect(Histories.historiesLong(light, options))
      expect(long.length).toBe(batched.reduce((n, h) => n + h.rows.length, 0))
      expect(long[0]).toMatchObject({ run: `${summary.entity}/${summary.projects[1]!.name}/${batched[0]!.run.id}`, key: "loss" })
      expect(typeof long[0]!.value).toBe("number")
    }))

  it.effect("a run that does not exist is RunNotFound; bad options are InvalidArgument", () =>
    Effect.gen(function*() {
      const [run] = yield* allRuns
      const ghost = { entity: run!.entity, project: run!.project, id: "ghost000" }
      const missing = yield* Effect.flip(collect(Histories.histories(Stream.make(run!, ghost), { keys: ["loss"] })))
      expect(missing).toMatchObject({ _tag: "RunNotFound", runId: "ghost000" })
      const bad = yield* Effect.flip(collect(Histories.histories(Stream.make(run!), { runsPerRequest: 0 })))
      expect(bad).toMatchObject({ _tag: "InvalidArgument", argument: "runsPerRequest" })
      const noKeys = yield* Effect.flip(collect(Histories.histories(Stream.make(run!), { keys: [] })))
      expect(noKeys).toMatchObject({ _tag: "InvalidArgument", argument: "keys" })
    }))

  it.effect("scanHistories: every row of every run, tagged, under one request budget", () =>
    Effect.gen(function*() {
      const runs = yield* allRuns
      const [rows, stats] = yield* counted(
        collect(Histories.scanHistories(Stream.fromIterable(runs), { pageSize: 7, concurrency: 2, runConcurrency: 4 }))
      )
      expect(stats.maxInFlight).toBeLessThanOrEqual(2)
      for (const run of runs) {
        const own = rows.filter((r) => r.run.id === run.id).map((r) => r.row)
        expect(own).toEqual(yield* collect(History.scanHistory(run, { pageSize: 7 })))
      }
      const total = yield* Effect.forEach(runs, (run) => Stream.runCount(History.scanHistory(run)))
      expect(rows.length).toBe(total.reduce((a, b) => a + b, 0))
    }))
})
