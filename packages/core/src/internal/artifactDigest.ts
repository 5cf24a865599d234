/**
 * The one place where artifact files are hashed (base64 MD5, the manifest's `digest` form),
 * so the hashing implementation can be swapped here alone.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Md5 } from "./md5.js"

/** The base64 MD5 and size of the file at `path`, read as a stream. @internal */
export const fileDigest = (
  path: string
): Effect.Effect<{ readonly digest: string; readonly size: number }, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const md5 = new Md5()
    let size = 0
    yield* Stream.runForEach(fs.stream(path), (chunk) =>
      Effect.sync(() => {
        md5.update(chunk)
        size += chunk.length
      }))
    return { digest: md5.digestBase64(), size }
  })
