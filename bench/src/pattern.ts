/** Generated file contents for the benchmarks. */

/** Deterministic, cheap pseudo-random bytes for any range of a file (xorshift per 32-bit word). */
export const pattern = (seed: number) => (offset: number, length: number): Uint8Array => {
  const words = new Uint32Array(Math.ceil(length / 4))
  let x = (seed * 2654435761 + offset) >>> 0 || 1
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x >>> 0
  }
  return new Uint8Array(words.buffer, 0, length)
}
