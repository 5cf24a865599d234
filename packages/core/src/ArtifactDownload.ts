/**
 * Downloading an artifact version into a directory, and checking a directory against it.
 *
 * `download(artifact, { root })`:
 * - Every manifest path is checked first (`..`, absolute paths, backslashes, … fail with
 *   `UnsafeFileName`), then every target: a file already in `root` with the entry's digest and
 *   size is kept and not fetched; another file there fails with `FileAlreadyExists` unless
 *   `replace` — all before any byte is fetched.
 * - The files to fetch go through `Download.downloadAll` (concurrently, each streamed, verified
 *   against the manifest's base64 MD5 and size, written atomically) into a staging directory
 *   beside the root, `.{root name}.{digest}.staging`. Only when every file is there are they
 *   moved into `root` and the staging directory removed: a failure leaves `root` as it was.
 * - A failed or interrupted download keeps the verified files in the staging directory, so the
 *   next `download` of the same version fetches only what is missing.
 * - Reference entries (`ref`: bytes stored outside W&B) are not fetched; the report lists them.
 * - A file whose bytes do not match the manifest is a `ManifestMismatch`, and so is a manifest
 *   entry the server lists no file for.
 *
 * `verify(artifact, root)` hashes the files under `root` and reports which manifest paths are
 * missing or changed, and which files are not in the manifest.
 *
 * @example
 * ```ts
 * import { ArtifactDownload, Artifacts } from "@effect-wandb/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const artifacts = yield* Artifacts.Artifacts
 *   const model = yield* artifacts.artifact("acme-ml/mnist-cnn/classifier:best")
 *   const report = yield* ArtifactDownload.download(model, { root: "models/classifier" })
 *   console.log(`${report.fetched.length} fetched, ${report.present.length} already there`)
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Artifact } from "./Artifact.js"
import type { ManifestEntry } from "./ArtifactManifest.js"
import { Artifacts } from "./Artifacts.js"
import * as Download from "./Download.js"
import * as Errors from "./Errors.js"
import { fileDigest } from "./internal/artifactDigest.js"
import { safeSegments } from "./internal/download.js"

/**
 * Options of {@link download}: `root` (the directory the artifact's paths are resolved
 * against), `replace` (overwrite files that differ; default `false`), `concurrency` (files
 * fetched at a time, default 4), `pathPrefix` (only entries whose path starts with it) and
 * `onEvent` (each `Download.DownloadEvent` of the files being fetched, e.g. for a progress bar).
 *
 * @since 0.1.0
 * @category options
 */
export interface DownloadOptions {
  readonly root: string
  readonly replace?: boolean | undefined
  readonly concurrency?: number | undefined
  readonly pathPrefix?: string | undefined
  readonly onEvent?: ((event: Download.DownloadEvent) => Effect.Effect<void>) | undefined
}

/**
 * What a download did: the paths `fetched` (now in `root`), those `present` already with the
 * right digest, the reference entries not fetched, and the bytes fetched.
 *
 * @since 0.1.0
 * @category models
 */
export interface DownloadReport {
  readonly root: string
  readonly fetched: ReadonlyArray<string>
  readonly present: ReadonlyArray<string>
  readonly references: ReadonlyArray<ManifestEntry>
  readonly bytesFetched: number
}

/**
 * Everything {@link download} can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type DownloadError =
  | Download.DownloadError
  | Errors.ManifestMismatch
  | Errors.ArtifactNotFound
  | Errors.InvalidArgument

/**
 * Services {@link download} and {@link verify} need.
 *
 * @since 0.1.0
 * @category models
 */
export type DownloadContext = Artifacts | Download.DownloadContext

/**
 * The outcome of {@link verify}: manifest paths `missing` under the root or `changed` (another
 * digest or size), files under the root that are `extra` (not in the manifest), and reference
 * entries (not checked). Paths use `/`. `ok` when nothing is missing, changed or extra.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerifyReport {
  readonly missing: ReadonlyArray<string>
  readonly changed: ReadonlyArray<string>
  readonly extra: ReadonlyArray<string>
  readonly references: ReadonlyArray<string>
  readonly ok: boolean
}

const fileSystemError = (path: string) => (error: { readonly message: string }) =>
  new Errors.FileSystemError({ path, reason: error.message })

/** Whether the file at `path` has the entry's digest (and size, when the manifest has one). */
const matches = (path: string, entry: ManifestEntry) =>
  Effect.map(fileDigest(path), ({ digest, size }) => digest === entry.digest && (entry.size === null || entry.size === size))

/** Whether a regular file is at `path`. */
const isFile = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.stat(path).pipe(
      Effect.map((info) => info.type === "File"),
      Effect.catchAll(() => Effect.succeed(false))
    ))

/** The manifest entries under `pathPrefix`, every path checked to stay inside the root. */
const plannedEntries = (artifact: Artifact, pathPrefix: string | undefined) =>
  Effect.gen(function*() {
    const artifacts = yield* Artifacts
    const manifest = yield* artifacts.manifest(artifact)
    const entries = manifest.entries.filter((entry) => pathPrefix === undefined || entry.path.startsWith(pathPrefix))
    for (const entry of entries) yield* safeSegments(entry.path)
    return entries
  })

/**
 * Downloads a version into `options.root` (see the module documentation for the guarantees).
 *
 * @since 0.1.0
 * @category downloads
 */
export const download = (
  artifact: Artifact,
  options: DownloadOptions
): Effect.Effect<DownloadReport, DownloadError, DownloadContext> =>
  Effect.gen(function*() {
    const concurrency = options.concurrency ?? 4
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      return yield* new Errors.InvalidArgument({ argument: "concurrency", reason: `expected a positive integer, got ${concurrency}` })
    }
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const artifacts = yield* Artifacts
    const entries = yield* plannedEntries(artifact, options.pathPrefix)
    const references = entries.filter((entry) => entry.isReference)
    const stored = entries.filter((entry) => !entry.isReference)
    const root = options.root
    const targetOf = (entry: ManifestEntry) => path.join(root, ...entry.path.split("/"))
    // beside the root, never inside it (a root such as "." or "out/.." is resolved first)
    const base = path.basename(root)
    const outside = base === "" || base === "." || base === ".." ? path.resolve(root) : root
    // named after the version's digest, reduced to safe characters (it comes from the server)
    const version = (artifact.digest || artifact.id).replace(/[^0-9A-Za-z_-]/g, "_").slice(0, 64)
    const staging = path.join(path.dirname(outside), `.${path.basename(outside)}.${version}.staging`)
    const stagedOf = (entry: ManifestEntry) => path.join(staging, ...entry.path.split("/"))

    // what is in the root already: right (kept), or in the way (refused without `replace`)
    const present: Array<string> = []
    const wanted: Array<ManifestEntry> = []
    for (const entry of stored) {
      const target = targetOf(entry)
      if (!(yield* fs.exists(target).pipe(Effect.mapError(fileSystemError(target))))) {
        wanted.push(entry)
      } else if ((yield* isFile(target)) && (yield* matches(target, entry).pipe(Effect.mapError(fileSystemError(target))))) {
        present.push(entry.path)
      } else if (options.replace === true) {
        wanted.push(entry)
      } else {
        return yield* new Errors.FileAlreadyExists({ path: target })
      }
    }

    // what an earlier, interrupted download left verified in the staging directory
    const toFetch: Array<ManifestEntry> = []
    for (const entry of wanted) {
      const staged = stagedOf(entry)
      const ready = (yield* isFile(staged)) && (yield* Effect.orElseSucceed(matches(staged, entry), () => false))
      if (!ready) toFetch.push(entry)
    }

    let bytesFetched = 0
    if (toFetch.length > 0) {
      const urls = new Map<string, string>()
      yield* Stream.runForEach(artifacts.fileUrls(artifact), (file) => Effect.sync(() => urls.set(file.name, file.directUrl)))
      const files: Array<Download.DownloadableFile> = []
      for (const entry of toFetch) {
        const url = urls.get(entry.path)
        if (url === undefined) {
          return yield* new Errors.ManifestMismatch({
            artifact: artifact.qualifiedName,
            path: entry.path,
            reason: "the server lists no file for this manifest entry"
          })
        }
        files.push({ name: entry.path, url, md5: entry.digest, sizeBytes: entry.size })
      }
      const failures: Array<Download.DownloadError> = []
      yield* Stream.runForEach(
        Download.downloadAll(files, { root: staging, replace: true, concurrency }),
        (event) =>
          Effect.zipRight(
            Effect.sync(() => {
              if (event._tag === "Failed") failures.push(event.error)
              if (event._tag === "Completed") bytesFetched = event.overall.bytesDone
            }),
            options.onEvent?.(event) ?? Effect.void
          )
      )
      const [failure] = failures
      if (failure !== undefined) {
        return yield* failure._tag === "ChecksumMismatch"
          ? new Errors.ManifestMismatch({
            artifact: artifact.qualifiedName,
            path: failure.name,
            reason: `expected ${failure.expected}, got ${failure.actual}`
          })
          : Effect.fail(failure)
      }
    }

    // everything is verified: move it into the root, then drop the staging directory
    for (const entry of wanted) {
      const target = targetOf(entry)
      yield* fs.makeDirectory(path.dirname(target), { recursive: true }).pipe(Effect.mapError(fileSystemError(target)))
      yield* fs.rename(stagedOf(entry), target).pipe(Effect.mapError(fileSystemError(target)))
    }
    yield* Effect.ignore(fs.remove(staging, { recursive: true }))
    return {
      root,
      fetched: wanted.map((entry) => entry.path),
      present,
      references,
      bytesFetched
    } satisfies DownloadReport
  }).pipe(Effect.withSpan("ArtifactDownload.download", { attributes: { artifact: artifact.qualifiedName } }))

/**
 * Every file under `directory`, as `/`-separated paths relative to it, walking one directory at a
 * time (the browser's file system has no recursive listing).
 */
const listFiles = (directory: string): Effect.Effect<Array<string>, Errors.FileSystemError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const files: Array<string> = []
    const walk = (relative: ReadonlyArray<string>): Effect.Effect<void, Errors.FileSystemError> =>
      Effect.gen(function*() {
        const here = path.join(directory, ...relative)
        const names = yield* fs.readDirectory(here).pipe(Effect.mapError(fileSystemError(here)))
        for (const name of names) {
          const info = yield* fs.stat(path.join(here, name)).pipe(Effect.mapError(fileSystemError(path.join(here, name))))
          if (info.type === "Directory") yield* walk([...relative, name])
          else if (info.type === "File") files.push([...relative, name].join("/"))
        }
      })
    if (yield* fs.exists(directory).pipe(Effect.mapError(fileSystemError(directory)))) yield* walk([])
    return files.sort()
  })

/**
 * Compares the files under `root` with a version's manifest (see {@link VerifyReport}).
 *
 * @since 0.1.0
 * @category downloads
 */
export const verify = (
  artifact: Artifact,
  root: string
): Effect.Effect<
  VerifyReport,
  Errors.ArtifactNotFound | Errors.UnsafeFileName | Errors.FileSystemError | Errors.ApiError,
  DownloadContext
> =>
  Effect.gen(function*() {
    const path = yield* Path.Path
    const entries = yield* plannedEntries(artifact, undefined)
    const files = new Set(yield* listFiles(root))
    const missing: Array<string> = []
    const changed: Array<string> = []
    for (const entry of entries) {
      if (entry.isReference) continue
      if (!files.has(entry.path)) {
        missing.push(entry.path)
        continue
      }
      const target = path.join(root, ...entry.path.split("/"))
      if (!(yield* matches(target, entry).pipe(Effect.mapError(fileSystemError(target))))) changed.push(entry.path)
    }
    const known = new Set(entries.map((entry) => entry.path))
    const extra = [...files].filter((file) => !known.has(file))
    return {
      missing,
      changed,
      extra,
      references: entries.filter((entry) => entry.isReference).map((entry) => entry.path),
      ok: missing.length === 0 && changed.length === 0 && extra.length === 0
    }
  }).pipe(Effect.withSpan("ArtifactDownload.verify", { attributes: { artifact: artifact.qualifiedName } }))
