/**
 * The runs connection through GraphQL: every filter operator, nested logic, rejected filters
 * (HTTP 400), ordering both ways, cursor pagination visiting every run exactly once, and
 * runCount honouring the filter.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { LocalServer } from "../src/index.js"
import { demoUserId, gql, insertProject, insertRun } from "./fixtures.js"

const seedRuns = Effect.gen(function*() {
  const userId = yield* demoUserId
  const filters = yield* insertProject("ent", "filters")
  const cfg = (lr: unknown, bs: number) =>
    `{"lr": {"value": ${JSON.stringify(lr)}, "desc": null}, "batch_size": {"value": ${bs}, "desc": null}, "opt": {"value": {"name": "adam"}}}`
  yield* insertRun(filters, userId, {
    name: "r1", createdAt: "2024-01-01T00:00:00", displayName: "alpha-1", state: "finished", tags: ["a", "b"],
    config: cfg(0.1, 32), summary: "{\"loss\": 0.5, \"acc\": 0.8}", group: "g1", jobType: "train"
  })
  yield* insertRun(filters, userId, {
    name: "r2", createdAt: "2024-01-02T00:00:00", displayName: "beta-2", state: "running", tags: ["b"],
    config: cfg(0.01, 64), summary: "{\"loss\": 0.3, \"acc\": 0.9}", group: "g1"
  })
  yield* insertRun(filters, userId, {
    name: "r3", createdAt: "2024-01-03T00:00:00", displayName: "alpha-3", state: "crashed", tags: [],
    config: cfg(0.001, 64), summary: "{\"loss\": NaN}"
  })
  yield* insertRun(filters, userId, {
    name: "r4", createdAt: "2024-01-04T00:00:00", displayName: "gamma-4", state: "finished", tags: ["c"],
    config: cfg(0.01, 128), summary: "{\"loss\": 0.1, \"acc\": 0.95}", sweep: "sw9"
  })
  yield* insertRun(filters, userId, {
    name: "r5", createdAt: "2024-01-05T00:00:00", displayName: "delta-5", state: "failed", tags: ["a"],
    config: cfg("high", 16), summary: "{\"loss\": 0.9}"
  })
  // "many": 237 runs, created_at with ties (3 runs per second) so the id tiebreak matters.
  const many = yield* insertProject("ent", "many")
  for (let i = 0; i < 237; i++) {
    const second = String(Math.floor(i / 3) % 60).padStart(2, "0")
    const minute = String(Math.floor(i / 180)).padStart(2, "0")
    yield* insertRun(many, userId, {
      name: `m${String(i).padStart(4, "0")}`,
      createdAt: `2024-02-01T00:${minute}:${second}`,
      state: i % 4 === 0 ? "finished" : "running",
      summary: `{"score": ${(i * 37) % 101}}`
    })
  }
})

const seeded = Layer.effectDiscard(seedRuns).pipe(Layer.provideMerge(LocalServer.layerWithSql()))

const RUNS = `query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50, $order: String, $filters: JSONString) {
  project(name: $project, entityName: $entity) {
    runCount(filters: $filters)
    runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {
      edges { node { name } cursor }
      pageInfo { endCursor hasNextPage }
    }
  }
}`

const listing = (server: LocalServer.LocalServer["Type"], filters: unknown, order: string | null = "+created_at") =>
  Effect.map(
    gql(server, RUNS, { project: "filters", entity: "ent", filters: JSON.stringify(filters), order }),
    (reply) => {
      expect(reply.status, JSON.stringify(reply.body)).toBe(200)
      const project = reply.body.data.project
      const names = project.runs.edges.map((e: any) => e.node.name)
      expect(project.runCount).toBe(names.length)
      return names as ReadonlyArray<string>
    }
  )

/** Pages through a listing; returns the names in order and checks cursor consistency. */
const allPages = (server: LocalServer.LocalServer["Type"], variables: Record<string, unknown>) =>
  Effect.gen(function*() {
    const names: Array<string> = []
    let cursor: string | null = null
    let count: number | undefined
    for (let pages = 0; pages < 1000; pages++) {
      const reply: any = yield* gql(server, RUNS, { project: "many", entity: "ent", ...variables, cursor })
      expect(reply.status, JSON.stringify(reply.body)).toBe(200)
      const { runCount, runs } = reply.body.data.project
      count = runCount
      names.push(...runs.edges.map((e: any) => e.node.name))
      if (runs.edges.length > 0) expect(runs.pageInfo.endCursor).toBe(runs.edges.at(-1).cursor)
      if (!runs.pageInfo.hasNextPage) break
      cursor = runs.pageInfo.endCursor
    }
    return { names, count: count! }
  })

describe("runs listing", () => {
  layer(seeded, { excludeTestServices: true })("filters, order, pagination", (it) => {
    it.effect("equality, $eq, $ne, $in, $nin on run columns", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        expect(yield* listing(server, { state: "finished" })).toEqual(["r1", "r4"])
        expect(yield* listing(server, { state: { $eq: "running" } })).toEqual(["r2"])
        expect(yield* listing(server, { state: { $ne: "finished" } })).toEqual(["r2", "r3", "r5"])
        expect(yield* listing(server, { state: { $in: ["crashed", "failed"] } })).toEqual(["r3", "r5"])
        expect(yield* listing(server, { state: { $nin: ["crashed", "failed"] } })).toEqual(["r1", "r2", "r4"])
        expect(yield* listing(server, { group: "g1", jobType: "train" })).toEqual(["r1"])
        expect(yield* listing(server, {})).toEqual(["r1", "r2", "r3", "r4", "r5"])
      }))

    it.effect("$gt, $gte, $lt, $lte on config (with and without .value) and summary_metrics", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        expect(yield* listing(server, { "config.lr": { $gt: 0.01 } })).toEqual(["r1"])
        expect(yield* listing(server, { "config.lr.value": { $gte: 0.01 } })).toEqual(["r1", "r2", "r4"])
        expect(yield* listing(server, { "config.lr": { $lt: 0.01 } })).toEqual(["r3"])
        expect(yield* listing(server, { "config.batch_size": { $lte: 32 } })).toEqual(["r1", "r5"])
        expect(yield* listing(server, { "config.lr.value": 0.01 })).toEqual(["r2", "r4"])
        expect(yield* listing(server, { "config.opt.name": "adam" })).toHaveLength(5)
        expect(yield* listing(server, { "summary_metrics.loss": { $lte: 0.3 } })).toEqual(["r2", "r4"])
      }))

    it.effect("$exists, $regex, tags membership, sweep", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        expect(yield* listing(server, { "summary_metrics.acc": { $exists: true } })).toEqual(["r1", "r2", "r4"])
        expect(yield* listing(server, { "summary_metrics.acc": { $exists: false } })).toEqual(["r3", "r5"])
        expect(yield* listing(server, { displayName: { $regex: "^alpha" } })).toEqual(["r1", "r3"])
        expect(yield* listing(server, { tags: "a" })).toEqual(["r1", "r5"])
        expect(yield* listing(server, { tags: { $in: ["b", "c"] } })).toEqual(["r1", "r2", "r4"])
        // the forms of the newest official code: $all (every tag) and a plain list (one of them)
        expect(yield* listing(server, { tags: { $all: ["a", "b"] } })).toEqual(["r1"])
        expect(yield* listing(server, { tags: { $all: ["b"] } })).toEqual(["r1", "r2"])
        expect(yield* listing(server, { tags: { $all: [] } })).toEqual([])
        expect(yield* listing(server, { tags: ["b", "c"] })).toEqual(["r1", "r2", "r4"])
        expect(yield* listing(server, { sweep: "sw9" })).toEqual(["r4"])
        expect(yield* listing(server, { $and: [{ sweep: "sw9" }] })).toEqual(["r4"])
      }))

    it.effect("nested $or / $and / $nor", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        expect(
          yield* listing(server, {
            $or: [{ $and: [{ state: "finished" }, { "config.batch_size": { $gte: 100 } }] }, { tags: "b" }]
          })
        ).toEqual(["r1", "r2", "r4"])
        expect(
          yield* listing(server, { $and: [{ $or: [{ tags: "a" }, { tags: "c" }] }, { state: { $ne: "failed" } }] })
        ).toEqual(["r1", "r4"])
        expect(yield* listing(server, { $nor: [{ state: "finished" }, { state: "running" }] })).toEqual(["r3", "r5"])
      }))

    it.effect("rejected filters and orders: HTTP 400 with a JSON errors body", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        for (
          const filters of [
            JSON.stringify({ "summary.loss": { $gt: 0 } }),
            JSON.stringify({ state: { $foo: 1 } }),
            "{not json"
          ]
        ) {
          const reply = yield* gql(server, RUNS, { project: "filters", entity: "ent", filters })
          expect(reply.status, filters).toBe(400)
          expect(reply.body.errors[0].message.length, filters).toBeGreaterThan(0)
          // the listing asks `runCount` and `runs` with the same filter: one refusal, reported once
          expect(reply.body.errors, filters).toHaveLength(1)
          expect(reply.body.data, filters).toBeUndefined()
        }
        const badOrder = yield* gql(server, RUNS, { project: "filters", entity: "ent", order: "+summary.loss" })
        expect(badOrder.status).toBe(400)
      }))

    it.effect("order both ways on created_at and on a summary metric", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        expect(yield* listing(server, {}, "+created_at")).toEqual(["r1", "r2", "r3", "r4", "r5"])
        expect(yield* listing(server, {}, "-created_at")).toEqual(["r5", "r4", "r3", "r2", "r1"])
        expect(yield* listing(server, {}, null)).toEqual(["r1", "r2", "r3", "r4", "r5"])
        const finite = { "summary_metrics.loss": { $lte: 1 } }
        expect(yield* listing(server, finite, "+summary_metrics.loss")).toEqual(["r4", "r2", "r1", "r5"])
        expect(yield* listing(server, finite, "-summary_metrics.loss")).toEqual(["r5", "r1", "r2", "r4"])
        expect(yield* listing(server, { "config.lr": { $exists: true } }, "-config.batch_size")).toEqual([
          "r4", "r3", "r2", "r1", "r5"
        ])
      }))

    it.effect("pagination visits every run exactly once (keyset default order, both directions)", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const expected = Array.from({ length: 237 }, (_, i) => `m${String(i).padStart(4, "0")}`)
        const asc = yield* allPages(server, { perPage: 10, order: "+created_at", filters: "{}" })
        expect(asc.count).toBe(237)
        expect(asc.names).toEqual(expected)
        const desc = yield* allPages(server, { perPage: 25, order: "-created_at", filters: "{}" })
        expect(desc.names).toEqual([...expected].reverse())
        const defaults = yield* allPages(server, { perPage: null, order: null })
        expect(defaults.names).toEqual(expected)
      }))

    it.effect("pagination with a filter and an offset-paged order; runCount matches", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const page = yield* allPages(server, {
          perPage: 7,
          order: "-summary_metrics.score",
          filters: JSON.stringify({ state: "running" })
        })
        expect(page.count).toBe(177)
        expect(page.names).toHaveLength(177)
        expect(new Set(page.names).size).toBe(177)
        const scores = page.names.map((n) => (Number(n.slice(1)) * 37) % 101)
        expect(scores).toEqual([...scores].sort((a, b) => b - a))
        const first = yield* gql(server, RUNS, { project: "many", entity: "ent", perPage: null })
        expect(first.body.data.project.runs.edges).toHaveLength(50)
        expect(first.body.data.project.runs.pageInfo.hasNextPage).toBe(true)
      }))
  })
})
