import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import * as Output from "../src/Output.js"
import * as Progress from "../src/Progress.js"
import * as Stdio from "../src/Stdio.js"

const renderAll = (format: Output.Format, columns: ReadonlyArray<string>, rows: ReadonlyArray<unknown>, wholeRecords = false) =>
  Stream.runCollect(Output.render(format, columns, Stream.fromIterable(rows), { wholeRecords })).pipe(
    Effect.map((chunks) => Chunk.join(chunks, ""))
  )

describe("Output", () => {
  it("toJson: dates, options, non-finite numbers, class instances", () => {
    class Box {
      constructor(readonly at: Date, readonly value: number, readonly missing: undefined) {}
      get computed() {
        return 1
      }
    }
    expect(Output.toJson({ box: new Box(new Date("2024-01-02T03:04:05Z"), NaN, undefined), o: Option.some(-Infinity), n: Option.none() }))
      .toEqual({ box: { at: "2024-01-02T03:04:05.000Z", value: "NaN" }, o: "-Infinity", n: null })
  })

  it("jsonText: plain rows as JSON.stringify writes them; anything else through toJson, also when nested", () => {
    const row = { _step: 3, loss: 0.25, tags: ["a", null], media: { _type: "image-file", path: "x\u0085.png" } }
    expect(Output.jsonText(row)).toBe(JSON.stringify(row).replace("\u0085", "\\u0085"))
    expect(Output.jsonText({ _step: 1, loss: NaN, deep: [{ v: -Infinity }], gone: undefined })).toBe(
      "{\"_step\":1,\"loss\":\"NaN\",\"deep\":[{\"v\":\"-Infinity\"}]}"
    )
    expect(Output.jsonText({ at: new Date("2024-01-02T03:04:05Z"), o: Option.some(2) })).toBe(
      "{\"at\":\"2024-01-02T03:04:05.000Z\",\"o\":2}"
    )
  })

  it("getPath: nested records and keys that contain dots", () => {
    const run = { summary: { loss: 0.5, nested: { a: 1 } }, systemMetrics: { "system.gpu.0.gpu": 93 } }
    expect(Output.getPath(run, "summary.loss")).toBe(0.5)
    expect(Output.getPath(run, "summary.nested.a")).toBe(1)
    expect(Output.getPath(run, "systemMetrics.system.gpu.0.gpu")).toBe(93)
    expect(Output.getPath(run, "summary.nope")).toBeUndefined()
  })

  it("cellText: numbers, arrays of scalars, nested JSON", () => {
    expect(Output.cellText(Infinity)).toBe("Infinity")
    expect(Output.cellText(["a", "b"])).toBe("a,b")
    expect(Output.cellText({ _type: "image-file" })).toBe("{\"_type\":\"image-file\"}")
    expect(Output.cellText(null)).toBe("")
  })

  it("table: aligned columns, numbers right-aligned, long cells shortened", () => {
    const text = Output.table(["name", "n"], [{ name: "a", n: 5 }, { name: "x".repeat(100), n: 123 }])
    const lines = text.trimEnd().split("\n")
    expect(lines[0]).toBe(`name${" ".repeat(60)}    n`)
    expect(lines[1]).toBe(`${"─".repeat(64)}  ───`)
    expect(lines[2]).toBe(`a${" ".repeat(63)}    5`)
    expect(lines[3]).toBe(`${"x".repeat(63)}…  123`)
    expect(Output.table(["a"], [])).toBe("(no rows)\n")
  })

  it.effect("csv: RFC 4180 quoting and a header", () =>
    Effect.gen(function*() {
      const text = yield* renderAll("csv", ["a", "b"], [{ a: "x,y", b: "say \"hi\"" }, { a: 1, b: null }])
      expect(text).toBe("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n1,\n")
    }))

  it.effect("json: one valid array, also when empty; ndjson: one value per line", () =>
    Effect.gen(function*() {
      const rows = [{ a: 1, b: NaN }, { a: 2, b: 3 }]
      expect(JSON.parse(yield* renderAll("json", ["a", "b"], rows))).toEqual([{ a: 1, b: "NaN" }, { a: 2, b: 3 }])
      expect(JSON.parse(yield* renderAll("json", ["a"], []))).toEqual([])
      expect(yield* renderAll("ndjson", ["a"], rows)).toBe("{\"a\":1}\n{\"a\":2}\n")
      expect(yield* renderAll("ndjson", ["a"], rows, true)).toBe("{\"a\":1,\"b\":\"NaN\"}\n{\"a\":2,\"b\":3}\n")
    }))

  it.effect("json: a failure before the first row prints nothing; after rows, the array is closed (valid JSON)", () =>
    Effect.gen(function*() {
      const chunks: Array<string> = []
      const collect = (rows: Stream.Stream<unknown, string>) =>
        Effect.flip(Stream.runForEach(Output.render("json", ["a"], rows), (chunk) => Effect.sync(() => chunks.push(chunk))))
      expect(yield* collect(Stream.fail("boom"))).toBe("boom")
      expect(chunks.join("")).toBe("")
      expect(yield* collect(Stream.concat(Stream.make({ a: 1 }, { a: 2 }), Stream.fail("late")))).toBe("late")
      expect(JSON.parse(chunks.join(""))).toEqual([{ a: 1 }, { a: 2 }])
    }))

  const evil = "evil\u001b]0;PWNED\u0007\u001b[2J\u007f\u009b31m"
  const escaped = "evil\\x1b]0;PWNED\\x07\\x1b[2J\\x7f\\u009b31m"

  it.effect("table and csv escape control characters (C0, DEL, C1) from server text, headers included", () =>
    Effect.gen(function*() {
      const rows = [{ name: evil, tags: [evil], config: { [evil]: evil } }]
      const table = yield* renderAll("table", ["name", "tags", "config", evil], rows)
      const csv = yield* renderAll("csv", ["name", "tags", "config", evil], rows)
      const one = Output.renderOne("table", rows[0]!) + Output.renderOne("csv", rows[0]!)
      for (const text of [table, csv, one]) {
        // nothing but newlines (and none of ESC, BEL, DEL, CSI) reaches the terminal
        // eslint-disable-next-line no-control-regex -- matching control characters is the point
        expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
        expect(text).toContain(escaped)
      }
      // text without control characters is unchanged; csv keeps line breaks inside quoted fields
      expect(yield* renderAll("csv", ["a"], [{ a: "line 1\nline 2\ttab" }])).toBe("a\n\"line 1\nline 2\ttab\"\n")
    }))

  it.effect("every format escapes bidirectional formatting characters, which make a name display as another", () =>
    Effect.gen(function*() {
      // "Trojan Source": U+202E shows `evil\u202egpj.exe` as `evilexe.jpg`
      const spoof = "evil\u202egpj.exe \u2066x\u2069 \u200f\u061c"
      const rows = [{ name: spoof, tags: [spoof] }]
      for (const format of ["table", "csv", "ndjson", "json"] as const) {
        const text = (yield* renderAll(format, ["name", "tags"], rows)) + Output.renderOne(format, rows[0]!)
        expect(text, format).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/)
        expect(text, format).toContain("evil\\u202egpj.exe \\u2066x\\u2069 \\u200f\\u061c")
      }
      // JSON output keeps the same value
      expect(JSON.parse(Output.jsonText(rows[0]))).toEqual(rows[0])
    }))

  it("renderOne: a field/value table with flattened nested records", () => {
    const text = Output.renderOne("table", { path: "e/p/r", config: { lr: 0.1, opt: { name: "adam" } } })
    expect(text).toMatch(/^path\s+e\/p\/r$/m)
    expect(text).toMatch(/^config\.lr\s+0\.1$/m)
    expect(text).toMatch(/^config\.opt\.name\s+adam$/m)
    expect(Output.renderOne("csv", { a: 1, b: "x" })).toBe("a,b\n1,x\n")
  })

  it("defaultFormat: table on a terminal, ndjson otherwise", () => {
    expect(Output.defaultFormat(true)).toBe("table")
    expect(Output.defaultFormat(false)).toBe("ndjson")
  })
})

describe("Stdio", () => {
  it("mask replaces every occurrence of every secret", () => {
    expect(Stdio.mask("key=abcd1234 again abcd1234; other=zz99zz", ["abcd1234", "zz99zz"])).toBe("key=*** again ***; other=***")
    expect(Stdio.mask("nothing here", ["abcd1234"])).toBe("nothing here")
  })
})

describe("Progress", () => {
  it("renderBar and formatBytes", () => {
    expect(Progress.formatBytes(512)).toBe("512 B")
    expect(Progress.formatBytes(1536)).toBe("1.5 KiB")
    expect(Progress.formatBytes(3 * 1024 * 1024)).toBe("3.0 MiB")
    expect(Progress.renderBar("scan", 50, 200, "rows", 8)).toBe("scan [##------]  25%  50 / 200")
    expect(Progress.renderBar("download", 2048, undefined, "bytes")).toBe("download 2.0 KiB")
    expect(Progress.renderBar("x", 300, 200, "rows", 4)).toBe("x [####] 100%  300 / 200")
  })

  it.effect("counting passes every item on and draws the count on a terminal, nothing elsewhere", () =>
    Effect.gen(function*() {
      const items = Stream.fromChunks(Chunk.make(1, 2), Chunk.make(3, 4, 5))
      const drawn: Array<string> = []
      const terminal = { isTTY: true, columns: 80, write: (text: string) => drawn.push(text) }
      const counted = yield* Effect.scoped(
        Effect.flatMap(Progress.make("scan", "rows", terminal), (progress) => Stream.runCollect(progress.counting(items, 5)))
      )
      expect(Chunk.toArray(counted)).toEqual([1, 2, 3, 4, 5])
      // the first chunk draws; the last (the total reached) draws despite the throttle; the scope erases the line
      expect(drawn).toEqual([
        `\r${Progress.renderBar("scan", 2, 5, "rows")}\x1b[K`,
        `\r${Progress.renderBar("scan", 5, 5, "rows")}\x1b[K`,
        "\r\x1b[K"
      ])
      const quiet: Array<string> = []
      const plain = yield* Effect.scoped(
        Effect.flatMap(
          Progress.make("scan", "rows", { isTTY: false, write: (text: string) => quiet.push(text) }),
          (progress) => Stream.runCollect(progress.counting(items, 5))
        )
      )
      expect(Chunk.toArray(plain)).toEqual([1, 2, 3, 4, 5])
      expect(quiet).toEqual([])
    }))
})
