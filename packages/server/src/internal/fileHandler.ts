/**
 * `GET /files/{entity}/{project}/{run}/{name…}`: streams a run file's bytes chunk by chunk from
 * `file_chunks`, with `Content-Length`, `Content-Type` (the file's mimetype), `Accept-Ranges` and
 * single-range `Range` support (`bytes=a-b`, `a-`, `-n` → 206 + `Content-Range`; unsatisfiable →
 * 416). Malformed or multi-range headers are ignored (full 200 answer), as RFC 9110 allows.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { FILE_CHUNK_SIZE } from "./ddl.js"
import * as Responses from "./responses.js"

/** A file about to be served. @internal */
export interface ServedFile {
  readonly entity: string
  readonly project: string
  readonly run: string
  readonly name: string
  readonly sizeBytes: number
}

/** Rewrites the body of a served file (fault-injection seam: corrupt or truncate it). @internal */
export type FileBodyTransform = (
  file: ServedFile,
  body: Stream.Stream<Uint8Array, SqlError>
) => Stream.Stream<Uint8Array, SqlError>

interface FileRow {
  readonly id: number
  readonly size_bytes: number
  readonly mimetype: string | null
  readonly md5: string
}

/** The inclusive byte range to send, `"unsatisfiable"`, or `undefined` for the whole file. */
const parseRange = (
  header: string | undefined,
  size: number
): { readonly start: number; readonly end: number } | "unsatisfiable" | undefined => {
  if (header === undefined) return undefined
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (match === null) return undefined
  const [, first, last] = match as unknown as [string, string, string]
  if (first === "" && last === "") return undefined
  if (first === "") {
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return "unsatisfiable"
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1)
  if (last !== "" && Number(last) < start) return undefined
  if (start >= size) return "unsatisfiable"
  return { start, end }
}

/** Reads chunk `idx` (`FILE_CHUNK_SIZE` bytes, the last one shorter) of stored bytes. @internal */
export type ChunkReader = (idx: number) => Effect.Effect<Uint8Array | undefined, SqlError>

/** Bytes `start..end` (inclusive), reading only the chunks that hold them. */
const chunkStream = (readChunk: ChunkReader, start: number, end: number): Stream.Stream<Uint8Array, SqlError> =>
  Stream.range(Math.floor(start / FILE_CHUNK_SIZE), Math.floor(end / FILE_CHUNK_SIZE)).pipe(
    Stream.mapEffect((idx) =>
      Effect.map(readChunk(idx), (chunk) => {
        const data = chunk ?? new Uint8Array(0)
        const base = idx * FILE_CHUNK_SIZE
        return data.subarray(Math.max(0, start - base), Math.min(data.length, end - base + 1))
      })
    )
  )

/**
 * A transformed body that ends early or fails cuts the connection (instead of leaving the
 * client waiting for the bytes `Content-Length` promised), as a real broken download would.
 */
const cutShortBodies = (
  request: HttpServerRequest.HttpServerRequest,
  body: Stream.Stream<Uint8Array, SqlError>,
  length: number
): Stream.Stream<Uint8Array, SqlError> => {
  let sent = 0
  return body.pipe(
    Stream.tap((chunk) => Effect.sync(() => (sent += chunk.length))),
    Stream.ensuring(Effect.sync(() => {
      if (sent !== length) NodeHttpServerRequest.toServerResponse(request).destroy()
    }))
  )
}

/** `/files/a/b/c/d/e` → ["a","b","c","d/e"] decoded; undefined when malformed or too short. */
const fileCoordinates = (url: string): ReadonlyArray<string> | undefined => {
  const path = url.split("?")[0]!
  const segments = path.split("/").slice(2)
  if (segments.length < 4) return undefined
  try {
    const decoded = segments.map(decodeURIComponent)
    return [decoded[0]!, decoded[1]!, decoded[2]!, decoded.slice(3).join("/")]
  } catch {
    return undefined
  }
}

/**
 * Answers a file request (`request.url` starts with `/files/`).
 *
 * @internal
 */
export const fileHandler = (
  request: HttpServerRequest.HttpServerRequest,
  transform: FileBodyTransform | undefined
): Effect.Effect<HttpServerResponse.HttpServerResponse, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const coordinates = fileCoordinates(request.url)
    if (coordinates === undefined || coordinates[3] === "") return Responses.error(404, "file not found")
    const [entity, project, run, name] = coordinates as [string, string, string, string]
    const sql = yield* SqlClient.SqlClient
    const [file] = yield* sql.unsafe<FileRow>(
      `SELECT f.id, f.size_bytes, f.mimetype, f.md5 FROM files f
       JOIN runs r ON r.id = f.run_id JOIN projects p ON p.id = r.project_id JOIN entities e ON e.id = p.entity_id
       WHERE e.name = ? AND p.name = ? AND r.name = ? AND f.name = ?`,
      [entity, project, run, name]
    )
    if (file === undefined) return Responses.error(404, `file not found: ${entity}/${project}/${run}/${name}`)
    const readChunk: ChunkReader = (idx) =>
      Effect.map(
        sql.unsafe<{ data: Uint8Array }>("SELECT data FROM file_chunks WHERE file_id = ? AND idx = ?", [file.id, idx]),
        (rows) => rows[0]?.data
      )
    return serveStored(request, {
      size: file.size_bytes,
      md5: file.md5,
      mimetype: file.mimetype,
      readChunk
    }, { entity, project, run, name, sizeBytes: file.size_bytes }, transform)
  })

/** Stored bytes to serve: their size, base64 MD5, type and chunks. @internal */
export interface StoredBytes {
  readonly size: number
  readonly md5: string
  readonly mimetype: string | null
  readonly readChunk: ChunkReader
}

/**
 * Answers a GET of stored bytes: the whole body (200) or one `Range` (206 / 416), with
 * `Content-Length`, `Accept-Ranges` and `x-wandb-md5`; `transform` may rewrite the body.
 *
 * @internal
 */
export const serveStored = (
  request: HttpServerRequest.HttpServerRequest,
  stored: StoredBytes,
  served: ServedFile,
  transform: FileBodyTransform | undefined
): HttpServerResponse.HttpServerResponse => {
    const size = stored.size
    const range = parseRange(request.headers["range"], size)
    const common = { "accept-ranges": "bytes", "x-wandb-md5": stored.md5 }
    if (range === "unsatisfiable") {
      return Responses.error(416, `range not satisfiable for a file of ${size} bytes`, {
        ...common,
        "content-range": `bytes */${size}`
      })
    }
    const start = range?.start ?? 0
    const end = range?.end ?? size - 1
    const length = size === 0 ? 0 : end - start + 1
    const raw = length === 0 ? Stream.empty : chunkStream(stored.readChunk, start, end)
    const body = transform === undefined ? raw : cutShortBodies(request, transform(served, raw), length)
    return HttpServerResponse.stream(body, {
      status: range === undefined ? 200 : 206,
      contentType: stored.mimetype ?? "application/octet-stream",
      contentLength: length,
      headers: range === undefined ? common : { ...common, "content-range": `bytes ${start}-${end}/${size}` }
    })
}
