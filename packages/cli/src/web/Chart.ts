/**
 * Line charts as SVG markup, drawn by hand (no chart library): several series overlaid on shared
 * axes with "nice" ticks, a legend, and gaps where a value is missing or not finite (NaN and
 * ±Infinity are skipped, as W&B's own charts do). Pure functions, so they are tested in Node and
 * used as-is by the web page.
 *
 * Each series is a `<g class="series" data-series="…" data-points="n">` group, where `n` is the
 * number of points drawn; lines are `<polyline>`s and isolated points `<circle>`s.
 *
 * @since 0.1.0
 */

/**
 * One line: `[x, y]` points in x order; `y` = `null` (or a non-finite number) leaves a gap.
 *
 * @since 0.1.0
 * @category models
 */
export interface Series {
  readonly name: string
  readonly points: ReadonlyArray<readonly [number, number | null]>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ChartOptions {
  readonly width?: number
  readonly height?: number
  readonly title?: string
  readonly xLabel?: string
}

/**
 * The colours given to series in order (then repeated).
 *
 * @since 0.1.0
 * @category constants
 */
export const palette: ReadonlyArray<string> = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
]

/**
 * Evenly spaced "nice" tick values (steps of 1, 2 or 5 × 10ⁿ) covering `[min, max]`.
 *
 * @since 0.1.0
 * @category scales
 */
export const ticks = (min: number, max: number, count = 5): ReadonlyArray<number> => {
  if (!(max > min)) return [min]
  const raw = (max - min) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const normalized = raw / magnitude
  const step = (normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10) * magnitude
  const out: Array<number> = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)))
  return out
}

/**
 * A short label for a tick value: `0.001`, `2.5`, `1.2e+6`.
 *
 * @since 0.1.0
 * @category scales
 */
export const tickLabel = (v: number): string => {
  if (v === 0) return "0"
  const abs = Math.abs(v)
  return abs >= 1e6 || abs < 1e-4 ? v.toExponential(1) : String(Number(v.toPrecision(4)))
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const isFinitePoint = (p: readonly [number, number | null]): p is readonly [number, number] =>
  Number.isFinite(p[0]) && p[1] !== null && Number.isFinite(p[1])

/**
 * Splits a series into runs of consecutive drawable points (gaps at missing/non-finite values).
 *
 * @since 0.1.0
 * @category scales
 */
export const segments = (points: Series["points"]): ReadonlyArray<ReadonlyArray<readonly [number, number]>> => {
  const out: Array<Array<readonly [number, number]>> = []
  let current: Array<readonly [number, number]> = []
  for (const p of points) {
    if (isFinitePoint(p)) current.push(p)
    else if (current.length > 0) {
      out.push(current)
      current = []
    }
  }
  if (current.length > 0) out.push(current)
  return out
}

const extent = (values: ReadonlyArray<number>): readonly [number, number] => {
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    if (v < min) min = v
    if (v > max) max = v
  }
  if (min === Infinity) return [0, 1]
  if (min === max) return min === 0 ? [-1, 1] : [min - Math.abs(min) * 0.1, max + Math.abs(max) * 0.1]
  return [min, max]
}

/**
 * The SVG markup of a line chart of the given series.
 *
 * @since 0.1.0
 * @category rendering
 */
export const lineChart = (series: ReadonlyArray<Series>, options: ChartOptions = {}): string => {
  const width = options.width ?? 640
  const height = options.height ?? 320
  const legendRows = Math.ceil(series.length / 4)
  const margin = { top: options.title === undefined ? 16 : 32, right: 16, bottom: 44 + legendRows * 14, left: 64 }
  const plotW = width - margin.left - margin.right
  const plotH = height - margin.top - margin.bottom
  const drawable = series.map((s) => segments(s.points))
  const all = drawable.flat(2)
  const [x0, x1] = extent(all.map((p) => p[0]))
  const [yMin, yMax] = extent(all.map((p) => p[1]))
  const pad = (yMax - yMin) * 0.04
  const [y0, y1] = [yMin - pad, yMax + pad]
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0)) * plotW
  const sy = (y: number) => margin.top + plotH - ((y - y0) / (y1 - y0)) * plotH
  const fmt = (n: number) => n.toFixed(1)
  const parts: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="#fff" stroke="#ccc"/>`
  ]
  if (options.title !== undefined) {
    parts.push(`<text class="title" x="${width / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(options.title)}</text>`)
  }
  for (const t of ticks(y0, y1)) {
    const y = fmt(sy(t))
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`)
    parts.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(t)}</text>`)
  }
  for (const t of ticks(x0, x1)) {
    const x = fmt(sx(t))
    parts.push(`<line x1="${x}" x2="${x}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 4}" stroke="#999"/>`)
    parts.push(`<text x="${x}" y="${margin.top + plotH + 16}" text-anchor="middle">${tickLabel(t)}</text>`)
  }
  if (options.xLabel !== undefined) {
    parts.push(`<text x="${margin.left + plotW / 2}" y="${margin.top + plotH + 32}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`)
  }
  series.forEach((s, i) => {
    const color = palette[i % palette.length]!
    const segs = drawable[i]!
    const count = segs.reduce((n, seg) => n + seg.length, 0)
    parts.push(`<g class="series" data-series="${escapeXml(s.name)}" data-points="${count}" stroke="${color}" fill="${color}">`)
    for (const seg of segs) {
      if (seg.length === 1) {
        parts.push(`<circle cx="${fmt(sx(seg[0]![0]))}" cy="${fmt(sy(seg[0]![1]))}" r="2"/>`)
      } else {
        const pts = seg.map(([x, y]) => `${fmt(sx(x))},${fmt(sy(y))}`).join(" ")
        parts.push(`<polyline fill="none" stroke-width="1.5" points="${pts}"/>`)
      }
    }
    parts.push("</g>")
    const ly = margin.top + plotH + 48 + Math.floor(i / 4) * 14
    const lx = margin.left + (i % 4) * (plotW / 4)
    parts.push(`<g class="legend"><rect x="${lx}" y="${ly - 8}" width="10" height="10" fill="${color}"/><text x="${lx + 14}" y="${ly}">${escapeXml(s.name)}</text></g>`)
  })
  parts.push("</svg>")
  return parts.join("")
}
