/**
 * The `Hashing` service in a browser, on `@noble/hashes` (WebCrypto has no MD5), part of
 * `BrowserWandb.layer`.
 *
 * @since 0.1.0
 */
import * as Hashing from "@effect-wandb/core/Hashing"
import { md5 as nobleMd5 } from "@noble/hashes/legacy.js"
import type * as Layer from "effect/Layer"

/**
 * A new incremental MD5 on `@noble/hashes`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const md5 = (): Hashing.Hasher => {
  const hash = nobleMd5.create()
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => hash.digest()
  }
}

/**
 * `Hashing` on `@noble/hashes`.
 *
 * @example
 * ```ts
 * import * as BrowserHashing from "@effect-wandb/platform-browser/BrowserHashing"
 * import * as Hashing from "@effect-wandb/core/Hashing"
 * import * as Effect from "effect/Effect"
 *
 * const digest = Hashing.md5Base64(new TextEncoder().encode("abc")).pipe(Effect.provide(BrowserHashing.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Hashing.Hashing> = Hashing.layer(md5)
