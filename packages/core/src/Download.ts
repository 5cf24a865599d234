/**
 * Downloading run files to a `FileSystem` (Node's, or the browser's Origin Private File System)
 * without ever clobbering or half-writing a file.
 *
 * - The name is checked first: `..`, `.` or empty segments, absolute paths, backslashes, NUL and
 *   drive letters fail with `UnsafeFileName` and nothing is written.
 * - An existing target without `replace` fails with `FileAlreadyExists` before any byte is fetched.
 * - The body is streamed (memory stays bounded) into a temporary file in the target directory
 *   while its MD5 is computed (by the platform's `Hashing` service), then checked against the
 *   server's `md5` (and size when known); only then is it renamed into place. Nested names create their directories. A connection
 *   lost mid-body is resumed where it stopped (`Range`). Progress resets the retry budget: a
 *   resume that received bytes goes out at once and does not count; only attempts in a row that
 *   received nothing count against `retry.maxAttempts` (with backoff), and such a stall ends when
 *   the next wait would end more than `retry.maxRetryTime` after the last byte arrived.
 * - A `416` to a resume (the server's Content-Length promised more than the file has) ends the
 *   body: with the server's md5 (or a known size) the file is verified as usual (kept when it
 *   matches, `ChecksumMismatch` otherwise).
 * - Only `http:`/`https:` URLs (or paths on the base URL) are fetched: `file:`, `ftp:`, `data:`
 *   or an invalid URL fail at once with `DecodeError` (field `url`), before anything is written.
 * - The temporary file is `.{name}.{random}.part` next to the target. Without `replace`, the
 *   target is checked again just before the rename (a file created meanwhile still wins).
 * - Any failure or interruption removes the temporary file and leaves an old file untouched.
 * - A running download touches its temporary file every 5 seconds. A `.part` of the same name
 *   untouched for 30 seconds (its modification time against the `Clock`) was left by a process
 *   that was killed: the largest one is taken over and the download resumes after its bytes (if
 *   they were not a prefix of the file, the md5 check says so and the file is fetched again from
 *   the start); the other stale ones are removed.
 *   `downloadAll` lists each directory once, when its first file there starts (not once per file,
 *   which grew as the square of the files in one directory): a `.part` that goes stale later in
 *   the run is left for the next one.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Mailbox from "effect/Mailbox"
import * as Stream from "effect/Stream"
import type * as Errors from "./Errors.js"
import type * as Hashing from "./Hashing.js"
import * as internal from "./internal/download.js"
import type { WandbHttpClient } from "./WandbHttpClient.js"

/**
 * What `download` needs to know about a file; a `RunFile` fits. `sizeBytes` of `0` or `null`
 * means "unknown" (W&B reports `0` when it does not know), so only the md5 and the
 * Content-Length are checked then. `runPath` (`entity/project/run`) only names the run in a
 * `FileNotFound`; it is read from the URL when absent.
 *
 * @since 0.1.0
 * @category models
 */
export interface DownloadableFile {
  readonly name: string
  readonly url: string
  readonly md5?: string | null | undefined
  readonly sizeBytes?: number | null | undefined
  readonly runPath?: string | undefined
}

/**
 * `root` (default `"."`) is the directory the file's name is resolved against; `replace`
 * (default `false`) allows overwriting an existing file once the new one is verified.
 *
 * @since 0.1.0
 * @category options
 */
export interface DownloadOptions {
  readonly root?: string | undefined
  readonly replace?: boolean | undefined
}

/**
 * Everything a download can fail with. HTTP statuses map like the GraphQL transport's:
 * 401 `Unauthorized`, 403 `PermissionDenied`, 404 `FileNotFound`, 429 `RateLimited`, others
 * `ServerError`. A connection lost (or a body shorter than its Content-Length) is resumed
 * with a `Range` request; `retry.maxAttempts` responses in a row without a new byte (or a stall
 * longer than `retry.maxRetryTime`) end in a `TransportError`. A URL that is not http(s) is a
 * `DecodeError`.
 *
 * @since 0.1.0
 * @category errors
 */
export type DownloadError =
  | Errors.FileAlreadyExists
  | Errors.UnsafeFileName
  | Errors.ChecksumMismatch
  | Errors.FileSystemError
  | Errors.FileNotFound
  | Errors.ApiError

/**
 * Services a download needs: the authenticated HTTP client, a file system, path functions and
 * the platform's MD5 (`Hashing`); `NodeWandb.layer` and `BrowserWandb.layer` provide them all.
 *
 * @since 0.1.0
 * @category models
 */
export type DownloadContext = WandbHttpClient | FileSystem.FileSystem | Path.Path | Hashing.Hashing

/**
 * Downloads `file.url` to `{root}/{file.name}` and returns that path (see the module doc for
 * the guarantees).
 *
 * @example
 * ```ts
 * import { Download, WandbApi } from "@effect-wandb/core"
 * import { Effect } from "effect"
 *
 * // writes out/config.yaml, or fails with FileAlreadyExists if it is there
 * const program = Effect.gen(function*() {
 *   const api = yield* WandbApi.WandbApi
 *   const file = yield* api.file("acme-ml/mnist-cnn/3k9x0q2f", "config.yaml")
 *   return yield* Download.download(file, { root: "out" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category downloads
 */
export const download: (
  file: DownloadableFile,
  options?: DownloadOptions
) => Effect.Effect<string, DownloadError, DownloadContext> = (file, options) => internal.downloadFile(file, options)

/**
 * Totals over every file of a `downloadAll`. `totalBytes` is the sum of the files' known sizes
 * (a file of unknown size adds its Content-Length once its response arrives). A failed file's
 * bytes are taken out of `bytesDone` and `totalBytes` (its partial file was removed), so at the
 * end `bytesDone` equals the bytes written to disk.
 *
 * @since 0.1.0
 * @category models
 */
export interface Overall {
  readonly filesTotal: number
  readonly filesFinished: number
  readonly filesFailed: number
  readonly bytesDone: number
  readonly totalBytes: number
}

/**
 * Progress of a `downloadAll`, one event at a time, each carrying the `Overall` totals after it:
 *
 * - `Started`: the response for file `index` arrived; `totalBytes` is its expected size if known.
 * - `Progress`: `bytesDone` bytes of that file have arrived so far (written to disk in blocks of 256 KiB).
 * - `Finished`: the file is verified and in place at `path`.
 * - `Failed`: the file failed with `error` (nothing left behind; the other files go on).
 *   A file refused before its request (unsafe name, already exists) fails without `Started`.
 * - `Completed`: the last event; every file is finished or failed.
 *
 * @since 0.1.0
 * @category models
 */
export type DownloadEvent = Data.TaggedEnum<{
  Started: { readonly index: number; readonly name: string; readonly totalBytes: number | undefined; readonly overall: Overall }
  Progress: {
    readonly index: number
    readonly name: string
    readonly bytesDone: number
    readonly totalBytes: number | undefined
    readonly overall: Overall
  }
  Finished: { readonly index: number; readonly name: string; readonly path: string; readonly bytes: number; readonly overall: Overall }
  Failed: { readonly index: number; readonly name: string; readonly error: DownloadError; readonly overall: Overall }
  Completed: { readonly overall: Overall }
}>

/**
 * Constructors, `$is` and `$match` for {@link DownloadEvent}.
 *
 * @since 0.1.0
 * @category models
 */
export const DownloadEvent = Data.taggedEnum<DownloadEvent>()

/**
 * Options of `downloadAll`: those of `download`, plus `concurrency` (default 4), the number of
 * files fetched at the same time.
 *
 * @since 0.1.0
 * @category options
 */
export interface DownloadAllOptions extends DownloadOptions {
  readonly concurrency?: number | undefined
}

/** What the download fibers report; `downloadAll` turns these into `DownloadEvent`s in order. */
type Signal =
  | { readonly _tag: "Started"; readonly index: number; readonly totalBytes: number | undefined }
  | { readonly _tag: "Bytes"; readonly index: number; readonly bytes: number }
  | { readonly _tag: "Finished"; readonly index: number; readonly path: string }
  | { readonly _tag: "Failed"; readonly index: number; readonly error: DownloadError }
  | { readonly _tag: "Completed" }

/**
 * The running totals of one `downloadAll` run, fed the signals in the order the stream emits
 * them (so totals never go out of order across concurrent files).
 */
const tracker = (files: ReadonlyArray<DownloadableFile>) => {
  /** Per file: bytes written so far, the size counted in `totalBytes`, the expected size. */
  const done = files.map(() => 0)
  const counted = files.map((file) => internal.knownSize(file) ?? 0)
  const totals = files.map((file) => internal.knownSize(file))
  let overall: Overall = {
    filesTotal: files.length,
    filesFinished: 0,
    filesFailed: 0,
    bytesDone: 0,
    totalBytes: counted.reduce((sum, size) => sum + size, 0)
  }
  const update = (patch: Partial<Overall>) => (overall = { ...overall, ...patch })
  return (signal: Signal): DownloadEvent => {
    if (signal._tag === "Completed") return DownloadEvent.Completed({ overall })
    const { index } = signal
    const name = files[index]!.name
    switch (signal._tag) {
      case "Started": {
        const size = counted[index]! > 0 ? counted[index]! : signal.totalBytes ?? 0
        update({ totalBytes: overall.totalBytes - counted[index]! + size })
        counted[index] = size
        totals[index] = signal.totalBytes
        return DownloadEvent.Started({ index, name, totalBytes: signal.totalBytes, overall })
      }
      case "Bytes": {
        done[index] = done[index]! + signal.bytes
        update({ bytesDone: overall.bytesDone + signal.bytes })
        return DownloadEvent.Progress({ index, name, bytesDone: done[index]!, totalBytes: totals[index], overall })
      }
      case "Finished": {
        update({ filesFinished: overall.filesFinished + 1 })
        return DownloadEvent.Finished({ index, name, path: signal.path, bytes: done[index]!, overall })
      }
      case "Failed": {
        update({
          filesFailed: overall.filesFailed + 1,
          bytesDone: overall.bytesDone - done[index]!,
          totalBytes: overall.totalBytes - counted[index]!
        })
        done[index] = 0
        counted[index] = 0
        return DownloadEvent.Failed({ index, name, error: signal.error, overall })
      }
    }
  }
}

/**
 * Downloads many files with at most `concurrency` at a time, as a stream of
 * {@link DownloadEvent}s ending with `Completed`. A file's failure is a `Failed` event, not a
 * stream failure, so one bad file does not stop the others. The downloads run while the
 * stream is consumed (a slow consumer slows them down); interrupting the stream interrupts
 * them and removes their temporary files. A download that dies (a defect, i.e. a bug) ends the
 * stream with that defect rather than leaving it waiting forever.
 *
 * @example
 * ```ts
 * import * as Download from "@effect-wandb/core/Download"
 * import * as Stream from "effect/Stream"
 *
 * const failures = (files: ReadonlyArray<Download.DownloadableFile>) =>
 *   Download.downloadAll(files, { root: "out", concurrency: 8 }).pipe(
 *     Stream.filter(Download.DownloadEvent.$is("Failed")),
 *     Stream.runCollect
 *   )
 * ```
 *
 * @since 0.1.0
 * @category downloads
 */
export const downloadAll = (
  files: Iterable<DownloadableFile>,
  options: DownloadAllOptions = {}
): Stream.Stream<DownloadEvent, never, DownloadContext> => {
  const list = Array.from(files)
  return Stream.unwrapScoped(Effect.gen(function*() {
    const mailbox = yield* Mailbox.make<Signal>({ capacity: 256 })
    // each target directory is searched for leftover temporary files once, not once per file
    const listParts = yield* Effect.cachedFunction(internal.readParts)
    const one = (file: DownloadableFile, index: number) =>
      internal.downloadFile(file, options, {
        onStart: (totalBytes) => mailbox.offer({ _tag: "Started", index, totalBytes }),
        onBytes: (bytes) => mailbox.offer({ _tag: "Bytes", index, bytes })
      }, listParts).pipe(
        Effect.matchEffect({
          onSuccess: (path) => mailbox.offer({ _tag: "Finished", index, path }),
          onFailure: (error) => mailbox.offer({ _tag: "Failed", index, error })
        })
      )
    yield* Effect.forEach(list, one, { concurrency: Math.max(1, options.concurrency ?? 4), discard: true }).pipe(
      Effect.zipRight(mailbox.offer({ _tag: "Completed" })),
      Effect.zipRight(mailbox.end),
      // a download that dies (a defect) ends the stream with it instead of leaving it waiting
      Effect.onExit((exit) => Exit.isFailure(exit) ? mailbox.failCause(exit.cause) : Effect.void),
      Effect.forkScoped
    )
    return Mailbox.toStream(mailbox).pipe(Stream.map(tracker(list)))
  }))
}
