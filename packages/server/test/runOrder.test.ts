import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { compileRunOrder } from "../src/internal/runOrder.js"
import { MemoryDb } from "./fixtures/dataDb.js"

// id, name, created_at, duration, summary loss, config lr, heartbeat
const runs: ReadonlyArray<readonly [number, string, string, number | null, unknown, unknown, string | null]> = [
  [1, "a", "2024-01-03T00:00:00", 30, 10, 0.1, "2024-02-01T00:00:00"],
  [2, "b", "2024-01-01T00:00:00", null, 9, 0.01, null],
  [3, "c", "2024-01-02T00:00:00", 5, undefined, 0.3, "2024-02-03T00:00:00"],
  [4, "d", "2024-01-02T00:00:00", 100, 0.5, undefined, "2024-02-02T00:00:00"],
  [5, "e", "2024-01-04T00:00:00", 5, null, 0.01, null]
]

const Seeded = Layer.effectDiscard(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`INSERT INTO entities (id, name) VALUES (1, 'demo')`
  yield* sql`INSERT INTO projects (id, entity_id, name, created_at) VALUES (1, 1, 'p', '2024-01-01T00:00:00')`
  for (const [id, name, created, duration, loss, lr, heartbeat] of runs) {
    const summary = JSON.stringify(loss === undefined ? {} : { loss })
    const config = JSON.stringify(lr === undefined ? {} : { lr: { value: lr, desc: null } })
    yield* sql`INSERT INTO runs ${
      sql.insert({
        id,
        project_id: 1,
        name,
        created_at: created,
        heartbeat_at: heartbeat,
        duration,
        summary_metrics: summary,
        summary_query: summary,
        config,
        config_query: config
      })
    }`
  }
})).pipe(Layer.provideMerge(MemoryDb))

const ordered = (order: string | null | undefined) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const by = yield* Either.match(compileRunOrder(order), {
      onLeft: (e) => Effect.dieMessage(e.message),
      onRight: Effect.succeed
    })
    const rows = yield* sql.unsafe<{ name: string }>(`SELECT r.name FROM runs r ORDER BY ${by.sql}`, [...by.params])
    return rows.map((row) => row.name).join("")
  })

layer(Seeded)("compileRunOrder", (it) => {
  it.effect("defaults to +created_at, with id as tiebreak", () =>
    Effect.gen(function*() {
      expect(yield* ordered(null)).toBe("bcdae")
      expect(yield* ordered(undefined)).toBe("bcdae")
      expect(yield* ordered("")).toBe("bcdae")
      expect(yield* ordered("+created_at")).toBe("bcdae")
      expect(yield* ordered("+createdAt")).toBe("bcdae")
    }))

  it.effect("descending with - or without a sign, tiebreak descending too", () =>
    Effect.gen(function*() {
      expect(yield* ordered("-created_at")).toBe("eadcb")
      expect(yield* ordered("created_at")).toBe("eadcb")
      expect(yield* ordered("-name")).toBe("edcba")
      expect(yield* ordered("+name")).toBe("abcde")
    }))

  it.effect("nulls last in both directions on columns", () =>
    Effect.gen(function*() {
      expect(yield* ordered("+duration")).toBe("ceadb")
      expect(yield* ordered("-duration")).toBe("daecb")
      expect(yield* ordered("+heartbeatAt")).toBe("adcbe")
      expect(yield* ordered("-heartbeat_at")).toBe("cdaeb")
    }))

  it.effect("summary metrics sort numerically, nulls and missing last", () =>
    Effect.gen(function*() {
      expect(yield* ordered("+summary_metrics.loss")).toBe("dbace")
      expect(yield* ordered("-summary_metrics.loss")).toBe("abdec")
    }))

  it.effect("config keys in both spellings", () =>
    Effect.gen(function*() {
      expect(yield* ordered("+config.lr")).toBe("beacd")
      expect(yield* ordered("-config.lr.value")).toBe("caebd")
    }))

  it("rejects unknown keys with a FilterError", () => {
    for (const order of ["+color", "summary.loss", "-config..x", "config"]) {
      const result = compileRunOrder(order)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left._tag).toBe("FilterError")
        expect(result.left.message).toContain(JSON.stringify(order.replace(/^[+-]/, "")))
      }
    }
  })

  it("binds JSON paths as parameters", () => {
    const result = compileRunOrder("+summary_metrics.x'); DROP TABLE runs; --")
    expect(Either.isRight(result) && !result.right.sql.includes("DROP")).toBe(true)
  })
})
