/**
 * `BrowserHashing` (`@noble/hashes`, the MD5 `BrowserWandb.layer` supplies): a known vector and
 * agreement with `node:crypto` on random inputs fed in random pieces. In Chromium it is exercised
 * by the end-to-end test's md5-verified download.
 */
import { describe, expect, it } from "@effect/vitest"
import { Hashing } from "@effect-wandb/core"
import { Effect } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { BrowserHashing } from "../src/index.js"

describe("BrowserHashing", () => {
  it.effect("hashes W&B's way: base64 of the raw MD5", () =>
    Effect.gen(function*() {
      const digest = yield* Hashing.md5Base64(new TextEncoder().encode("The quick brown fox jumps over the lazy dog"))
      expect(Buffer.from(digest, "base64").toString("hex")).toBe("9e107d9d372bb6826bd81d3542a419d6")
    }).pipe(Effect.provide(BrowserHashing.layer)))

  it("agrees with node:crypto on random inputs fed in random pieces", () => {
    for (let round = 0; round < 20; round++) {
      const bytes = randomBytes(round * 7919 + round)
      const hasher = BrowserHashing.md5()
      let at = 0
      while (at < bytes.length) {
        const size = Math.floor(Math.random() * 5000)
        hasher.update(bytes.subarray(at, at + size))
        at += size
      }
      expect(Hashing.digestBase64(hasher), `${bytes.length} bytes`).toBe(createHash("md5").update(bytes).digest("base64"))
    }
  })
})
