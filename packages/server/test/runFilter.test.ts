import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { compileRunFilter } from "../src/internal/runFilter.js"
import { MemoryDb } from "./fixtures/dataDb.js"

const wrap = (o: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { value: v, desc: null }])))

interface Fixture {
  readonly name: string
  readonly state: string
  readonly display: string | null
  readonly tags: ReadonlyArray<string>
  readonly config: string
  readonly summary: string
  readonly created: string
  readonly duration: number | null
  readonly sweep: string | null
  readonly user: number | null
}

const runs: ReadonlyArray<Fixture> = [
  {
    name: "a",
    state: "finished",
    display: "noble-sky-1",
    tags: ["baseline", "cnn"],
    config: wrap({ lr: 0.01, batch_size: 32, opt: { name: "adam", betas: [0.9, 0.99] }, "a b": "sp", model: "5", flag: true }),
    summary: JSON.stringify({ loss: 0.5, acc: 0.9, val: { acc: 0.8 } }),
    created: "2024-01-01T00:00:00",
    duration: 100,
    sweep: "s1",
    user: 1
  },
  {
    name: "b",
    state: "running",
    display: "brave-wind-2",
    tags: ["cnn"],
    config: wrap({ lr: 0.1, batch_size: 64, opt: { name: "sgd" }, model: 5, flag: false }),
    summary: JSON.stringify({ loss: "NaN", acc: 0.7, val: { acc: 0.6 } }),
    created: "2024-01-02T00:00:00",
    duration: 50,
    sweep: "s1",
    user: null
  },
  {
    name: "c",
    state: "crashed",
    display: "calm-lake-3",
    tags: [],
    config: wrap({ lr: 0.001 }),
    summary: JSON.stringify({ loss: null }),
    created: "2024-01-03T12:00:00.500",
    duration: null,
    sweep: null,
    user: null
  },
  {
    name: "d",
    state: "failed",
    display: null,
    tags: ["x'; DROP TABLE runs; --"],
    config: "{}",
    summary: "{}",
    created: "2024-01-04T00:00:00",
    duration: 7,
    sweep: null,
    user: null
  }
]

const Seeded = Layer.effectDiscard(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`INSERT INTO users (id, username, name, api_key, default_entity) VALUES (1, 'demo-user', 'Demo', 'k', 'demo')`
  yield* sql`INSERT INTO entities (id, name) VALUES (1, 'demo')`
  yield* sql`INSERT INTO projects (id, entity_id, name, created_at) VALUES (1, 1, 'p', '2024-01-01T00:00:00')`
  for (const r of runs) {
    yield* sql`INSERT INTO runs ${
      sql.insert({
        project_id: 1,
        name: r.name,
        state: r.state,
        display_name: r.display,
        tags: JSON.stringify(r.tags),
        config: r.config,
        config_query: r.config,
        summary_metrics: r.summary,
        summary_query: r.summary,
        created_at: r.created,
        duration: r.duration,
        sweep_name: r.sweep,
        user_id: r.user
      })
    }`
  }
})).pipe(Layer.provideMerge(MemoryDb))

const matching = (filters: unknown) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const where = yield* Either.match(compileRunFilter(filters), {
      onLeft: (e) => Effect.dieMessage(e.message),
      onRight: Effect.succeed
    })
    const rows = yield* sql.unsafe<{ name: string }>(`SELECT r.name FROM runs r WHERE ${where.sql} ORDER BY r.name`, [
      ...where.params
    ])
    return rows.map((row) => row.name).join("")
  })

const rejection = (filters: unknown): string => {
  const result = compileRunFilter(filters)
  if (Either.isRight(result)) throw new Error(`expected a FilterError for ${JSON.stringify(filters)}`)
  expect(result.left._tag).toBe("FilterError")
  return result.left.message
}

layer(Seeded)("compileRunFilter", (it) => {
  it.effect("no filter matches everything", () =>
    Effect.gen(function*() {
      expect(yield* matching(null)).toBe("abcd")
      expect(yield* matching(undefined)).toBe("abcd")
      expect(yield* matching({})).toBe("abcd")
    }))

  describe("operators", () => {
    it.effect("equality: bare value, $eq, $ne", () =>
      Effect.gen(function*() {
        expect(yield* matching({ state: "finished" })).toBe("a")
        expect(yield* matching({ state: { $eq: "running" } })).toBe("b")
        expect(yield* matching({ state: { $ne: "finished" } })).toBe("bcd")
        expect(yield* matching({ name: "b", state: "running" })).toBe("b")
        expect(yield* matching({ name: "b", state: "finished" })).toBe("")
      }))

    it.effect("ranges on numbers, both config spellings", () =>
      Effect.gen(function*() {
        expect(yield* matching({ "config.lr": { $gt: 0.01 } })).toBe("b")
        expect(yield* matching({ "config.lr.value": { $gte: 0.01 } })).toBe("ab")
        expect(yield* matching({ "config.lr": { $lt: 0.01 } })).toBe("c")
        expect(yield* matching({ "config.lr.value": { $lte: 0.01, $gt: 0.001 } })).toBe("a")
        expect(yield* matching({ duration: { $gt: 60 } })).toBe("a")
        expect(yield* matching({ "config.batch_size": 64 })).toBe("b")
      }))

    it.effect("ranges on strings compare as strings", () =>
      Effect.gen(function*() {
        expect(yield* matching({ displayName: { $gte: "c" } })).toBe("ac")
        expect(yield* matching({ state: { $lt: "failed" } })).toBe("c")
      }))

    it.effect("$in and $nin", () =>
      Effect.gen(function*() {
        expect(yield* matching({ state: { $in: ["finished", "crashed"] } })).toBe("ac")
        expect(yield* matching({ state: { $nin: ["finished", "crashed"] } })).toBe("bd")
        expect(yield* matching({ state: { $in: [] } })).toBe("")
        expect(yield* matching({ "config.lr": { $in: [0.1, 0.001] } })).toBe("bc")
        expect(yield* matching({ sweep: { $in: ["s1", null] } })).toBe("abcd")
      }))

    it.effect("numbers and strings never compare equal", () =>
      Effect.gen(function*() {
        expect(yield* matching({ "config.model": 5 })).toBe("b")
        expect(yield* matching({ "config.model": "5" })).toBe("a")
        expect(yield* matching({ "config.model": { $gt: 1 } })).toBe("b")
        expect(yield* matching({ name: 5 })).toBe("")
      }))

    it.effect("booleans", () =>
      Effect.gen(function*() {
        expect(yield* matching({ "config.flag": true })).toBe("a")
        expect(yield* matching({ "config.flag": false })).toBe("b")
        expect(yield* matching({ "config.flag": 1 })).toBe("")
      }))

    it.effect("nulls and $exists", () =>
      Effect.gen(function*() {
        expect(yield* matching({ "summary_metrics.loss": { $exists: true } })).toBe("abc")
        expect(yield* matching({ "summary_metrics.loss": { $exists: false } })).toBe("d")
        expect(yield* matching({ "summary_metrics.loss": null })).toBe("cd")
        expect(yield* matching({ "summary_metrics.loss": { $ne: null } })).toBe("ab")
        expect(yield* matching({ duration: { $exists: false } })).toBe("c")
        expect(yield* matching({ displayName: null })).toBe("d")
        expect(yield* matching({ "summary_metrics.loss": "NaN" })).toBe("b")
      }))

    it.effect("$regex (RE2 flags, $options, both display name spellings)", () =>
      Effect.gen(function*() {
        expect(yield* matching({ displayName: { $regex: "^[nb]" } })).toBe("ab")
        expect(yield* matching({ display_name: { $regex: "lake" } })).toBe("c")
        expect(yield* matching({ display_name: { $regex: "(?i)NOBLE" } })).toBe("a")
        expect(yield* matching({ display_name: { $regex: "NOBLE", $options: "i" } })).toBe("a")
        expect(yield* matching({ "config.opt.name": { $regex: "^s" } })).toBe("b")
        expect(yield* matching({ "config.model": { $regex: "5" } })).toBe("a")
      }))
  })

  describe("keys", () => {
    it.effect("nested config, both spellings, and quoted keys", () =>
      Effect.gen(function*() {
        expect(yield* matching({ "config.opt.name": "adam" })).toBe("a")
        expect(yield* matching({ "config.opt.value.name": "sgd" })).toBe("b")
        expect(yield* matching({ "config.opt.value": { name: "sgd" } })).toBe("b")
        expect(yield* matching({ "config.a b": "sp" })).toBe("a")
        expect(yield* matching({ "config.a\"b": "sp" })).toBe("")
      }))

    it.effect("nested summary metrics", () =>
      Effect.gen(function*() {
        expect(yield* matching({ "summary_metrics.val.acc": { $gt: 0.7 } })).toBe("a")
        expect(yield* matching({ "summary_metrics.acc": { $lt: 0.8 } })).toBe("b")
      }))

    it.effect("timestamps normalise ISO strings with or without zone", () =>
      Effect.gen(function*() {
        expect(yield* matching({ createdAt: { $gt: "2024-01-02T00:00:00Z" } })).toBe("cd")
        expect(yield* matching({ created_at: { $gte: "2024-01-02" } })).toBe("bcd")
        expect(yield* matching({ createdAt: { $lt: "2024-01-03T13:00:00+01:00" } })).toBe("ab")
        expect(yield* matching({ createdAt: { $lte: "2024-01-03T12:00:00.5" } })).toBe("abc")
        expect(yield* matching({ createdAt: "2024-01-01T00:00:00.000Z" })).toBe("a")
        expect(yield* matching({ heartbeatAt: null })).toBe("abcd")
      }))

    it.effect("username and sweep", () =>
      Effect.gen(function*() {
        expect(yield* matching({ username: "demo-user" })).toBe("a")
        expect(yield* matching({ sweep: "s1" })).toBe("ab")
      }))

    it.effect("tags membership", () =>
      Effect.gen(function*() {
        expect(yield* matching({ tags: "cnn" })).toBe("ab")
        expect(yield* matching({ tags: { $eq: "baseline" } })).toBe("a")
        expect(yield* matching({ tags: { $in: ["baseline", "zzz"] } })).toBe("a")
        expect(yield* matching({ tags: { $nin: ["cnn"] } })).toBe("cd")
        expect(yield* matching({ tags: { $ne: "cnn" } })).toBe("cd")
        expect(yield* matching({ tags: { $exists: false } })).toBe("c")
        expect(yield* matching({ tags: { $exists: true } })).toBe("abd")
        expect(yield* matching({ tags: null })).toBe("c")
        expect(yield* matching({ tags: { $regex: "^base" } })).toBe("a")
        expect(yield* matching({ $or: [{ tags: null }, { tags: { $ne: "baseline" } }] })).toBe("bcd")
      }))
  })

  it.effect("nested $and / $or / $nor", () =>
    Effect.gen(function*() {
      expect(yield* matching({ $or: [{ state: "finished" }, { state: "crashed" }] })).toBe("ac")
      expect(yield* matching({ $and: [{ tags: "cnn" }, { "config.lr": { $gt: 0.05 } }] })).toBe("b")
      expect(yield* matching({ $nor: [{ state: "finished" }, { state: "running" }] })).toBe("cd")
      expect(
        yield* matching({
          $or: [{ $and: [{ state: "finished" }, { "summary_metrics.acc": { $gt: 0.5 } }] }, {
            $nor: [{ tags: { $exists: true } }]
          }]
        })
      ).toBe("ac")
      expect(yield* matching({ state: { $ne: "failed" }, $or: [{ name: "a" }, { name: "d" }] })).toBe("a")
    }))

  it.effect("binds values as parameters (no SQL injection)", () =>
    Effect.gen(function*() {
      expect(yield* matching({ tags: "x'; DROP TABLE runs; --" })).toBe("d")
      expect(yield* matching({ displayName: "'; DROP TABLE runs; --" })).toBe("")
      expect(yield* matching({ "config.x'); DROP TABLE runs; --": 1 })).toBe("")
      expect(yield* matching({})).toBe("abcd")
      const where = compileRunFilter({ displayName: "'; DROP" })
      expect(Either.isRight(where) && where.right.sql.includes("DROP")).toBe(false)
    }))

  describe("rejections", () => {
    it("names the offending key", () => {
      expect(rejection({ "summary.loss": 1 })).toMatch(/summary\.loss.*summary_metrics/)
      expect(rejection({ color: "red" })).toMatch(/unknown filter key "color"/)
      expect(rejection({ $where: "1" })).toMatch(/"\$where"/)
      expect(rejection({ tags: { $size: 1 } })).toMatch(/"tags".*"\$size"/)
      expect(rejection({ tags: { $all: "a" } })).toMatch(/"tags".*\$all needs an array/)
      expect(rejection({ "config.opt": { $elemMatch: { a: 1 } } })).toMatch(/"config.opt".*"\$elemMatch"/)
      expect(rejection({ $and: { state: "x" } })).toMatch(/"\$and".*array/)
      expect(rejection({ $or: [] })).toMatch(/"\$or".*non-empty/)
      expect(rejection({ $or: ["x"] })).toMatch(/\$or\[0\] must be a JSON object/)
      expect(rejection({ state: { $in: "finished" } })).toMatch(/"state".*\$in needs an array/)
      expect(rejection({ state: { $regex: 5 } })).toMatch(/"state".*\$regex needs a string/)
      expect(rejection({ state: { $regex: "(" } })).toMatch(/"state".*invalid \$regex/)
      expect(rejection({ state: { $regex: "a", $options: "x" } })).toMatch(/\$options/)
      expect(rejection({ createdAt: 1704067200 })).toMatch(/"createdAt".*ISO-8601/)
      expect(rejection({ createdAt: { $gt: "yesterday" } })).toMatch(/"createdAt".*not an ISO-8601/)
      expect(rejection({ "config.lr": { $gt: true } })).toMatch(/"config.lr".*number or a string/)
      expect(rejection({ state: { $eq: "a", other: 1 } })).toMatch(/cannot mix/)
      expect(rejection({ config: 1 })).toMatch(/key "config" needs a non-empty/)
      expect(rejection({ "summary_metrics..x": 1 })).toMatch(/non-empty/)
      expect(rejection({ state: { $exists: "yes" } })).toMatch(/\$exists needs true or false/)
      expect(rejection({ tags: ["a", 1] })).toMatch(/"tags": tags are strings/)
      expect(rejection("state")).toMatch(/filters must be a JSON object/)
    })
  })
})
