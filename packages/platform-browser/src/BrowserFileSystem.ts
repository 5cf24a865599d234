/**
 * A `FileSystem` on the browser's Origin Private File System (OPFS), so `Download.download`
 * works in a page. Paths are `/`-separated and resolved against the OPFS root (`a/b`, `/a/b`
 * and `./a/b` are the same file; `..` may not climb above the root).
 *
 * Supported: `access`, `exists`, `stat`, `makeDirectory` (with `recursive`), `open` (flags
 * `r`, `w`, `wx`, `a`, `ax`), `sink`, `stream`, `readFile`, `readFileString`, `writeFile`,
 * `writeFileString`, `readDirectory` (not recursive), `copyFile`, `rename` (a file handle's `move()` where the
 * browser has it, else copy + remove) and `remove`. Writes go through a
 * `FileSystemWritableFileStream`: they become visible when the file is closed and are thrown
 * away if the scope that opened it fails or is interrupted. Every other method fails with a
 * `BadArgument` saying it is not supported.
 *
 * @since 0.1.0
 */
import * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** The parts of the OPFS handles used here that TypeScript's DOM lib does not declare. */
interface MovableFileHandle extends FileSystemFileHandle {
  readonly move?: (destination: FileSystemDirectoryHandle, name: string) => Promise<void>
}
interface IterableDirectoryHandle extends FileSystemDirectoryHandle {
  readonly keys: () => AsyncIterableIterator<string>
}

type Handle =
  | { readonly kind: "file"; readonly handle: FileSystemFileHandle }
  | { readonly kind: "directory"; readonly handle: FileSystemDirectoryHandle }

const reasonOf = (cause: unknown): PlatformError.SystemErrorReason => {
  switch (cause instanceof Error ? cause.name : "") {
    case "NotFoundError":
      return "NotFound"
    case "TypeMismatchError":
      return "BadResource"
    case "InvalidModificationError":
      return "AlreadyExists"
    case "NoModificationAllowedError":
      return "Busy"
    case "NotAllowedError":
    case "SecurityError":
      return "PermissionDenied"
    case "QuotaExceededError":
      return "WriteZero"
    default:
      return "Unknown"
  }
}

const systemError = (method: string, path: string, reason: PlatformError.SystemErrorReason, description: string) =>
  new PlatformError.SystemError({ module: "FileSystem", method, reason, pathOrDescriptor: path, description })

const badArgument = (method: string, description: string) =>
  new PlatformError.BadArgument({ module: "FileSystem", method, description })

/** Runs an OPFS promise, turning a rejection into a `SystemError` (or passing a `PlatformError` through). */
const attempt = <A>(method: string, path: string, f: () => Promise<A>): Effect.Effect<A, PlatformError.PlatformError> =>
  Effect.tryPromise({
    try: f,
    catch: (cause) =>
      PlatformError.isPlatformError(cause)
        ? cause
        : systemError(method, path, reasonOf(cause), cause instanceof Error ? cause.message : String(cause))
  })

/** Splits a path into segments under the OPFS root. */
const segmentsOf = (method: string, path: string): Effect.Effect<ReadonlyArray<string>, PlatformError.BadArgument> => {
  const out: Array<string> = []
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue
    if (segment === "..") {
      if (out.length === 0) return Effect.fail(badArgument(method, `${path} climbs above the OPFS root`))
      out.pop()
    } else {
      out.push(segment)
    }
  }
  return Effect.succeed(out)
}

const root = (): Promise<FileSystemDirectoryHandle> => navigator.storage.getDirectory()

const walk = async (segments: ReadonlyArray<string>, create: boolean): Promise<FileSystemDirectoryHandle> => {
  let directory = await root()
  for (const segment of segments) directory = await directory.getDirectoryHandle(segment, { create })
  return directory
}

/** The directory holding `path` and the entry's name in it. */
const locate = (method: string, path: string) =>
  Effect.flatMap(segmentsOf(method, path), (segments) =>
    segments.length === 0
      ? Effect.fail(badArgument(method, `${JSON.stringify(path)} is the OPFS root`))
      : attempt(method, path, async () => ({
        parent: await walk(segments.slice(0, -1), false),
        name: segments[segments.length - 1]!
      })))

const handleOf = (method: string, path: string): Effect.Effect<Handle, PlatformError.PlatformError> =>
  Effect.flatMap(segmentsOf(method, path), (segments) =>
    attempt(method, path, async (): Promise<Handle> => {
      if (segments.length === 0) return { kind: "directory", handle: await root() }
      const parent = await walk(segments.slice(0, -1), false)
      const name = segments[segments.length - 1]!
      try {
        return { kind: "file", handle: await parent.getFileHandle(name) }
      } catch (cause) {
        if (cause instanceof Error && cause.name === "TypeMismatchError") {
          return { kind: "directory", handle: await parent.getDirectoryHandle(name) }
        }
        throw cause
      }
    }))

const fileHandleOf = (method: string, path: string) =>
  Effect.flatMap(handleOf(method, path), (entry) =>
    entry.kind === "file"
      ? Effect.succeed(entry.handle)
      : Effect.fail(systemError(method, path, "BadResource", "is a directory")))

const info = (type: FileSystem.File.Type, size: number, mtime: Option.Option<Date>): FileSystem.File.Info => ({
  type,
  mtime,
  atime: Option.none(),
  birthtime: Option.none(),
  dev: 0,
  ino: Option.none(),
  mode: type === "Directory" ? 0o755 : 0o644,
  nlink: Option.none(),
  uid: Option.none(),
  gid: Option.none(),
  rdev: Option.none(),
  size: FileSystem.Size(size),
  blksize: Option.none(),
  blocks: Option.none()
})

const stat = (path: string): Effect.Effect<FileSystem.File.Info, PlatformError.PlatformError> =>
  Effect.flatMap(handleOf("stat", path), (entry) =>
    entry.kind === "directory"
      ? Effect.succeed(info("Directory", 0, Option.none()))
      : attempt("stat", path, async () => {
        const file = await entry.handle.getFile()
        return info("File", file.size, Option.some(new Date(file.lastModified)))
      }))

let nextDescriptor = 1

/** A file opened for reading: a snapshot `Blob` read at a moving position. */
const reader = (path: string, blob: Blob): FileSystem.File => {
  let position = 0
  const readAt = (size: number) =>
    attempt("read", path, async () => new Uint8Array(await blob.slice(position, position + size).arrayBuffer())).pipe(
      Effect.tap((bytes) => Effect.sync(() => (position += bytes.length)))
    )
  const writeNotAllowed = Effect.fail(badArgument("write", `${path} is open for reading`))
  return {
    [FileSystem.FileTypeId]: FileSystem.FileTypeId,
    fd: FileSystem.FileDescriptor(nextDescriptor++),
    stat: Effect.succeed(info("File", blob.size, Option.none())),
    seek: (offset, from) => Effect.sync(() => (position = (from === "start" ? 0 : position) + Number(offset))),
    sync: Effect.void,
    read: (buffer) =>
      Effect.map(readAt(buffer.length), (bytes) => {
        buffer.set(bytes)
        return FileSystem.Size(bytes.length)
      }),
    readAlloc: (size) =>
      Effect.map(readAt(Number(size)), (bytes) => (bytes.length === 0 ? Option.none() : Option.some(bytes))),
    truncate: () => writeNotAllowed,
    write: () => writeNotAllowed,
    writeAll: () => writeNotAllowed
  }
}

/** A file opened for writing through a writable stream (committed on close). */
const writer = (path: string, writable: FileSystemWritableFileStream, start: number): FileSystem.File => {
  let position = start
  let size = start
  const write = (buffer: Uint8Array) =>
    attempt("write", path, () => writable.write({ type: "write", position, data: buffer as Uint8Array<ArrayBuffer> })).pipe(
      Effect.tap(() =>
        Effect.sync(() => {
          position += buffer.length
          size = Math.max(size, position)
        })
      )
    )
  const readNotAllowed = Effect.fail(badArgument("read", `${path} is open for writing`))
  return {
    [FileSystem.FileTypeId]: FileSystem.FileTypeId,
    fd: FileSystem.FileDescriptor(nextDescriptor++),
    stat: Effect.sync(() => info("File", size, Option.none())),
    seek: (offset, from) => Effect.sync(() => (position = (from === "start" ? 0 : position) + Number(offset))),
    sync: Effect.void,
    read: () => readNotAllowed,
    readAlloc: () => readNotAllowed,
    truncate: (length) =>
      attempt("truncate", path, () => writable.truncate(Number(length ?? 0))).pipe(
        Effect.tap(() => Effect.sync(() => (size = Number(length ?? 0))))
      ),
    write: (buffer) => Effect.as(write(buffer), FileSystem.Size(buffer.length)),
    writeAll: (buffer) => write(buffer)
  }
}

const open = (path: string, options?: FileSystem.OpenFileOptions) => {
  const flag = options?.flag ?? "r"
  if (flag === "r") {
    return Effect.flatMap(
      fileHandleOf("open", path),
      (handle) => attempt("open", path, async () => reader(path, await handle.getFile()))
    )
  }
  if (flag !== "w" && flag !== "wx" && flag !== "a" && flag !== "ax") {
    return Effect.fail(badArgument("open", `flag ${flag} is not supported by the OPFS FileSystem`))
  }
  return Effect.gen(function*() {
    const { name, parent } = yield* locate("open", path)
    if (flag.endsWith("x")) {
      const taken = yield* attempt("open", path, () => parent.getFileHandle(name)).pipe(
        Effect.as(true),
        Effect.catchIf((e) => e._tag === "SystemError" && e.reason === "NotFound", () => Effect.succeed(false))
      )
      if (taken) return yield* Effect.fail(systemError("open", path, "AlreadyExists", "file already exists"))
    }
    const append = flag.startsWith("a")
    return yield* Effect.acquireRelease(
      attempt("open", path, async () => {
        const handle = await parent.getFileHandle(name, { create: true })
        const start = append ? (await handle.getFile()).size : 0
        return { writable: await handle.createWritable({ keepExistingData: append }), start }
      }),
      ({ writable }, exit) => Effect.promise(() => (Exit.isSuccess(exit) ? writable.close() : writable.abort()))
    ).pipe(Effect.map(({ start, writable }) => writer(path, writable, start)))
  })
}

const readFile = (path: string) =>
  Effect.flatMap(
    fileHandleOf("readFile", path),
    (handle) => attempt("readFile", path, async () => new Uint8Array(await (await handle.getFile()).arrayBuffer()))
  )

const writeFile = (path: string, data: Uint8Array, options?: FileSystem.WriteFileOptions) =>
  Effect.scoped(Effect.flatMap(open(path, { flag: options?.flag ?? "w" }), (file) => file.writeAll(data)))

const makeDirectory = (path: string, options?: FileSystem.MakeDirectoryOptions) =>
  Effect.flatMap(segmentsOf("makeDirectory", path), (segments) =>
    options?.recursive === true
      ? attempt("makeDirectory", path, () => walk(segments, true)).pipe(Effect.asVoid)
      : Effect.flatMap(locate("makeDirectory", path), ({ name, parent }) =>
        attempt("makeDirectory", path, async () => {
          const existing = await parent.getDirectoryHandle(name).then(() => true, () => false)
          if (existing) throw systemError("makeDirectory", path, "AlreadyExists", "directory already exists")
          await parent.getDirectoryHandle(name, { create: true })
        })))

const remove = (path: string, options?: FileSystem.RemoveOptions) =>
  Effect.flatMap(locate("remove", path), ({ name, parent }) =>
    attempt("remove", path, () => parent.removeEntry(name, { recursive: options?.recursive === true }))).pipe(
      Effect.catchIf(
        (e) => options?.force === true && e._tag === "SystemError" && e.reason === "NotFound",
        () => Effect.void
      )
    )

const copyFile = (fromPath: string, toPath: string) =>
  Effect.flatMap(fileHandleOf("copyFile", fromPath), (source) =>
    Effect.scoped(
      Effect.gen(function*() {
        const target = yield* open(toPath, { flag: "w" })
        const blob = yield* attempt("copyFile", fromPath, () => source.getFile())
        const chunk = 1024 * 1024
        for (let offset = 0; offset < blob.size; offset += chunk) {
          const bytes = yield* attempt("copyFile", fromPath, async () =>
            new Uint8Array(await blob.slice(offset, offset + chunk).arrayBuffer()))
          yield* target.writeAll(bytes)
        }
      })
    ))

const rename = (oldPath: string, newPath: string) =>
  Effect.gen(function*() {
    const source: MovableFileHandle = yield* fileHandleOf("rename", oldPath)
    const { name, parent } = yield* locate("rename", newPath)
    const move = source.move
    if (move === undefined) {
      yield* copyFile(oldPath, newPath)
      return yield* remove(oldPath)
    }
    const moveInto = attempt("rename", newPath, () => move.call(source, parent, name))
    // Browsers that refuse to move onto an existing file: drop the old target, then move.
    yield* moveInto.pipe(
      Effect.catchIf(
        (e) => e._tag === "SystemError" && e.reason === "AlreadyExists",
        (error) =>
          Effect.flatMap(
            attempt("rename", newPath, () => parent.getFileHandle(name)).pipe(Effect.option),
            Option.match({
              onNone: () => Effect.fail(error),
              onSome: () => Effect.zipRight(remove(newPath), moveInto)
            })
          )
      )
    )
  })

const notSupported = (method: string) =>
  badArgument(method, `${method} is not supported by the browser (OPFS) FileSystem`)

const readDirectory = (path: string, options?: FileSystem.ReadDirectoryOptions) => {
  if (options?.recursive === true) {
    return Effect.fail(badArgument("readDirectory", "recursive listing is not supported by the browser (OPFS) FileSystem"))
  }
  return Effect.flatMap(handleOf("readDirectory", path), (entry) =>
    entry.kind === "file"
      ? Effect.fail(systemError("readDirectory", path, "BadResource", "not a directory"))
      : attempt("readDirectory", path, async () => {
        const names: Array<string> = []
        for await (const name of (entry.handle as IterableDirectoryHandle).keys()) names.push(name)
        return names.sort()
      }))
}

const unsupported = (method: string) => () => Effect.fail(notSupported(method))

/**
 * The OPFS-backed `FileSystem` service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): FileSystem.FileSystem =>
  FileSystem.make({
    access: (path) => Effect.asVoid(handleOf("access", path)),
    copy: unsupported("copy"),
    copyFile,
    chmod: unsupported("chmod"),
    chown: unsupported("chown"),
    link: unsupported("link"),
    makeDirectory,
    makeTempDirectory: unsupported("makeTempDirectory"),
    makeTempDirectoryScoped: unsupported("makeTempDirectoryScoped"),
    makeTempFile: unsupported("makeTempFile"),
    makeTempFileScoped: unsupported("makeTempFileScoped"),
    open,
    readDirectory,
    readFile,
    readLink: unsupported("readLink"),
    realPath: unsupported("realPath"),
    remove,
    rename,
    stat,
    symlink: unsupported("symlink"),
    truncate: unsupported("truncate"),
    utimes: unsupported("utimes"),
    watch: () => Stream.fail(notSupported("watch")),
    writeFile
  })

/**
 * Provides `FileSystem` backed by the Origin Private File System
 * (`navigator.storage.getDirectory()`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<FileSystem.FileSystem> = Layer.sync(FileSystem.FileSystem, make)
