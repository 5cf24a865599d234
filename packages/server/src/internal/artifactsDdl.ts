/**
 * The SQLite tables of artifacts (created with the rest of the schema, see `ddl.ts`).
 *
 * - `artifact_types` and `artifact_sequences` (W&B's collections) belong to a project; a
 *   sequence has one type.
 * - `artifacts` are the versions of a sequence (`version_index` from 0). `metadata` is JSON
 *   text; `digest` is the manifest digest (hex MD5, see `ArtifactStore`); `created_by_run_id` is
 *   the run that logged it (null: none).
 * - `artifact_aliases` point an alias (`latest`, `best`, …) of a sequence at one version; version
 *   names `vN` are not stored, they resolve by `version_index`.
 * - `artifact_files` are the manifest entries of a version: `digest` is the base64 MD5 of the
 *   content (or, for a reference entry with `ref`, whatever the reference's digest is), `blob_id`
 *   the stored bytes (null for references).
 * - `artifact_blobs` hold contents once per entity and digest, as `FILE_CHUNK_SIZE` chunks in
 *   `artifact_blob_chunks` (so they stream and serve `Range` like run files).
 * - `artifact_usage` links a version to the runs that used it.
 *
 * @internal
 */
export const artifactsDdl: ReadonlyArray<string> = [
  `CREATE TABLE IF NOT EXISTS artifact_types (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, name)
  )`,
  `CREATE TABLE IF NOT EXISTS artifact_sequences (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    type_id INTEGER NOT NULL REFERENCES artifact_types(id),
    name TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (project_id, name)
  )`,
  `CREATE TABLE IF NOT EXISTS artifacts (
    id INTEGER PRIMARY KEY,
    sequence_id INTEGER NOT NULL REFERENCES artifact_sequences(id),
    version_index INTEGER NOT NULL,
    description TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'COMMITTED',
    size INTEGER NOT NULL,
    digest TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_run_id INTEGER REFERENCES runs(id),
    history_step INTEGER,
    UNIQUE (sequence_id, version_index)
  )`,
  `CREATE INDEX IF NOT EXISTS artifacts_by_creator ON artifacts (created_by_run_id, id)`,
  `CREATE TABLE IF NOT EXISTS artifact_aliases (
    sequence_id INTEGER NOT NULL REFERENCES artifact_sequences(id),
    alias TEXT NOT NULL,
    artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
    PRIMARY KEY (sequence_id, alias)
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS artifact_blobs (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    md5 TEXT NOT NULL,
    size INTEGER NOT NULL,
    UNIQUE (entity_id, md5)
  )`,
  `CREATE TABLE IF NOT EXISTS artifact_blob_chunks (
    blob_id INTEGER NOT NULL REFERENCES artifact_blobs(id),
    idx INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (blob_id, idx)
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS artifact_files (
    artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
    path TEXT NOT NULL,
    digest TEXT NOT NULL,
    size INTEGER,
    ref TEXT,
    birth_artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
    mimetype TEXT,
    blob_id INTEGER REFERENCES artifact_blobs(id),
    PRIMARY KEY (artifact_id, path)
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS artifact_usage (
    artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
    run_id INTEGER NOT NULL REFERENCES runs(id),
    PRIMARY KEY (artifact_id, run_id)
  ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS artifact_usage_by_run ON artifact_usage (run_id, artifact_id)`
]
