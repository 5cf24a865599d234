/**
 * `NodeHashing` (the MD5 `NodeWandb.layer` supplies to downloads): RFC 1321's vectors in W&B's
 * base64 form, and the same digest however the bytes are split into `update`s.
 */
import { describe, expect, it } from "@effect/vitest"
import { Hashing } from "@effect-wandb/core"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { NodeHashing, NodeWandb } from "../src/index.js"

const rfc1321: ReadonlyArray<readonly [string, string]> = [
  ["", "d41d8cd98f00b204e9800998ecf8427e"],
  ["abc", "900150983cd24fb0d6963f7d28e17f72"],
  ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
  ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"]
]

const base64OfHex = (hex: string) => Buffer.from(hex, "hex").toString("base64")

describe("NodeHashing", () => {
  it.effect("matches the RFC 1321 vectors, as base64, through the layer NodeWandb provides", () =>
    Effect.gen(function*() {
      for (const [input, hex] of rfc1321) {
        expect(yield* Hashing.md5Base64(new TextEncoder().encode(input)), input).toBe(base64OfHex(hex))
      }
    }).pipe(Effect.provide(NodeWandb.layerPlatform)))

  it("gives one digest however the input is split (empty and odd-sized updates, block boundaries)", () => {
    const bytes = randomBytes(200_003)
    const whole = NodeHashing.md5()
    whole.update(bytes)
    const expected = Hashing.digestBase64(whole)
    for (const size of [1, 63, 64, 65, 4096, 65_536, 100_000]) {
      const hasher = NodeHashing.md5()
      for (let at = 0; at < bytes.length; at += size) {
        hasher.update(bytes.subarray(at, at + size))
        hasher.update(new Uint8Array(0))
      }
      expect(Hashing.digestBase64(hasher), `chunks of ${size}`).toBe(expected)
    }
  })
})
