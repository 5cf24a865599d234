/**
 * Masks secrets in a byte stream, across chunk boundaries, with `*` bytes of the same length
 * (so `Content-Length` and byte ranges stay true).
 *
 * @internal
 */
import * as Stream from "effect/Stream"

const STAR = 0x2a

const maskIn = (buffer: Buffer, patterns: ReadonlyArray<Buffer>): void => {
  for (const pattern of patterns) {
    for (let at = buffer.indexOf(pattern); at !== -1; at = buffer.indexOf(pattern, at + pattern.length)) {
      buffer.fill(STAR, at, at + pattern.length)
    }
  }
}

/**
 * `body` with every occurrence of every secret masked. Each chunk is held back by the longest
 * secret's length less one byte, so that a secret split between two chunks is still found.
 *
 * @internal
 */
export const maskStream = <E, R>(
  body: Stream.Stream<Uint8Array, E, R>,
  secrets: ReadonlyArray<string>
): Stream.Stream<Uint8Array, E, R> => {
  if (secrets.length === 0) return body
  return Stream.suspend(() => {
    const patterns = secrets.map((secret) => Buffer.from(secret, "utf8"))
    const keep = Math.max(...patterns.map((pattern) => pattern.length)) - 1
    let carry = Buffer.alloc(0)
    const push = (chunk: Uint8Array): Uint8Array => {
      const buffer = Buffer.concat([carry, chunk])
      maskIn(buffer, patterns)
      const cut = Math.max(0, buffer.length - keep)
      carry = buffer.subarray(cut)
      return buffer.subarray(0, cut)
    }
    return body.pipe(
      Stream.map(push),
      Stream.concat(Stream.sync(() => carry)),
      Stream.filter((bytes) => bytes.length > 0)
    )
  })
}
