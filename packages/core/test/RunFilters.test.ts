import { describe, expect, it } from "@effect/vitest"
import { RunFilters } from "@effect-wandb/core"
import { Effect } from "effect"

describe("RunFilters", () => {
  it("rewrites the documented spellings to the server's columns", () => {
    expect(RunFilters.normalizeColumn("summary.loss")).toBe("summary_metrics.loss")
    expect(RunFilters.normalizeColumn("summary_metrics.loss")).toBe("summary_metrics.loss")
    expect(RunFilters.normalizeColumn("summary.val.acc")).toBe("summary_metrics.val.acc")
    expect(RunFilters.normalizeColumn("config.lr")).toBe("config.lr.value")
    expect(RunFilters.normalizeColumn("config.lr.value")).toBe("config.lr.value")
    expect(RunFilters.normalizeColumn("config.optimizer.name")).toBe("config.optimizer.value.name")
    expect(RunFilters.normalizeColumn("state")).toBe("state")
    expect(RunFilters.normalizeColumn("createdAt")).toBe("createdAt")
  })

  /** `{"$and": [{"$and": [… {"state": "finished"} …]}]}` with `levels` levels of objects and arrays. */
  const nested = (levels: number): RunFilters.RunFilters => {
    let filter: RunFilters.RunFilters = { state: "finished" }
    for (let level = 1; level < levels; level += 2) filter = { $and: [filter] }
    return filter
  }

  it.effect("a filter nested deeper than maxFilterDepth is InvalidArgument, never a stack overflow", () =>
    Effect.gen(function*() {
      expect(RunFilters.maxFilterDepth).toBe(1000)
      for (const levels of [1001, 5001, 200_001]) {
        const error = yield* Effect.flip(RunFilters.encodeFilters(nested(levels)))
        expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "filters" })
        expect(error.message).toContain("deeper than 1000 levels")
      }
      const cyclic: Record<string, unknown> = { state: "finished" }
      cyclic["$and"] = [cyclic]
      expect(yield* Effect.flip(RunFilters.encodeFilters(cyclic))).toMatchObject({ _tag: "InvalidArgument" })
      expect(JSON.parse(yield* RunFilters.encodeFilters(nested(999)))).toEqual(nested(999))
    }))

  it("rewrites keys at every depth, never operators or values", () => {
    expect(
      RunFilters.normalizeFilters({
        $and: [
          { state: "finished" },
          { "config.lr": { $lte: 0.01 } },
          { $or: [{ "summary.loss": { $lt: 0.5 } }, { tags: { $in: ["summary.x"] } }] }
        ]
      })
    ).toEqual({
      $and: [
        { state: "finished" },
        { "config.lr.value": { $lte: 0.01 } },
        { $or: [{ "summary_metrics.loss": { $lt: 0.5 } }, { tags: { $in: ["summary.x"] } }] }
      ]
    })
  })

  it("tags: a plain list is sent as $in, $all as is", () => {
    expect(RunFilters.normalizeFilters({ $or: [{ tags: ["a", "b"] }, { tags: { $all: ["c", "d"] } }, { tags: "e" }] }))
      .toEqual({ $or: [{ tags: { $in: ["a", "b"] } }, { tags: { $all: ["c", "d"] } }, { tags: "e" }] })
  })

  it.effect("encodes filters as JSON text, {} when absent, and rejects non-objects", () =>
    Effect.gen(function*() {
      expect(yield* RunFilters.encodeFilters(undefined)).toBe("{}")
      expect(yield* RunFilters.encodeFilters({ "summary.acc": { $gt: 0.9 } })).toBe(`{"summary_metrics.acc":{"$gt":0.9}}`)
      const error = yield* Effect.flip(RunFilters.encodeFilters([] as any))
      expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "filters" })
    }))

  it.effect("normalises the order and defaults it to +created_at", () =>
    Effect.gen(function*() {
      expect(yield* RunFilters.normalizeOrder(undefined)).toBe("+created_at")
      expect(yield* RunFilters.normalizeOrder("  ")).toBe("+created_at")
      expect(yield* RunFilters.normalizeOrder("-summary.loss")).toBe("-summary_metrics.loss")
      expect(yield* RunFilters.normalizeOrder("+config.lr")).toBe("+config.lr.value")
      expect(yield* RunFilters.normalizeOrder("heartbeat_at")).toBe("heartbeat_at")
      for (const bad of ["+", "-", "a b", "1abc", "+created_at,-name"]) {
        const error = yield* Effect.flip(RunFilters.normalizeOrder(bad))
        expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "order" })
      }
    }))
})
