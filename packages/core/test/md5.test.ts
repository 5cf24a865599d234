import { describe, expect, it } from "@effect/vitest"
import { createHash, randomBytes } from "node:crypto"
import { base64, Md5 } from "../src/internal/md5.js"

const reference = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("base64")

/** Splits `bytes` into random-sized chunks (including empty ones) with a seeded generator. */
const chunked = (bytes: Uint8Array, seed: number): Array<Uint8Array> => {
  let state = seed
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff)
  const out: Array<Uint8Array> = []
  let offset = 0
  while (offset < bytes.length) {
    const size = next() % 4 === 0 ? next() % 3 : next() % 300
    out.push(bytes.subarray(offset, offset + size))
    offset += size
  }
  return out
}

describe("md5", () => {
  it("matches the RFC 1321 test vectors (as base64)", () => {
    const vectors: Array<[string, string]> = [
      ["", "d41d8cd98f00b204e9800998ecf8427e"],
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["abc", "900150983cd24fb0d6963f7d28e17f72"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"]
    ]
    for (const [input, hex] of vectors) {
      const got = new Md5().update(new TextEncoder().encode(input)).digestBase64()
      expect(got).toBe(Buffer.from(hex, "hex").toString("base64"))
    }
  })

  it("matches node:crypto for every length around the block and padding boundaries", () => {
    const bytes = randomBytes(300)
    for (let length = 0; length <= bytes.length; length++) {
      const input = bytes.subarray(0, length)
      expect(new Md5().update(input).digestBase64(), `length ${length}`).toBe(reference(input))
    }
  })

  it("gives the same digest however the input is chunked", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const bytes = randomBytes(seed * 997)
      const md5 = new Md5()
      for (const chunk of chunked(bytes, seed)) md5.update(chunk)
      expect(md5.digestBase64(), `seed ${seed}`).toBe(reference(bytes))
    }
  })

  it("hashes a multi-megabyte input fed in network-sized chunks", () => {
    const bytes = randomBytes(5 * 1024 * 1024 + 17)
    const md5 = new Md5()
    for (let offset = 0; offset < bytes.length; offset += 65_536) md5.update(bytes.subarray(offset, offset + 65_536))
    expect(md5.digestBase64()).toBe(reference(bytes))
  })

  it("encodes base64 like Buffer for every padding case", () => {
    for (let length = 0; length < 8; length++) {
      const bytes = randomBytes(length)
      expect(base64(bytes)).toBe(Buffer.from(bytes).toString("base64"))
    }
  })
})
