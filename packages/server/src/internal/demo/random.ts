/**
 * A small seeded PRNG (mulberry32) for the deterministic demo data.
 *
 * @internal
 */

/** Mixes integers into one 32-bit seed (a murmur3-style finaliser per part). @internal */
export const hashSeed = (...parts: ReadonlyArray<number>): number => {
  let h = 0x9e3779b9
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
    h ^= h >>> 16
  }
  return h >>> 0
}

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789"

/** A seeded random source. @internal */
export interface Random {
  /** Uniform in [0, 1). */
  readonly next: () => number
  /** Uniform integer in [min, max]. */
  readonly int: (min: number, max: number) => number
  readonly chance: (p: number) => boolean
  readonly pick: <A>(items: ReadonlyArray<A>) => A
  /** Standard normal (Box–Muller). */
  readonly normal: () => number
  /** Log-uniform in [min, max]. */
  readonly logUniform: (min: number, max: number) => number
  /** `length` characters of `[a-z0-9]`. */
  readonly id: (length: number) => string
  /** `length` lowercase hex digits. */
  readonly hex: (length: number) => string
}

/** A mulberry32 generator seeded with `seed`. @internal */
export const makeRandom = (seed: number): Random => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const chars = (alphabet: string, length: number) =>
    Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("")
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    logUniform: (min, max) => Math.exp(Math.log(min) + next() * (Math.log(max) - Math.log(min))),
    id: (length) => chars(ALPHANUMERIC, length),
    hex: (length) => chars("0123456789abcdef", length)
  }
}

/**
 * Deterministic pseudo-random bytes for `[offset, offset + length)` of a stream identified by
 * `seed`: any slice can be produced independently (xorshift per 4-byte word), so large files are
 * generated chunk by chunk.
 *
 * @internal
 */
export const streamBytes = (seed: number, offset: number, length: number): Uint8Array => {
  const out = new Uint8Array(length)
  const firstWord = Math.floor(offset / 4)
  const words = Math.ceil((offset + length) / 4) - firstWord
  const buf = new Uint8Array(words * 4)
  const view = new DataView(buf.buffer)
  const base = hashSeed(seed)
  for (let w = 0; w < words; w++) {
    let x = (base ^ Math.imul(firstWord + w + 1, 0x9e3779b1)) >>> 0
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    view.setUint32(w * 4, x >>> 0, true)
  }
  out.set(buf.subarray(offset - firstWord * 4, offset - firstWord * 4 + length))
  return out
}
