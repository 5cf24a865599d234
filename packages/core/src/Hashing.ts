/**
 * MD5 digests, supplied by the platform: core needs them to verify downloads against the
 * server's `md5` (the base64 of the raw 16-byte digest), but WebCrypto has no MD5 and core may
 * not import `node:crypto`. So core only defines the service; `NodeWandb.layer` provides it on
 * `node:crypto` (native) and `BrowserWandb.layer` on `@noble/hashes`.
 *
 * @example
 * ```ts
 * import * as Hashing from "@effect-wandb/core/Hashing"
 * import * as Effect from "effect/Effect"
 *
 * // "kAFQmDzST7DWlj99KOF/cg==" once a platform layer provides `Hashing`
 * const digest = Hashing.md5Base64(new TextEncoder().encode("abc"))
 * const program: Effect.Effect<string, never, Hashing.Hashing> = digest
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Layer from "effect/Layer"

/**
 * An incremental hash: feed it the bytes in any number of `update`s, then take the `digest`
 * once (the hasher is finished after that).
 *
 * @since 0.1.0
 * @category models
 */
export interface Hasher {
  readonly update: (bytes: Uint8Array) => void
  readonly digest: () => Uint8Array
}

/**
 * The hashing service: `md5()` starts a new incremental MD5.
 *
 * @since 0.1.0
 * @category tags
 */
export class Hashing extends Context.Tag("@effect-wandb/core/Hashing")<Hashing, {
  readonly md5: () => Hasher
}>() {}

/**
 * A `Hashing` layer from a function that starts an MD5 hasher (what the platform layers use).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (md5: () => Hasher): Layer.Layer<Hashing> => Layer.succeed(Hashing, Hashing.of({ md5 }))

/**
 * A finished hasher's digest in W&B's `md5` format: standard base64 with padding.
 *
 * @since 0.1.0
 * @category utils
 */
export const digestBase64 = (hasher: Hasher): string => Encoding.encodeBase64(hasher.digest())

/**
 * The MD5 of `bytes` in W&B's `md5` format (base64 of the raw digest).
 *
 * @since 0.1.0
 * @category utils
 */
export const md5Base64 = (bytes: Uint8Array): Effect.Effect<string, never, Hashing> =>
  Effect.map(Hashing, (hashing) => {
    const hasher = hashing.md5()
    hasher.update(bytes)
    return digestBase64(hasher)
  })
