/**
 * The artifact downloads:
 * - `GET /artifacts/{entity}/{hex md5}`: stored artifact bytes of the entity (W&B's storage
 *   layout V1 path), served like run files (`Range`, `x-wandb-md5`, fault-injection transform;
 *   the transform sees `run` as `artifacts` and `name` as the hex digest).
 * - `GET /artifactManifests/{artifact row id}`: the version's manifest v1 JSON.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { type ChunkReader, type FileBodyTransform, serveStored } from "./fileHandler.js"
import { nodeId } from "./ids.js"
import * as Responses from "./responses.js"

const segments = (url: string): ReadonlyArray<string> | undefined => {
  try {
    return url.split("?")[0]!.split("/").slice(2).map(decodeURIComponent)
  } catch {
    return undefined
  }
}

/**
 * Answers `GET /artifacts/…`.
 *
 * @internal
 */
export const artifactFileHandler = (
  request: HttpServerRequest.HttpServerRequest,
  transform: FileBodyTransform | undefined
): Effect.Effect<HttpServerResponse.HttpServerResponse, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const parts = segments(request.url)
    if (parts === undefined || parts.length !== 2 || !/^[0-9a-f]{32}$/.test(parts[1]!)) {
      return Responses.error(404, "artifact file not found")
    }
    const [entity, hex] = parts as [string, string]
    const md5 = Buffer.from(hex, "hex").toString("base64")
    const sql = yield* SqlClient.SqlClient
    const [blob] = yield* sql.unsafe<{ id: number; size: number }>(
      `SELECT b.id, b.size FROM artifact_blobs b JOIN entities e ON e.id = b.entity_id WHERE e.name = ? AND b.md5 = ?`,
      [entity, md5]
    )
    if (blob === undefined) return Responses.error(404, `artifact file not found: ${entity}/${hex}`)
    const readChunk: ChunkReader = (idx) =>
      Effect.map(
        sql.unsafe<{ data: Uint8Array }>("SELECT data FROM artifact_blob_chunks WHERE blob_id = ? AND idx = ?", [
          blob.id,
          idx
        ]),
        (rows) => rows[0]?.data
      )
    return serveStored(
      request,
      { size: blob.size, md5, mimetype: null, readChunk },
      { entity, project: "", run: "artifacts", name: hex, sizeBytes: blob.size },
      transform
    )
  })

/**
 * Answers `GET /artifactManifests/{id}`: W&B's manifest v1 (`version`, `storagePolicy`,
 * `storagePolicyConfig`, `contents` by path with `digest`, `size`, `ref`, `birthArtifactID`).
 *
 * @internal
 */
export const manifestHandler = (
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<HttpServerResponse.HttpServerResponse, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const parts = segments(request.url)
    if (parts === undefined || parts.length !== 1 || !/^\d+$/.test(parts[0]!)) {
      return Responses.error(404, "manifest not found")
    }
    const sql = yield* SqlClient.SqlClient
    const id = Number(parts[0])
    const [artifact] = yield* sql.unsafe<{ id: number }>("SELECT id FROM artifacts WHERE id = ?", [id])
    if (artifact === undefined) return Responses.error(404, `manifest not found: ${id}`)
    const rows = yield* sql.unsafe<{ path: string; digest: string; size: number | null; ref: string | null; birth: number }>(
      "SELECT path, digest, size, ref, birth_artifact_id AS birth FROM artifact_files WHERE artifact_id = ? ORDER BY path",
      [id]
    )
    const contents: Record<string, unknown> = {}
    for (const row of rows) {
      contents[row.path] = {
        digest: row.digest,
        ...(row.ref === null ? {} : { ref: row.ref }),
        birthArtifactID: nodeId("Artifact", row.birth),
        ...(row.size === null ? {} : { size: row.size })
      }
    }
    return Responses.json(200, {
      version: 1,
      storagePolicy: "wandb-storage-policy-v1",
      storagePolicyConfig: { storageLayout: "V1" },
      contents
    })
  })
