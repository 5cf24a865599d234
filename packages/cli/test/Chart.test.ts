import { describe, expect, it } from "@effect/vitest"
import * as Chart from "../src/web/Chart.js"

const pointCount = (svg: string) =>
  [...svg.matchAll(/\spoints="([^"]*)"/g)].reduce((n, m) => n + m[1]!.trim().split(/\s+/).length, 0) +
  (svg.match(/<circle /g) ?? []).length

describe("Chart", () => {
  it("ticks: nice steps covering the range", () => {
    expect(Chart.ticks(0, 10)).toEqual([0, 2, 4, 6, 8, 10])
    expect(Chart.ticks(0.13, 0.91)).toEqual([0.2, 0.4, 0.6, 0.8])
    expect(Chart.ticks(5, 5)).toEqual([5])
  })

  it("segments: gaps at null and non-finite values", () => {
    const segs = Chart.segments([[0, 1], [1, null], [2, 2], [3, 3], [4, NaN], [5, Infinity], [6, 4]])
    expect(segs).toEqual([[[0, 1]], [[2, 2], [3, 3]], [[6, 4]]])
  })

  it("lineChart: one group per series with the drawn point count; isolated points as circles", () => {
    const svg = Chart.lineChart([
      { name: "a<b", points: [[0, 1], [1, 2], [2, null], [3, 4]] },
      { name: "c", points: [[0, 3], [1, NaN], [2, 1], [3, 0]] }
    ], { title: "loss" })
    expect(svg.startsWith("<svg")).toBe(true)
    const groups = [...svg.matchAll(/<g class="series" data-series="([^"]*)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])])
    expect(groups).toEqual([["a&lt;b", 3], ["c", 3]])
    expect(pointCount(svg)).toBe(6)
    expect((svg.match(/<circle /g) ?? []).length).toBe(2)
    expect(svg).toContain(">loss</text>")
  })

  it("lineChart: points stay inside the plot area", () => {
    const svg = Chart.lineChart([{ name: "s", points: Array.from({ length: 50 }, (_, i) => [i * 10, Math.sin(i)] as const) }], {
      width: 400,
      height: 200
    })
    const coords = [...svg.matchAll(/\spoints="([^"]*)"/g)].flatMap((m) => m[1]!.split(" ").map((p) => p.split(",").map(Number)))
    expect(coords).toHaveLength(50)
    for (const [x, y] of coords) {
      expect(x).toBeGreaterThanOrEqual(64)
      expect(x).toBeLessThanOrEqual(400 - 16)
      expect(y).toBeGreaterThanOrEqual(16)
      expect(y).toBeLessThanOrEqual(200 - 58)
    }
  })
})
