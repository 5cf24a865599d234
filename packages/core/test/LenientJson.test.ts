import { describe, expect, it } from "@effect/vitest"
import { LenientJson } from "@effect-wandb/core"

describe("LenientJson", () => {
  it("parses bare special tokens outside strings only", () => {
    const value = LenientJson.parse(`{"a": NaN, "b": [Infinity, -Infinity, 1], "s": "NaN and Infinity", "e": "q\\"NaN"}`) as any
    expect(Number.isNaN(value.a)).toBe(true)
    expect(value.b).toEqual([Infinity, -Infinity, 1])
    expect(value.s).toBe("NaN and Infinity")
    expect(value.e).toBe("q\"NaN")
  })

  it("takes quoted specials as numbers only when asked", () => {
    expect(LenientJson.parse(`{"x": "NaN"}`)).toEqual({ x: "NaN" })
    const value = LenientJson.parse(`{"x": "NaN", "y": "-Infinity", "z": NaN}`, { quotedSpecials: true }) as any
    expect(Number.isNaN(value.x)).toBe(true)
    expect(value.y).toBe(-Infinity)
    expect(Number.isNaN(value.z)).toBe(true)
  })

  it("round-trips non-finite numbers through stringify", () => {
    const text = LenientJson.stringify({ a: NaN, b: [Infinity, -Infinity], c: "NaN" })
    expect(text).toBe(`{"a":NaN,"b":[Infinity,-Infinity],"c":"NaN"}`)
    expect(LenientJson.parse(text)).toEqual({ a: NaN, b: [Infinity, -Infinity], c: "NaN" })
  })

  it("rewrites to standard JSON", () => {
    expect(LenientJson.toStandard(`{"a": NaN, "s": "Infinity"}`)).toBe(`{"a": "NaN", "s": "Infinity"}`)
    expect(() => JSON.parse(LenientJson.toStandard(`[NaN, -Infinity]`))).not.toThrow()
  })

  it("rejects malformed text", () => {
    expect(() => LenientJson.parse(`{"a": Nan}`)).toThrow(SyntaxError)
  })
})
