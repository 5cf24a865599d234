/**
 * One file, downloaded atomically: name checked, no-clobber check, streamed to a temporary
 * file next to the target while hashed, verified, then renamed into place.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Path from "@effect/platform/Path"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import type { DownloadableFile, DownloadError, DownloadOptions } from "../Download.js"
import * as Errors from "../Errors.js"
import * as Hashing from "../Hashing.js"
import { WandbConfig } from "../WandbConfig.js"
import { attempts as lastAttempts, WandbHttpClient } from "../WandbHttpClient.js"
import { backoffMillis } from "./retry.js"

/** Callbacks through which `downloadAll` observes one download. @internal */
export interface ProgressHooks {
  /** The response arrived; `totalBytes` is the expected size when known. */
  readonly onStart: (totalBytes: number | undefined) => Effect.Effect<void>
  /** `bytes` more bytes of the body arrived (they reach the temporary file in blocks, all before the download ends). */
  readonly onBytes: (bytes: number) => Effect.Effect<void>
}

const silent: ProgressHooks = { onStart: () => Effect.void, onBytes: () => Effect.void }

/**
 * The path segments of a run file name, or `UnsafeFileName` when the name could escape the
 * download root or is ambiguous across platforms.
 *
 * @internal
 */
export const safeSegments = (name: string): Effect.Effect<ReadonlyArray<string>, Errors.UnsafeFileName> => {
  const refuse = (reason: string) => Effect.fail(new Errors.UnsafeFileName({ name, reason }))
  if (name.length === 0) return refuse("the name is empty")
  if (name.includes("\0")) return refuse("the name contains a NUL character")
  if (name.includes("\\")) return refuse("the name contains a backslash")
  if (name.startsWith("/")) return refuse("absolute paths are not allowed")
  if (/^[A-Za-z]:/.test(name)) return refuse("drive letters are not allowed")
  const segments = name.split("/")
  for (const segment of segments) {
    if (segment === "") return refuse("the name has an empty path segment")
    if (segment === "..") return refuse("'..' segments are not allowed")
    if (segment === ".") return refuse("'.' segments are not allowed")
  }
  return Effect.succeed(segments)
}

const fileSystemError = (path: string) => (error: PlatformError.PlatformError) =>
  new Errors.FileSystemError({ path, reason: error.message })

/** The `entity/project/run` of a `/files/{entity}/{project}/{run}/{name}` URL, else the URL's path. */
const runPathOf = (file: DownloadableFile): string => {
  if (file.runPath !== undefined) return file.runPath
  const match = /\/files\/([^/]+)\/([^/]+)\/([^/]+)\//.exec(file.url)
  return match === null ? file.url.replace(/[?#].*$/, "") : `${match[1]}/${match[2]}/${match[3]}`
}

/**
 * Maps a non-2xx download status to the core error classes, as the GraphQL transport does
 * (401 Unauthorized, 403 PermissionDenied, 429 RateLimited, other statuses ServerError), plus
 * 404 → FileNotFound.
 */
const statusError = (file: DownloadableFile, status: number, attempts: number): DownloadError => {
  const reason = `HTTP ${status} for ${file.name}`
  switch (status) {
    case 401:
      return new Errors.Unauthorized({ reason })
    case 403:
      return new Errors.PermissionDenied({ reason })
    case 404:
      return new Errors.FileNotFound({ runPath: runPathOf(file), name: file.name })
    case 429:
      return new Errors.RateLimited({ attempts, reason })
    default:
      return new Errors.ServerError({ status, attempts, reason })
  }
}

/** Attempts made by the last request through the transport (at least 1). */
const attemptsMade = Effect.map(lastAttempts, (n) => Math.max(1, n))

const requestError = (file: DownloadableFile, error: HttpClientError.HttpClientError, attempts: number): DownloadError =>
  error._tag === "ResponseError" && error.reason === "StatusCode"
    ? statusError(file, error.response.status, attempts)
    : new Errors.TransportError({
      attempts,
      reason: `${error.reason} error downloading ${file.name}: ${error.description ?? error._tag}`
    })

/**
 * The server's `sizeBytes` when positive (`0` means "unknown" in W&B).
 *
 * @internal
 */
export const knownSize = (file: DownloadableFile): number | undefined =>
  file.sizeBytes !== undefined && file.sizeBytes !== null && file.sizeBytes > 0 ? file.sizeBytes : undefined

/** Bytes per write: received chunks are gathered into one block of this size. */
const BLOCK_SIZE = 256 * 1024

/**
 * Passes `body` to `write` in blocks of {@link BLOCK_SIZE} bytes (the last one shorter) through
 * one reusable buffer: each received chunk is copied into the buffer and dropped at once, so the
 * runtime reclaims it young instead of keeping it alive until a write completes, and there is
 * one write per block rather than per chunk. Memory stays at one block whatever the file size;
 * while a block is written, the socket's own buffers hold what arrives. When `body` fails or the
 * effect is interrupted, the bytes received so far are written first (a resume continues right
 * after them). `write` must be done with the block when it completes.
 */
const inBlocks = <E, R, E2>(
  body: Stream.Stream<Uint8Array, E, R>,
  write: (block: Uint8Array) => Effect.Effect<void, E2>
): Effect.Effect<void, E | E2, R> => {
  const block = new Uint8Array(BLOCK_SIZE)
  let filled = 0
  const absorb = (chunk: Uint8Array, from: number): Effect.Effect<void, E2> => {
    const n = Math.min(chunk.length - from, BLOCK_SIZE - filled)
    block.set(n === chunk.length ? chunk : chunk.subarray(from, from + n), filled)
    filled += n
    if (filled < BLOCK_SIZE) return Effect.void
    filled = 0
    const next = from + n
    return next < chunk.length ? Effect.zipRight(write(block), Effect.suspend(() => absorb(chunk, next))) : write(block)
  }
  const rest = Effect.suspend(() => {
    const n = filled
    filled = 0
    return n === 0 ? Effect.void : write(block.subarray(0, n))
  })
  return Stream.runForEach(body, (chunk) => absorb(chunk, 0)).pipe(
    Effect.catchAll((error) => Effect.zipRight(rest, Effect.fail(error))),
    Effect.onInterrupt(() => Effect.ignore(rest)),
    Effect.zipRight(rest)
  )
}

/** Where a `206` answer starts (`Content-Range: bytes a-b/n`), if it says. */
const rangeStart = (header: string | undefined): number | undefined => {
  const match = header === undefined ? null : /^\s*bytes\s+(\d+)-/i.exec(header)
  return match === null ? undefined : Number(match[1])
}

/** The first `skip` bytes of `body` dropped (a resumed request the server answered from byte 0). */
const dropFirst = <E>(body: Stream.Stream<Uint8Array, E>, skip: number): Stream.Stream<Uint8Array, E> =>
  skip === 0 ? body : body.pipe(
    Stream.mapAccum(skip, (left, chunk) => [Math.max(0, left - chunk.length), chunk.subarray(Math.min(left, chunk.length))] as const),
    Stream.filter((chunk) => chunk.length > 0)
  )

/** The total size a `206` or `416` answer states (the `/n` ending `Content-Range`), if it says. */
const rangeTotal = (header: string | undefined): number | undefined => {
  const match = header === undefined ? null : /\/\s*(\d+)\s*$/.exec(header)
  return match === null ? undefined : Number(match[1])
}

const contentLength = (response: { readonly headers: Readonly<Record<string, string | undefined>> }) => {
  const header = response.headers["content-length"]
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined
}

/** Where a download starts: the bytes already in the temporary file and their digest so far. @internal */
export interface Resumed {
  readonly written: number
  readonly md5: Hashing.Hasher
}

/**
 * GETs the file and streams the body into `temp`, hashing what is written. Returns the byte
 * count and digest. A connection lost mid-body is resumed after the last byte written
 * (`Range: bytes={written}-`; a server answering `200` instead is read past what we have).
 *
 * Progress resets the retry budget: an attempt that received bytes is resumed at once and does
 * not count; only attempts in a row that received nothing (a stall) count against
 * `retry.maxAttempts`, with the configured backoff between them, and a stall ends when the next
 * wait would end more than `retry.maxRetryTime` after the last byte arrived. A `416` to a resume
 * (the server has nothing after the bytes we hold, e.g. its Content-Length was too long) ends the
 * body there when the md5, the known size or the stated total can settle it; `verify` then does.
 */
const fetchInto = (file: DownloadableFile, temp: string, hooks: ProgressHooks, from: Resumed) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const http = yield* WandbHttpClient
    const config = yield* Effect.serviceOption(WandbConfig)
    const clock = yield* Effect.clock
    const policy = Option.map(config, (config) => config.retry)
    let lastChunkAt = 0
    // A body that stalls longer than the per-request timeout counts as a lost connection. One
    // watchdog per response (not a timer per chunk, which costs more than the chunk itself).
    const stallLimit = <A, E, R>(consume: Effect.Effect<A, E, R>): Effect.Effect<A, E | string, R> =>
      Option.match(config, {
        onNone: () => consume,
        onSome: ({ timeout }) => {
          const limit = Duration.toMillis(timeout)
          const watchdog: Effect.Effect<never, string> = Effect.suspend(() => {
            const quiet = clock.unsafeCurrentTimeMillis() - lastChunkAt
            return quiet >= limit
              ? Effect.fail(`no data for ${Duration.format(timeout)}`)
              : Effect.zipRight(Effect.sleep(Duration.millis(limit - quiet)), watchdog)
          })
          return Effect.raceFirst<A, E | string, R, never, string, never>(consume, watchdog)
        }
      })
    const md5 = from.md5
    let written = from.written
    let expected: number | undefined
    // Uninterruptible, so that `written` and the digest always describe the file's bytes even
    // when the watchdog interrupts the body: a resume continues exactly after them.
    // The block is hashed while the thread pool writes it (both only read it); a failed write
    // fails the download, so a digest ahead of the file is never resumed from.
    const append = (file: FileSystem.File) => (block: Uint8Array) =>
      Effect.uninterruptible(Effect.zipLeft(
        file.writeAll(block),
        Effect.sync(() => md5.update(block)),
        { concurrent: true }
      ).pipe(Effect.tap(() => void (written += block.length))))
    const done = () => ({ received: written, md5: Hashing.digestBase64(md5) }) as const
    const maxAttempts = Option.match(policy, { onNone: () => 1, onSome: (p) => p.maxAttempts })
    /** Attempts in a row that received no byte, and since when nothing arrived. */
    let stalled = 0
    let stalledSince = clock.unsafeCurrentTimeMillis()
    for (let attempt = 1;; attempt++) {
      // the bytes as stored: the size, the MD5 and a resume's range all count those
      const request = HttpClientRequest.get(file.url).pipe(
        HttpClientRequest.setHeader("accept-encoding", "identity"),
        written === 0 ? (r) => r : HttpClientRequest.setHeader("range", `bytes=${written}-`)
      )
      const response = yield* http.execute(request).pipe(
        Effect.catchAll((error) => Effect.flip(Effect.map(attemptsMade, (n) => requestError(file, error, n))))
      )
      if (response.status === 416 && written > 0) {
        const total = rangeTotal(response.headers["content-range"])
        const settled = nonEmpty(file.md5) || knownSize(file) === written || total === written
        yield* Effect.ignore(response.text)
        if (settled) return done()
      }
      if (response.status < 200 || response.status >= 300) {
        return yield* Effect.flip(Effect.map(attemptsMade, (n) => statusError(file, response.status, n)))
      }
      const resumedAt = response.status === 206 ? rangeStart(response.headers["content-range"]) : 0
      if (resumedAt === undefined || resumedAt > written) {
        return yield* new Errors.TransportError({
          attempts: attempt,
          reason: `resuming ${file.name} at byte ${written}: unexpected Content-Range ${response.headers["content-range"]}`
        })
      }
      const length = contentLength(response)
      const total = response.status === 206
        ? rangeTotal(response.headers["content-range"]) ?? (length === undefined ? undefined : resumedAt + length)
        : length
      if (attempt === 1) {
        yield* hooks.onStart(knownSize(file) ?? total)
        if (written > 0) yield* hooks.onBytes(written)
      }
      if (total !== undefined) expected = total
      lastChunkAt = clock.unsafeCurrentTimeMillis()
      const body = dropFirst(response.stream, written - resumedAt).pipe(
        Stream.mapError((error) => error.description ?? error.reason),
        Stream.tap((chunk) => {
          lastChunkAt = clock.unsafeCurrentTimeMillis()
          return hooks.onBytes(chunk.length)
        })
      )
      const before = written
      const outcome = yield* fs.open(temp, { flag: written === 0 ? "w" : "a" }).pipe(
        Effect.flatMap((file) => inBlocks(body, append(file))),
        Effect.scoped,
        Effect.mapError((error) => typeof error === "string" ? error : fileSystemError(temp)(error)),
        stallLimit,
        Effect.either
      )
      if (Either.isLeft(outcome) && typeof outcome.left !== "string") return yield* outcome.left
      const lost = Either.isLeft(outcome) ? outcome.left : undefined
      if (lost === undefined && (expected === undefined || written >= expected)) return done()
      const now = clock.unsafeCurrentTimeMillis()
      if (written > before) {
        // progress: the budget starts again, and the resume goes out at once
        stalled = 0
        stalledSince = now
        continue
      }
      stalled++
      const reason = (lost === undefined
        ? `body of ${file.name} truncated after ${written} of ${expected} bytes`
        : `connection lost after ${written} bytes of ${file.name}: ${lost}`) +
        `; no progress in ${stalled} attempt(s)`
      if (stalled >= maxAttempts || Option.isNone(policy)) {
        return yield* new Errors.TransportError({ attempts: attempt, reason })
      }
      const wait = yield* backoffMillis(policy.value, stalled)
      if (now + wait - stalledSince > Duration.toMillis(policy.value.maxRetryTime)) {
        return yield* new Errors.TransportError({
          attempts: attempt,
          reason: `${reason} within ${Duration.format(policy.value.maxRetryTime)}`
        })
      }
      yield* Effect.sleep(Duration.millis(wait))
    }
  })

const nonEmpty = (md5: string | null | undefined): md5 is string => md5 !== undefined && md5 !== null && md5 !== ""

const verify = (file: DownloadableFile, received: number, md5: string) => {
  const size = knownSize(file)
  if (size !== undefined && size !== received) {
    return Effect.fail(
      new Errors.ChecksumMismatch({ name: file.name, expected: `${size} bytes`, actual: `${received} bytes` })
    )
  }
  if (nonEmpty(file.md5) && file.md5 !== md5) {
    return Effect.fail(new Errors.ChecksumMismatch({ name: file.name, expected: file.md5, actual: md5 }))
  }
  return Effect.void
}

/**
 * `undefined` when `url` is one a download may fetch: `http:`/`https:`, or a path on the base
 * URL (`/files/…`); otherwise why not.
 */
const unsupportedUrl = (url: string): string | undefined => {
  if (url.startsWith("/") && !url.startsWith("//")) return undefined
  let protocol: string
  try {
    protocol = new URL(url).protocol
  } catch {
    return "not a valid URL"
  }
  return protocol === "http:" || protocol === "https:"
    ? undefined
    : `unsupported URL scheme ${JSON.stringify(protocol)} (only http and https are fetched)`
}

/**
 * A `.part` file untouched for this long is left over by a download that is no longer running
 * (a live download touches its own every {@link TOUCH_EVERY}): it may be reused or removed.
 */
const STALE_AFTER_MS = 30_000
const TOUCH_EVERY = Duration.seconds(5)

/** The file a temporary file `.{base}.{random}.part` belongs to (`base`), else `undefined`. */
const partBase = (entry: string): string | undefined => {
  const match = /^\.(.+)\.[0-9a-z]+\.part$/.exec(entry)
  return match === null ? undefined : match[1]
}

/**
 * The temporary files in one directory, by the name of the file each belongs to.
 *
 * @internal
 */
export type PartsByBase = ReadonlyMap<string, ReadonlyArray<string>>

/**
 * Reads `directory` and groups the temporary files in it by the file they belong to.
 *
 * @internal
 */
export const readParts = (directory: string): Effect.Effect<PartsByBase, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.map(Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(directory)), (entries) => {
    const parts = new Map<string, Array<string>>()
    for (const entry of entries) {
      const base = partBase(entry)
      if (base === undefined) continue
      const found = parts.get(base)
      if (found === undefined) parts.set(base, [entry])
      else found.push(entry)
    }
    return parts
  })

/**
 * How a download finds the temporary files left in a directory: {@link readParts} for a single
 * download; `downloadAll` reads each directory once for all its files.
 *
 * @internal
 */
export type PartLister = typeof readParts

const fresh: Effect.Effect<Resumed, never, Hashing.Hashing> = Effect.map(Hashing.Hashing, (hashing) => ({ written: 0, md5: hashing.md5() }))

/**
 * Takes over the largest stale `.part` of `base` in `directory` (renamed to `temp`, its bytes
 * hashed, so the download resumes after them; the final md5 check tells whether they were a
 * prefix of the file) and removes the other stale ones. Nothing stale, or any file-system
 * failure: a fresh start. Parts touched recently may belong to a live download and are left alone.
 * A part's age is its modification time's distance from the `Clock`'s present.
 */
const reuseStaleParts = (
  directory: string,
  base: string,
  temp: string,
  size: number | undefined,
  listParts: PartLister
) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const now = yield* Clock.currentTimeMillis
    const entries = (yield* listParts(directory)).get(base) ?? []
    const stale: Array<{ readonly path: string; readonly size: number }> = []
    for (const entry of entries) {
      const full = path.join(directory, entry)
      const info = yield* Effect.option(fs.stat(full))
      if (Option.isNone(info) || info.value.type !== "File") continue
      const modified = Option.getOrElse(Option.map(info.value.mtime, (date) => date.getTime()), () => now)
      if (now - modified >= STALE_AFTER_MS) stale.push({ path: full, size: Number(info.value.size) })
    }
    stale.sort((a, b) => b.size - a.size)
    const best = stale.find((part) => part.size > 0 && (size === undefined || part.size <= size))
    for (const part of stale) if (part !== best) yield* Effect.ignore(fs.remove(part.path))
    if (best === undefined) return yield* fresh
    yield* fs.rename(best.path, temp)
    const md5 = (yield* Hashing.Hashing).md5()
    let written = 0
    yield* Stream.runForEach(fs.stream(temp), (chunk) =>
      Effect.sync(() => {
        md5.update(chunk)
        written += chunk.length
      }))
    return { written, md5 } satisfies Resumed
  }).pipe(
    Effect.catchAll(() => Effect.zipRight(Effect.ignore(FileSystem.FileSystem.pipe(Effect.flatMap((fs) => fs.remove(temp)))), fresh))
  )

/**
 * Downloads one file (see `Download.download` for the rules), reporting progress to `hooks`.
 *
 * @internal
 */
export const downloadFile = (
  file: DownloadableFile,
  options: DownloadOptions = {},
  hooks: ProgressHooks = silent,
  listParts: PartLister = readParts
) =>
  Effect.gen(function*() {
    const segments = yield* safeSegments(file.name)
    const badUrl = unsupportedUrl(file.url)
    if (badUrl !== undefined) {
      return yield* new Errors.DecodeError({ entity: `file ${file.name}`, field: "url", reason: badUrl })
    }
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const target = path.join(options.root ?? ".", ...segments)
    const exists = fs.exists(target).pipe(Effect.mapError(fileSystemError(target)))
    const refuseExisting = Effect.if(exists, {
      onTrue: () => Effect.fail(new Errors.FileAlreadyExists({ path: target })),
      onFalse: () => Effect.void
    })
    if (options.replace !== true) yield* refuseExisting
    const directory = path.dirname(target)
    yield* fs.makeDirectory(directory, { recursive: true }).pipe(Effect.mapError(fileSystemError(directory)))
    const suffix = (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36) +
      (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    const base = path.basename(target)
    const temp = path.join(directory, `.${base}.${suffix}.part`)
    // Tells other downloads of this name that the temporary file is in use (see STALE_AFTER_MS).
    const touch = Effect.suspend(() => {
      const now = new Date()
      return Effect.ignore(fs.utimes(temp, now, now))
    })
    return yield* Effect.gen(function*() {
      yield* Effect.forkScoped(Effect.forever(Effect.delay(touch, TOUCH_EVERY)))
      const reused = yield* reuseStaleParts(directory, base, temp, knownSize(file), listParts)
      const first = yield* fetchInto(file, temp, hooks, reused)
      const checked = yield* Effect.either(verify(file, first.received, first.md5))
      if (Either.isLeft(checked)) {
        if (reused.written === 0) return yield* checked.left
        // the reused bytes were not a prefix of this file: fetch it again from the start
        yield* hooks.onBytes(-first.received)
        const again = yield* fetchInto(file, temp, silentStart(hooks), yield* fresh)
        yield* verify(file, again.received, again.md5)
      }
      // Someone may have created the target while we were downloading.
      if (options.replace !== true) yield* refuseExisting
      yield* fs.rename(temp, target).pipe(Effect.mapError(fileSystemError(target)))
      return target
    }).pipe(Effect.scoped, Effect.onError(() => Effect.ignore(fs.remove(temp))))
  })

/** `hooks` without a second `onStart` (a file fetched again after a reused part failed its check). */
const silentStart = (hooks: ProgressHooks): ProgressHooks => ({ ...hooks, onStart: () => Effect.void })
