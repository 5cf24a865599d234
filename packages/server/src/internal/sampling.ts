/**
 * Evenly spaced sampling of row ordinals, used by `history(samples)`, `events(samples)` and
 * `sampledHistory(specs)` to pick `samples` rows out of `count` by their dense `seq`.
 *
 * @internal
 */

/**
 * Evenly spaced indices into `[0, count)`, ascending and distinct. With `samples >= 2` the first
 * (`0`) and last (`count - 1`) indices are always included; `samples === 1` gives `[0]`; all
 * indices when `samples >= count`; `[]` when `count <= 0` or `samples <= 0`. Non-integer inputs
 * are floored.
 *
 * Index `i` of the result is `round(i * (count - 1) / (samples - 1))`, computed in integers.
 *
 * @internal
 */
export const sampleIndices = (count: number, samples: number): ReadonlyArray<number> => {
  const n = Math.floor(count)
  const k = Math.floor(samples)
  if (!(n > 0) || !(k > 0)) return []
  if (k >= n) return Array.from({ length: n }, (_, i) => i)
  if (k === 1) return [0]
  const span = n - 1
  const gaps = k - 1
  // round(i * span / gaps) without floating point: floor((2 * i * span + gaps) / (2 * gaps))
  return Array.from({ length: k }, (_, i) => Math.floor((2 * i * span + gaps) / (2 * gaps)))
}
