import { describe, expect, it } from "@effect/vitest"
import { GraphQLClient, History, LenientJson } from "@effect-wandb/core"
import { Chunk, Effect, Layer, Ref, Schema, Stream } from "effect"

type Row = Record<string, unknown>

interface Request {
  readonly name: string
  readonly variables: Record<string, unknown>
}

interface FakeRun {
  readonly rows: ReadonlyArray<Row>
  readonly events?: ReadonlyArray<Row>
  /** Raw text override for rows (e.g. quoted "NaN" strings inside history text). */
  readonly texts?: ReadonlyArray<string>
}

const evenly = (count: number, samples: number): Array<number> => {
  if (samples >= count) return Array.from({ length: count }, (_, i) => i)
  if (samples === 1) return [0]
  return Array.from({ length: samples }, (_, i) => Math.round((i * (count - 1)) / (samples - 1)))
}

const standard = (row: Row): Row => JSON.parse(LenientJson.toStandard(LenientJson.stringify(row)))

/**
 * An in-memory W&B answering the history operations like the server does (protocol §4.11,
 * §4.12), recording every request. `delay(variables)` lets a test reorder completions.
 */
const fakeClient = (
  run: FakeRun,
  requests: Ref.Ref<Array<Request>>,
  options: { readonly delay?: (variables: Record<string, unknown>) => number; readonly inFlight?: Ref.Ref<{ now: number; max: number }> } = {}
) => {
  const texts = run.texts ?? run.rows.map((row) => LenientJson.stringify(row))
  const steps = run.rows.map((row) => row._step as number)
  const answer = (name: string, document: string, v: Record<string, unknown>): unknown => {
    const inRun = (body: unknown) => ({ project: { run: body } })
    if (v.entity !== "acme" || v.project !== "mnist") return { project: null }
    if ((v.name ?? v.run) !== "r1") return { project: { run: null } }
    switch (name) {
      case "RunHistoryKeys":
        return inRun({
          historyKeys: steps.length === 0 ? { keys: {} } : { lastStep: steps[steps.length - 1], keys: {} },
          historyLineCount: steps.length
        })
      case "HistoryPage": {
        const picked = texts.filter((_, i) => steps[i]! >= (v.minStep as number) && steps[i]! < (v.maxStep as number))
        return inRun({ history: picked.slice(0, v.pageSize as number) })
      }
      case "RunFullHistory":
        if (document.includes("events(")) {
          const events = (run.events ?? []).map((row) => LenientJson.stringify(row))
          return inRun({ events: evenly(events.length, v.samples as number).map((i) => events[i]) })
        }
        return inRun({ history: evenly(texts.length, v.samples as number).map((i) => texts[i]) })
      case "RunSampledHistory":
      case "SampledHistoryPage": {
        const specs = name === "SampledHistoryPage" ? [v.spec as string] : (v.specs as Array<string>)
        return inRun({
          sampledHistory: specs.map((text) => {
            const spec = JSON.parse(text) as { keys: Array<string>; samples: number; minStep?: number; maxStep?: number }
            const matching = run.rows.filter((row) =>
              spec.keys.every((key) => key in row) &&
              (row._step as number) >= (spec.minStep ?? -Infinity) && (row._step as number) <= (spec.maxStep ?? Infinity)
            )
            return evenly(matching.length, spec.samples).map((i) => {
              const row = standard(matching[i]!)
              return Object.fromEntries(spec.keys.filter((key) => key in row).map((key) => [key, row[key]]))
            })
          })
        })
      }
    }
    throw new Error(`unexpected operation ${name}`)
  }
  return Layer.succeed(
    GraphQLClient.GraphQLClient,
    GraphQLClient.fromSend((operation, variables = {}) =>
      Effect.gen(function*() {
        yield* Ref.update(requests, (all) => [...all, { name: operation.name, variables }])
        if (options.inFlight) yield* Ref.update(options.inFlight, ({ max, now }) => ({ now: now + 1, max: Math.max(max, now + 1) }))
        const delay = options.delay?.(variables) ?? 0
        if (delay > 0) yield* Effect.sleep(delay)
        if (options.inFlight) yield* Ref.update(options.inFlight, (s) => ({ ...s, now: s.now - 1 }))
        const data = answer(operation.name, operation.document, variables)
        return Effect.orDie(Schema.decodeUnknown(operation.response)(data))
      })
    )
  )
}

const target = { entity: "acme", project: "mnist", id: "r1" }

const dense = (from: number, to: number, keys: (step: number) => Row = (step) => ({ loss: step / 10 })): Array<Row> =>
  Array.from({ length: to - from }, (_, i) => ({ _step: from + i, _runtime: i * 0.5, ...keys(from + i) }))

const scanWith = (run: FakeRun, options?: History.ScanOptions, target_: History.HistoryTarget = target) =>
  Effect.gen(function*() {
    const requests = yield* Ref.make<Array<Request>>([])
    const rows = yield* Stream.runCollect(History.scanHistory(target_, options)).pipe(
      Effect.provide(fakeClient(run, requests))
    )
    return { rows: Chunk.toArray(rows), requests: yield* Ref.get(requests) }
  })

const sampleWith = (run: FakeRun, options?: History.HistoryOptions) =>
  Effect.gen(function*() {
    const requests = yield* Ref.make<Array<Request>>([])
    const result = yield* History.history(target, options).pipe(Effect.provide(fakeClient(run, requests)))
    return { result, requests: yield* Ref.get(requests) }
  })

describe("History.scanHistory", () => {
  it.effect("plans windows from one probe of steps and returns every row of a dense run in order", () =>
    Effect.gen(function*() {
      const rows = dense(0, 2500)
      const { requests, rows: out } = yield* scanWith({ rows }, { pageSize: 1000 })
      expect(out).toEqual(rows)
      expect(requests.map((r) => r.name)).toEqual([
        "RunHistoryKeys",
        "SampledHistoryPage",
        "HistoryPage",
        "HistoryPage",
        "HistoryPage"
      ])
      // probe: only _step, K = ceil(2500 / 999) + 1 rows over the range (maxStep inclusive)
      expect(JSON.parse(requests[1]!.variables.spec as string)).toEqual({
        keys: ["_step"],
        minStep: 0,
        maxStep: 2499,
        samples: 4
      })
      const windows = requests.slice(2).map((r) => [r.variables.minStep, r.variables.maxStep, r.variables.pageSize])
      expect(windows).toEqual([[0, 833, 1000], [833, 1666, 1000], [1666, 2500, 1000]])
      // 2500 rows in 3 windows: none came back full, so no continuation request
      expect(requests[2]!.variables).toMatchObject({ entity: "acme", project: "mnist", run: "r1" })
    }))

  it.effect("keeps NaN and ±Infinity, bare or quoted, as numbers and media objects opaque", () =>
    Effect.gen(function*() {
      const image = { _type: "image-file", path: "media/a.png", sha256: "ab", size: 3 }
      const rows = [
        { _step: 0, loss: NaN, acc: Infinity, img: image },
        { _step: 1, loss: -Infinity, acc: "NaN" },
        { _step: 2, loss: 1, note: "to Infinity and beyond" }
      ]
      const texts = [
        `{"_step": 0, "loss": NaN, "acc": Infinity, "img": ${JSON.stringify(image)}}`,
        `{"_step": 1, "loss": -Infinity, "acc": "NaN"}`,
        `{"_step": 2, "loss": 1, "note": "to Infinity and beyond"}`
      ]
      const { rows: out } = yield* scanWith({ rows, texts })
      expect(out).toEqual([
        { _step: 0, loss: NaN, acc: Infinity, img: image },
        { _step: 1, loss: -Infinity, acc: NaN },
        { _step: 2, loss: 1, note: "to Infinity and beyond" }
      ])
      const keyed = yield* scanWith({ rows: rows.slice(0, 2) }, { keys: ["loss"] })
      expect(keyed.rows).toEqual([{ _step: 0, loss: NaN }, { _step: 1, loss: -Infinity }])
    }))

  it.effect("continues inside a window that comes back full (stale row count, no probe)", () =>
    Effect.gen(function*() {
      const rows = [...Array.from({ length: 10 }, (_, i) => ({ _step: i * 10, v: i })), ...dense(100, 140)]
      const stale = { ...target, historyKeys: { lastStep: 139 }, historyLineCount: 3 }
      const { requests, rows: out } = yield* scanWith({ rows }, { pageSize: 5 }, stale)
      expect(out).toEqual(rows)
      const pages = requests.map((r) => [r.name, r.variables.minStep, r.variables.maxStep])
      // one window [0, 140); every full page continues from the step after its last row
      expect(pages.slice(0, 3)).toEqual([["HistoryPage", 0, 140], ["HistoryPage", 41, 140], ["HistoryPage", 91, 140]])
      expect(pages.length).toBe(10)
    }))

  it.effect("splits a keyed window whose answer may have been thinned out by the server", () =>
    Effect.gen(function*() {
      const rows = dense(0, 40)
      const stale = { ...target, historyKeys: { lastStep: 39 }, historyLineCount: 1 }
      const { requests, rows: out } = yield* scanWith({ rows }, { pageSize: 4, keys: ["loss"] }, stale)
      expect(out).toEqual(rows.map((r) => ({ _step: r._step, loss: r.loss })))
      const specs = requests.map((r) => JSON.parse(r.variables.spec as string))
      expect(specs[0]).toEqual({ keys: ["_step", "loss"], minStep: 0, maxStep: 39, samples: 4 })
      expect(specs[1]).toEqual({ keys: ["_step", "loss"], minStep: 0, maxStep: 19, samples: 4 })
      // halves until windows are no wider than pageSize steps: 1 + 2 + 4 + 8 + 16 requests
      expect(specs.length).toBe(31)
      expect(specs.filter((spec) => spec.maxStep - spec.minStep + 1 <= 4).length).toBe(16)
    }))

  it.effect("costs few requests for gaps and steps far from 0, and honours min/max (max exclusive)", () =>
    Effect.gen(function*() {
      const rows = [...dense(0, 10), ...dense(1_000_000, 1_000_010), ...dense(5_000_000_000, 5_000_010)]
      const all = yield* scanWith({ rows }, { pageSize: 5 })
      expect(all.rows).toEqual(rows)
      // keys + probe + 30 rows in windows of < 5 rows
      expect(all.requests.length).toBeLessThanOrEqual(2 + 8)
      const far = dense(1_000_000_000, 1_000_000_030, (step) => (step % 2 === 0 ? { a: step } : { b: step }))
      const bounded = yield* scanWith({ rows: far }, { pageSize: 4, minStep: 1_000_000_005, maxStep: 1_000_000_013 })
      expect(bounded.rows).toEqual(far.slice(5, 13))
      const keyed = yield* scanWith({ rows: far }, { pageSize: 4, keys: ["a"], minStep: 1_000_000_005 })
      expect(keyed.rows).toEqual(far.slice(5).filter((r) => "a" in r).map((r) => ({ _step: r._step, a: r.a })))
      // bounded: the run's first step (one row), then the probe sized for the 25 steps in range
      expect(keyed.requests[1]!.variables).toMatchObject({ minStep: 0, maxStep: 1_000_000_030, pageSize: 1 })
      expect(JSON.parse(keyed.requests[2]!.variables.spec as string)).toEqual({
        keys: ["_step"],
        minStep: 1_000_000_005,
        maxStep: 1_000_000_029,
        samples: 10
      })
    }))

  it.effect("sends sampledHistory specs with maxStep inclusive (window end - 1) and samples = pageSize", () =>
    Effect.gen(function*() {
      const rows = dense(0, 10)
      const { requests } = yield* scanWith({ rows }, { keys: ["loss"], pageSize: 4 })
      const specs = requests.filter((r) => r.name === "SampledHistoryPage").map((r) => JSON.parse(r.variables.spec as string))
      const windows = specs.slice(1)
      expect(windows.every((spec) => spec.samples === 4 && spec.keys.join() === "_step,loss")).toBe(true)
      expect(windows[0].minStep).toBe(0)
      expect(windows[windows.length - 1].maxStep).toBe(9)
      windows.slice(1).forEach((spec, i) => expect(spec.minStep).toBe(windows[i].maxStep + 1))
    }))

  it.effect("inner join (default) drops rows missing a key; outer join keeps them with nulls", () =>
    Effect.gen(function*() {
      const rows = [
        { _step: 0, loss: 1, acc: 0.1 },
        { _step: 1, loss: 2 },
        { _step: 2, acc: 0.3 },
        { _step: 3, other: 4 },
        { _step: 4, loss: 5, acc: 0.5 }
      ]
      const inner = yield* scanWith({ rows }, { keys: ["loss", "acc"], pageSize: 2 })
      expect(inner.rows).toEqual([{ _step: 0, loss: 1, acc: 0.1 }, { _step: 4, loss: 5, acc: 0.5 }])
      const outer = yield* scanWith({ rows }, { keys: ["loss", "acc"], pageSize: 2, join: "outer" })
      expect(outer.rows).toEqual([
        { _step: 0, loss: 1, acc: 0.1 },
        { _step: 1, loss: 2, acc: null },
        { _step: 2, loss: null, acc: 0.3 },
        { _step: 4, loss: 5, acc: 0.5 }
      ])
      // one request per window, one spec per key
      const outerRequests = outer.requests.filter((r) => r.name === "RunSampledHistory")
      expect(outerRequests.length).toBeGreaterThan(1)
      for (const request of outerRequests) {
        expect((request.variables.specs as Array<string>).map((s) => JSON.parse(s).keys)).toEqual([
          ["_step", "loss"],
          ["_step", "acc"]
        ])
      }
    }))

  it.effect("uses the run value's lastStep and row count and asks the server only when they are missing", () =>
    Effect.gen(function*() {
      const rows = dense(0, 20)
      const known = yield* scanWith({ rows }, {}, { ...target, historyKeys: { lastStep: 9 }, historyLineCount: 10 })
      expect(known.rows).toEqual(rows.slice(0, 10))
      expect(known.requests.map((r) => r.name)).toEqual(["HistoryPage"])
      const empty = yield* scanWith({ rows: [] })
      expect(empty.rows).toEqual([])
      expect(empty.requests.map((r) => r.name)).toEqual(["RunHistoryKeys"])
      const none = yield* scanWith({ rows }, {}, { ...target, historyKeys: { lastStep: null }, historyLineCount: 0 })
      expect(none.requests).toEqual([])
    }))

  it.live("fetches windows concurrently (bounded) and still emits rows in step order", () =>
    Effect.gen(function*() {
      const rows = dense(0, 100)
      const requests = yield* Ref.make<Array<Request>>([])
      const inFlight = yield* Ref.make({ now: 0, max: 0 })
      // later windows answer sooner, so completions arrive out of order
      const delay = (v: Record<string, unknown>) => (v.minStep === undefined ? 0 : Math.max(1, 20 - (v.minStep as number) / 5))
      const out = yield* Stream.runCollect(History.scanHistory(target, { pageSize: 10, concurrency: 4 })).pipe(
        Effect.provide(fakeClient({ rows }, requests, { delay, inFlight }))
      )
      expect(Chunk.toArray(out)).toEqual(rows)
      const { max } = yield* Ref.get(inFlight)
      expect(max).toBeGreaterThan(1)
      expect(max).toBeLessThanOrEqual(4)
    }))

  it.live("stays bounded when the consumer stops early", () =>
    Effect.gen(function*() {
      const rows = dense(0, 10_000)
      const requests = yield* Ref.make<Array<Request>>([])
      const out = yield* Stream.runCollect(
        History.scanHistory(target, { pageSize: 10, concurrency: 3, prefetch: 1 }).pipe(Stream.take(15))
      ).pipe(Effect.provide(fakeClient({ rows }, requests, { delay: () => 1 })))
      expect(Chunk.toArray(out)).toEqual(rows.slice(0, 15))
      const pages = (yield* Ref.get(requests)).filter((r) => r.name === "HistoryPage").length
      // 2 pages consumed + at most concurrency in flight + prefetch buffered (+1 handed over)
      expect(pages).toBeLessThanOrEqual(2 + 3 + 1 + 1)
    }))

  it.effect("rejects invalid options with InvalidArgument before any request", () =>
    Effect.gen(function*() {
      const cases: Array<[History.ScanOptions, string]> = [
        [{ pageSize: 0 }, "pageSize"],
        [{ pageSize: 1.5 }, "pageSize"],
        [{ concurrency: 0 }, "concurrency"],
        [{ prefetch: -1 }, "prefetch"],
        [{ minStep: 0.5 }, "minStep"],
        [{ minStep: 5, maxStep: 4 }, "maxStep"],
        [{ keys: [] }, "keys"],
        [{ keys: ["loss", ""] }, "keys"],
        [{ join: "left" as any }, "join"]
      ]
      for (const [options, argument] of cases) {
        const requests = yield* Ref.make<Array<Request>>([])
        const error = yield* Stream.runCollect(History.scanHistory(target, options)).pipe(
          Effect.provide(fakeClient({ rows: dense(0, 3) }, requests)),
          Effect.flip
        )
        expect(error._tag).toBe("InvalidArgument")
        expect(error._tag === "InvalidArgument" && error.argument).toBe(argument)
        expect(yield* Ref.get(requests)).toEqual([])
      }
    }))

  it.effect("a run that is not { entity, project, id } (a path string, an array, null) is InvalidArgument, not a defect", () =>
    Effect.gen(function*() {
      for (const run of ["e/p/id", ["e", "p", "id"], null, { entity: "e", project: "p" }]) {
        const requests = yield* Ref.make<Array<Request>>([])
        const scan = yield* Stream.runCollect(History.scanHistory(run as never)).pipe(
          Effect.provide(fakeClient({ rows: dense(0, 3) }, requests)),
          Effect.flip
        )
        const sample = yield* History.history(run as never).pipe(
          Effect.provide(fakeClient({ rows: dense(0, 3) }, requests)),
          Effect.flip
        )
        for (const error of [scan, sample]) expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "run" })
        expect(yield* Ref.get(requests)).toEqual([])
      }
    }))

  it.effect("maps a missing project or run to ProjectNotFound / RunNotFound", () =>
    Effect.gen(function*() {
      const noProject = yield* scanWith({ rows: [] }, {}, { ...target, project: "nope" }).pipe(Effect.flip)
      expect(noProject._tag).toBe("ProjectNotFound")
      const noRun = yield* scanWith({ rows: [] }, {}, { ...target, id: "nope" }).pipe(Effect.flip)
      expect(noRun._tag).toBe("RunNotFound")
    }))

  it.effect("fails with DecodeError on a row without an integer _step or with a bad _runtime", () =>
    Effect.gen(function*() {
      const noStep = yield* scanWith({ rows: [{ _step: 0 }], texts: [`{"loss": 1}`] }).pipe(Effect.flip)
      expect(noStep).toMatchObject({ _tag: "DecodeError", field: "_step" })
      const badRuntime = yield* scanWith({ rows: [{ _step: 0 }], texts: [`{"_step": 0, "_runtime": "soon"}`] }).pipe(
        Effect.flip
      )
      expect(badRuntime).toMatchObject({ _tag: "DecodeError", field: "_runtime" })
      const malformed = yield* scanWith({ rows: [{ _step: 0 }], texts: [`{"_step": 0, `] }).pipe(Effect.flip)
      expect(malformed).toMatchObject({ _tag: "DecodeError", field: "row" })
    }))
})

describe("History.history", () => {
  const rows = dense(0, 1000, (step) => ({ loss: step % 7 === 0 ? NaN : step, ...(step % 3 === 0 ? { acc: step } : {}) }))

  it.effect("samples at most `samples` rows, first and last included, without keys", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* sampleWith({ rows }, { samples: 10 })
      expect(requests).toEqual([
        { name: "RunFullHistory", variables: { project: "mnist", entity: "acme", name: "r1", samples: 10 } }
      ])
      expect(result.rows.length).toBe(10)
      expect(result.rows[0]!._step).toBe(0)
      expect(result.rows[9]!._step).toBe(999)
      expect(result.xAxis).toBe("_step")
      expect(Object.keys(result.columns)).toEqual(["_step", "_runtime", "loss", "acc"])
      expect(result.columns._step).toEqual(result.rows.map((r) => r._step))
      expect(result.columns.acc).toEqual(result.rows.map((r) => r.acc ?? null))
      expect(Number.isNaN(result.columns.loss![0])).toBe(true)
    }))

  it.effect("with keys sends one RunSampledHistory spec [x axis, …keys] and returns only those keys", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* sampleWith({ rows }, { samples: 5, keys: ["acc", "loss"] })
      expect(JSON.parse((requests[0]!.variables.specs as Array<string>)[0]!)).toEqual({
        keys: ["_step", "acc", "loss"],
        samples: 5
      })
      expect(result.rows.length).toBe(5)
      expect(result.rows.every((r) => Object.keys(r).join() === "_step,acc,loss")).toBe(true)
      expect(Object.keys(result.columns)).toEqual(["_step", "acc", "loss"])
      expect(result.rows[0]).toEqual({ _step: 0, acc: 0, loss: NaN })
    }))

  it.effect("outer join merges one spec per key by step, with nulls", () =>
    Effect.gen(function*() {
      const small = [{ _step: 0, a: 1 }, { _step: 1, b: 2 }, { _step: 2, a: 3, b: 4 }]
      const inner = yield* sampleWith({ rows: small }, { keys: ["a", "b"] })
      expect(inner.result.rows).toEqual([{ _step: 2, a: 3, b: 4 }])
      const outer = yield* sampleWith({ rows: small }, { keys: ["a", "b"], join: "outer" })
      expect(outer.result.rows).toEqual([{ _step: 0, a: 1, b: null }, { _step: 1, a: null, b: 2 }, {
        _step: 2,
        a: 3,
        b: 4
      }])
      expect(outer.result.columns).toEqual({ _step: [0, 1, 2], a: [1, null, 3], b: [null, 2, 4] })
    }))

  it.effect("a custom x axis comes first in the columns and rows without it are left out", () =>
    Effect.gen(function*() {
      const small = [{ _step: 0, epoch: 0, a: 1 }, { _step: 1, a: 2 }, { _step: 2, epoch: 1, a: 3 }]
      const { result } = yield* sampleWith({ rows: small }, { xAxis: "epoch" })
      expect(result.columns).toEqual({ epoch: [0, 1], _step: [0, 2], a: [1, 3] })
      const keyed = yield* sampleWith({ rows: small }, { xAxis: "epoch", keys: ["a"] })
      expect(JSON.parse((keyed.requests[0]!.variables.specs as Array<string>)[0]!).keys).toEqual(["_step", "epoch", "a"])
      expect(keyed.result.columns).toEqual({ epoch: [0, 1], a: [1, 3] })
    }))

  it.effect("system stream reads events with _runtime as x axis", () =>
    Effect.gen(function*() {
      const events = [
        { _wandb: true, _runtime: 1, _timestamp: 100, "system.cpu": 10 },
        { _wandb: true, _runtime: 2, _timestamp: 101, "system.cpu": NaN }
      ]
      const { requests, result } = yield* sampleWith({ rows, events }, { stream: "system" })
      expect(requests[0]!.name).toBe("RunFullHistory")
      expect(result.rows).toEqual(events)
      expect(result.xAxis).toBe("_runtime")
      expect(Object.keys(result.columns)[0]).toBe("_runtime")
    }))

  it.effect("validates samples, keys and stream", () =>
    Effect.gen(function*() {
      const cases: Array<[History.HistoryOptions, string]> = [
        [{ samples: 0 }, "samples"],
        [{ samples: 2.5 }, "samples"],
        [{ keys: [] }, "keys"],
        [{ keys: [3 as any] }, "keys"],
        [{ stream: "system", keys: ["cpu"] }, "keys"],
        [{ stream: "gpu" as any }, "stream"],
        [{ xAxis: "" }, "xAxis"]
      ]
      for (const [options, argument] of cases) {
        const error = yield* sampleWith({ rows }, options).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "InvalidArgument", argument })
      }
    }))
})

describe("History.toColumns", () => {
  it("puts the x axis first and fills missing values with null", () => {
    const columns = History.toColumns([{ _step: 1, a: 1 }, { _step: 2, b: "x" }], { keys: ["b", "a"] })
    expect(columns).toEqual({ _step: [1, 2], b: [null, "x"], a: [1, null] })
    expect(History.toColumns([])).toEqual({ _step: [] })
  })
})
