/** Summaries of repeated measurements. */

/** The median of `values` (the upper one of the middle two for an even count). */
export const median = (values: ReadonlyArray<number>): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** Median of every numeric field of `ms` (non-numeric fields from the first). */
export const medianOf = <A extends object>(ms: ReadonlyArray<A>): A => {
  const first = ms[0]! as Record<string, unknown>
  const out: Record<string, unknown> = { ...first }
  for (const [key, value] of Object.entries(first)) {
    if (typeof value === "number") out[key] = median(ms.map((m) => (m as Record<string, number>)[key]!))
  }
  return out as A
}
