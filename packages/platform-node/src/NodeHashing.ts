/**
 * The `Hashing` service on `node:crypto` (OpenSSL's native MD5), part of `NodeWandb.layer`.
 *
 * @since 0.1.0
 */
import * as Hashing from "@effect-wandb/core/Hashing"
import type * as Layer from "effect/Layer"
import { createHash } from "node:crypto"

/**
 * A new incremental MD5 on `node:crypto`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const md5 = (): Hashing.Hasher => {
  const hash = createHash("md5")
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => new Uint8Array(hash.digest())
  }
}

/**
 * `Hashing` on `node:crypto`.
 *
 * @example
 * ```ts
 * import { NodeHashing } from "@effect-wandb/platform-node"
 * import * as Hashing from "@effect-wandb/core/Hashing"
 * import * as Effect from "effect/Effect"
 *
 * const digest = Hashing.md5Base64(new TextEncoder().encode("abc")).pipe(Effect.provide(NodeHashing.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Hashing.Hashing> = Hashing.layer(md5)
