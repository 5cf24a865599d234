/**
 * The SQLite schema of the local server. Shared contract between the GraphQL resolvers
 * (reads/writes), the filter/order compiler (WHERE / ORDER BY over `runs`) and the demo-data
 * generator (bulk inserts).
 *
 * Conventions:
 * - Timestamps are ISO-8601 UTC strings without zone designator, e.g. `2024-06-01T10:00:03`
 *   (what W&B returns for runs); lexical order = time order.
 * - `runs.config`, `runs.summary_metrics`, `runs.system_metrics`, `history.row`, `events.row`
 *   hold the raw JSON text exactly as written, which may contain bare `NaN`, `Infinity`,
 *   `-Infinity` tokens. `runs.config_query` / `runs.summary_query` hold the same object as
 *   standard JSON (those tokens replaced by the strings "NaN", "Infinity", "-Infinity") so
 *   that SQLite's json_extract can filter and sort on them. Whoever writes the raw column
 *   writes the query column too.
 * - `runs.tags` is a JSON array of strings.
 * - `history.seq` is the dense 0-based ordinal of the row within its run (by step), so sampling
 *   can pick evenly spaced rows by index; `history.keys` is the row's top-level keys joined as
 *   `,k1,k2,…,` (leading and trailing comma) for cheap "has every key" checks.
 * - File bytes live in `file_chunks` (1 MiB chunks, idx from 0) so large files stream and
 *   Range requests read only the chunks they need.
 *
 * @internal
 */
export const ddl: ReadonlyArray<string> = [
  `CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT,
    api_key TEXT NOT NULL UNIQUE,
    default_entity TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE IF NOT EXISTS entities (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    is_team INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    name TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    read_only INTEGER NOT NULL DEFAULT 0,
    is_benchmark INTEGER NOT NULL DEFAULT 0,
    UNIQUE (entity_id, name)
  )`,
  `CREATE TABLE IF NOT EXISTS sweeps (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    display_name TEXT,
    method TEXT NOT NULL,
    state TEXT NOT NULL,
    description TEXT,
    best_loss REAL,
    config TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT,
    run_count_expected INTEGER,
    UNIQUE (project_id, name)
  )`,
  `CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    display_name TEXT,
    state TEXT NOT NULL DEFAULT 'running',
    user_id INTEGER REFERENCES users(id),
    sweep_name TEXT,
    group_name TEXT,
    job_type TEXT,
    commit_hash TEXT,
    host TEXT,
    read_only INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    heartbeat_at TEXT,
    updated_at TEXT,
    duration REAL,
    description TEXT,
    notes TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    config TEXT NOT NULL DEFAULT '{}',
    config_query TEXT NOT NULL DEFAULT '{}',
    summary_metrics TEXT NOT NULL DEFAULT '{}',
    summary_query TEXT NOT NULL DEFAULT '{}',
    system_metrics TEXT NOT NULL DEFAULT '{}',
    history_line_count INTEGER NOT NULL DEFAULT 0,
    last_step INTEGER,
    history_keys TEXT NOT NULL DEFAULT '{"keys":{}}',
    UNIQUE (project_id, name)
  )`,
  `CREATE INDEX IF NOT EXISTS runs_by_created ON runs (project_id, created_at, id)`,
  `CREATE INDEX IF NOT EXISTS runs_by_heartbeat ON runs (project_id, heartbeat_at, id)`,
  `CREATE INDEX IF NOT EXISTS runs_by_sweep ON runs (project_id, sweep_name, created_at, id)`,
  `CREATE INDEX IF NOT EXISTS runs_by_state ON runs (project_id, state, created_at, id)`,
  `CREATE TABLE IF NOT EXISTS history (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    step INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    keys TEXT NOT NULL,
    row TEXT NOT NULL,
    PRIMARY KEY (run_id, step)
  ) WITHOUT ROWID`,
  `CREATE UNIQUE INDEX IF NOT EXISTS history_by_seq ON history (run_id, seq)`,
  // Distinct key sets of a run (skip scan) and the steps of the rows having given keys.
  `CREATE INDEX IF NOT EXISTS history_by_keys ON history (run_id, keys, step)`,
  `CREATE TABLE IF NOT EXISTS events (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    row TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    name TEXT NOT NULL,
    md5 TEXT NOT NULL,
    mimetype TEXT,
    size_bytes INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (run_id, name)
  )`,
  `CREATE TABLE IF NOT EXISTS file_chunks (
    file_id INTEGER NOT NULL REFERENCES files(id),
    idx INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (file_id, idx)
  ) WITHOUT ROWID`,
  // Sweep agents (the processes that run a sweep's runs), as `Sweep.agents` lists them.
  `CREATE TABLE IF NOT EXISTS agents (
    id INTEGER PRIMARY KEY,
    sweep_id INTEGER NOT NULL REFERENCES sweeps(id),
    name TEXT NOT NULL,
    host TEXT,
    state TEXT NOT NULL DEFAULT 'RUNNING',
    total_runs INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    heartbeat_at TEXT,
    UNIQUE (sweep_id, name)
  )`,
  // Runs asked to stop (`stopRun`); `Run.stopped` reads it.
  `CREATE TABLE IF NOT EXISTS run_stops (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id),
    requested_at TEXT NOT NULL
  )`
]

/** Size of one `file_chunks.data` blob (the last chunk of a file may be shorter). @internal */
export const FILE_CHUNK_SIZE = 1024 * 1024
