import { describe, expect, it } from "@effect/vitest"
import { sampleIndices } from "../src/internal/sampling.js"

describe("sampleIndices", () => {
  it("returns nothing for empty input or no samples", () => {
    expect(sampleIndices(0, 10)).toEqual([])
    expect(sampleIndices(10, 0)).toEqual([])
    expect(sampleIndices(10, -3)).toEqual([])
    expect(sampleIndices(-1, 3)).toEqual([])
  })

  it("returns every index when samples >= count", () => {
    expect(sampleIndices(5, 5)).toEqual([0, 1, 2, 3, 4])
    expect(sampleIndices(3, 500)).toEqual([0, 1, 2])
  })

  it("returns the first index for a single sample", () => {
    expect(sampleIndices(100, 1)).toEqual([0])
  })

  it("spaces indices evenly and includes both ends", () => {
    expect(sampleIndices(11, 3)).toEqual([0, 5, 10])
    expect(sampleIndices(10, 2)).toEqual([0, 9])
    expect(sampleIndices(1000, 5)).toEqual([0, 250, 500, 749, 999])
  })

  it("holds its properties over many sizes", () => {
    for (let count = 1; count <= 40; count++) {
      for (let samples = 1; samples <= 45; samples++) {
        const out = sampleIndices(count, samples)
        expect(out.length).toBe(Math.min(count, samples))
        for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThan(out[i - 1]!)
        expect(out[0]).toBe(0)
        if (out.length >= 2) expect(out[out.length - 1]).toBe(count - 1)
        // gaps differ by at most one: evenly spaced
        const gaps = out.slice(1).map((v, i) => v - out[i]!)
        if (gaps.length > 0) expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1)
      }
    }
  })

  it("stays exact for huge counts", () => {
    const out = sampleIndices(1_000_000, 500)
    expect(out.length).toBe(500)
    expect(out[0]).toBe(0)
    expect(out[499]).toBe(999_999)
  })
})
