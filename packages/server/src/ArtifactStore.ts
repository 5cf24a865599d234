/**
 * Writing artifacts into the local server's database: a new version of a collection with its
 * files, aliases, metadata, the run that logged it and the runs that used it. The demo data
 * and tests use it; the GraphQL API only reads artifacts.
 *
 * A version's `digest` is computed as W&B's manifest v1 digest: the hex MD5 of
 * `wandb-artifact-manifest-v1\n` followed by `{path}:{digest}\n` for every entry in path order.
 * File contents are stored once per entity and MD5 (versions sharing a file share its bytes).
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { createHash } from "node:crypto"
import type { FileContent } from "./DemoData.js"
import { FILE_CHUNK_SIZE } from "./internal/ddl.js"
import { nowTimestamp } from "./internal/ids.js"

/**
 * One manifest entry: stored bytes (`content`), or a reference to external storage (`ref`,
 * with the digest and size the reference has; nothing is stored).
 *
 * @since 0.1.0
 * @category models
 */
export type ArtifactFileSpec =
  | { readonly path: string; readonly content: FileContent; readonly mimetype?: string | undefined }
  | { readonly path: string; readonly ref: string; readonly digest: string; readonly size?: number | undefined }

/**
 * A new version of collection `collection` (of artifact type `type`) in `entity/project`. The
 * type and collection are created when missing. `aliases` are moved onto the new version
 * (`latest` always is). `createdBy` and `usedBy` name runs of the project by id.
 *
 * @since 0.1.0
 * @category models
 */
export interface ArtifactSpec {
  readonly entity: string
  readonly project: string
  readonly type: string
  readonly collection: string
  readonly description?: string | null | undefined
  readonly metadata?: Record<string, unknown> | undefined
  readonly aliases?: ReadonlyArray<string> | undefined
  readonly files: ReadonlyArray<ArtifactFileSpec>
  readonly createdBy?: string | undefined
  readonly usedBy?: ReadonlyArray<string> | undefined
  /** ISO-8601 UTC without zone (`2024-06-01T10:00:03`); default now. */
  readonly createdAt?: string | undefined
}

/**
 * What {@link putArtifact} wrote: the row id, the version index and the manifest digest.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredArtifact {
  readonly id: number
  readonly versionIndex: number
  readonly digest: string
  readonly size: number
}

const fail = (message: string) => Effect.fail(new SqlError({ message }))

const toBuffer = (bytes: Uint8Array): Uint8Array =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** The content as a size and a chunk reader. */
const source = (content: FileContent) => {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
  return bytes instanceof Uint8Array
    ? { size: bytes.byteLength, chunk: (offset: number, length: number) => bytes.subarray(offset, offset + length) }
    : bytes
}

/**
 * The manifest v1 digest of entries (hex MD5 over the sorted `path:digest` lines).
 *
 * @since 0.1.0
 * @category digests
 */
export const manifestDigest = (entries: ReadonlyArray<{ readonly path: string; readonly digest: string }>): string => {
  const hash = createHash("md5").update("wandb-artifact-manifest-v1\n")
  for (const entry of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${entry.path}:${entry.digest}\n`)
  }
  return hash.digest("hex")
}

/** Stores `content` for the entity unless a blob of the same MD5 is there; returns its id and digest. */
const storeBlob = (entityId: number, path: string, content: FileContent) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const { size, chunk } = source(content)
    if (!Number.isSafeInteger(size) || size < 0) return yield* fail(`putArtifact: invalid size ${size} for ${path}`)
    const hash = createHash("md5")
    for (let offset = 0; offset < size; offset += FILE_CHUNK_SIZE) {
      const length = Math.min(FILE_CHUNK_SIZE, size - offset)
      const bytes = chunk(offset, length)
      if (bytes.byteLength !== length) {
        return yield* fail(`putArtifact: generator gave ${bytes.byteLength} bytes at offset ${offset} of ${path}`)
      }
      hash.update(bytes)
    }
    const md5 = hash.digest("base64")
    const [existing] = yield* sql<{ id: number }>`SELECT id FROM artifact_blobs WHERE entity_id = ${entityId} AND md5 = ${md5}`
    if (existing !== undefined) return { blobId: existing.id, md5, size }
    const [blob] = yield* sql<{ id: number }>`INSERT INTO artifact_blobs ${
      sql.insert({ entity_id: entityId, md5, size })
    } RETURNING id`
    for (let idx = 0, offset = 0; offset < size; idx++, offset += FILE_CHUNK_SIZE) {
      const data = toBuffer(chunk(offset, Math.min(FILE_CHUNK_SIZE, size - offset)))
      yield* sql`INSERT INTO artifact_blob_chunks (blob_id, idx, data) VALUES (${blob!.id}, ${idx}, ${data})`
    }
    return { blobId: blob!.id, md5, size }
  })

const runId = (projectId: number, name: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.flatMap(
      sql<{ id: number }>`SELECT id FROM runs WHERE project_id = ${projectId} AND name = ${name}`,
      ([row]) => row === undefined ? fail(`putArtifact: no run ${name} in the project`) : Effect.succeed(row.id)
    ))

/**
 * Writes a new version (see {@link ArtifactSpec}) in one transaction. Fails with a `SqlError`
 * for a missing project or run, a path used twice, or an alias of the form `vN`.
 *
 * @since 0.1.0
 * @category writers
 */
export const putArtifact = (spec: ArtifactSpec): Effect.Effect<StoredArtifact, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.withTransaction(Effect.gen(function*() {
      const [project] = yield* sql<{ id: number; entity_id: number }>`
        SELECT p.id, p.entity_id FROM projects p JOIN entities e ON e.id = p.entity_id
        WHERE e.name = ${spec.entity} AND p.name = ${spec.project}`
      if (project === undefined) return yield* fail(`putArtifact: no project ${spec.entity}/${spec.project}`)
      const paths = new Set(spec.files.map((file) => file.path))
      if (paths.size !== spec.files.length) return yield* fail("putArtifact: a path appears twice")
      const aliases = [...new Set(["latest", ...(spec.aliases ?? [])])]
      if (aliases.some((alias) => /^v\d+$/.test(alias))) return yield* fail("putArtifact: vN aliases are implicit")
      const at = spec.createdAt ?? nowTimestamp()
      yield* sql`INSERT INTO artifact_types ${
        sql.insert({ project_id: project.id, name: spec.type, created_at: at })
      } ON CONFLICT (project_id, name) DO NOTHING`
      const [type] = yield* sql<{ id: number }>`
        SELECT id FROM artifact_types WHERE project_id = ${project.id} AND name = ${spec.type}`
      yield* sql`INSERT INTO artifact_sequences ${
        sql.insert({ project_id: project.id, type_id: type!.id, name: spec.collection, created_at: at, updated_at: at })
      } ON CONFLICT (project_id, name) DO UPDATE SET updated_at = excluded.updated_at`
      const [sequence] = yield* sql<{ id: number; type_id: number }>`
        SELECT id, type_id FROM artifact_sequences WHERE project_id = ${project.id} AND name = ${spec.collection}`
      if (sequence!.type_id !== type!.id) {
        return yield* fail(`putArtifact: collection ${spec.collection} has another type than ${spec.type}`)
      }
      const [{ next }] = (yield* sql<{ next: number }>`
        SELECT coalesce(max(version_index) + 1, 0) AS next FROM artifacts WHERE sequence_id = ${sequence!.id}`) as unknown as [
          { next: number }
        ]
      const creator = spec.createdBy === undefined ? null : yield* runId(project.id, spec.createdBy)
      const [artifact] = yield* sql<{ id: number }>`INSERT INTO artifacts ${
        sql.insert({
          sequence_id: sequence!.id,
          version_index: next,
          description: spec.description ?? null,
          metadata: JSON.stringify(spec.metadata ?? {}),
          size: 0,
          digest: "",
          file_count: spec.files.length,
          created_at: at,
          updated_at: at,
          created_by_run_id: creator
        })
      } RETURNING id`
      const id = artifact!.id
      const entries: Array<{ path: string; digest: string }> = []
      let size = 0
      for (const file of spec.files) {
        if ("ref" in file) {
          entries.push({ path: file.path, digest: file.digest })
          size += file.size ?? 0
          yield* sql`INSERT INTO artifact_files ${
            sql.insert({
              artifact_id: id,
              path: file.path,
              digest: file.digest,
              size: file.size ?? null,
              ref: file.ref,
              birth_artifact_id: id
            })
          }`
          continue
        }
        const blob = yield* storeBlob(project.entity_id, file.path, file.content)
        // the version that first stored these bytes under this path is their birth artifact
        const [birth] = yield* sql<{ birth: number }>`
          SELECT f.birth_artifact_id AS birth FROM artifact_files f JOIN artifacts a ON a.id = f.artifact_id
          WHERE a.sequence_id = ${sequence!.id} AND f.path = ${file.path} AND f.blob_id = ${blob.blobId}
          ORDER BY a.version_index LIMIT 1`
        entries.push({ path: file.path, digest: blob.md5 })
        size += blob.size
        yield* sql`INSERT INTO artifact_files ${
          sql.insert({
            artifact_id: id,
            path: file.path,
            digest: blob.md5,
            size: blob.size,
            birth_artifact_id: birth?.birth ?? id,
            mimetype: file.mimetype ?? null,
            blob_id: blob.blobId
          })
        }`
      }
      const digest = manifestDigest(entries)
      yield* sql`UPDATE artifacts SET size = ${size}, digest = ${digest} WHERE id = ${id}`
      for (const alias of aliases) {
        yield* sql`INSERT INTO artifact_aliases (sequence_id, alias, artifact_id) VALUES (${sequence!.id}, ${alias}, ${id})
          ON CONFLICT (sequence_id, alias) DO UPDATE SET artifact_id = excluded.artifact_id`
      }
      for (const user of spec.usedBy ?? []) {
        const run = yield* runId(project.id, user)
        yield* sql`INSERT INTO artifact_usage (artifact_id, run_id) VALUES (${id}, ${run}) ON CONFLICT DO NOTHING`
      }
      return { id, versionIndex: next, digest, size } satisfies StoredArtifact
    })))
