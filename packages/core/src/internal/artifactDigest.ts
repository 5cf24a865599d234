/**
 * The one place where artifact files are hashed (base64 MD5, the manifest's `digest` form),
 * through the platform's `Hashing` service.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Hashing from "../Hashing.js"

/** The base64 MD5 and size of the file at `path`, read as a stream. @internal */
export const fileDigest = (
  path: string
): Effect.Effect<
  { readonly digest: string; readonly size: number },
  PlatformError.PlatformError,
  FileSystem.FileSystem | Hashing.Hashing
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const hasher = (yield* Hashing.Hashing).md5()
    let size = 0
    yield* Stream.runForEach(fs.stream(path), (chunk) =>
      Effect.sync(() => {
        hasher.update(chunk)
        size += chunk.length
      }))
    return { digest: Hashing.digestBase64(hasher), size }
  })
