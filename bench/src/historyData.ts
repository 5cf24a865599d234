/**
 * The run the history benchmarks scan: `rows` steps × {@link KEYS} metric keys (plus `_step`,
 * `_runtime`, `_timestamp`; about 300 bytes of JSON per row) in a SQLite file in the temp
 * directory, written once per size and reused by later invocations.
 */
import type * as ServerPackage from "@effect-wandb/server"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { existsSync, renameSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const KEYS = 10
export const PROJECT = "bench-history"
export const RUN = "scan1m"

/** The server package, loaded by the parents only (children measure the client alone). */
export type Server = typeof ServerPackage

/** The server's `SqlClient` (its Tag lives in @effect/sql; Tags are keyed by name). */
type Sql = Effect.Effect.Context<ReturnType<Server["DemoData"]["appendHistory"]>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

/** Deterministic metric values: smooth curves plus xorshift noise, full double precision. */
const makeRow = (step: number, noise: () => number): Record<string, unknown> => {
  const row: Record<string, unknown> = { _step: step, _runtime: step * 0.05, _timestamp: 1_717_236_000 + step * 0.05 }
  for (let k = 0; k < KEYS; k++) row[`m${k}`] = Math.exp(-step / (50_000 * (k + 1))) + noise() * 0.01
  return row
}

/** The database file holding the run with `rows` steps, written first unless a complete copy is there. */
export const historyDatabase = ({ DemoData, LocalServer }: Server, rows: number) =>
  Effect.gen(function*() {
    const file = join(tmpdir(), `effect-wandb-bench-history-${rows}x${KEYS}.sqlite`)
    if (existsSync(file)) return file
    const partial = `${file}.partial`
    rmSync(partial, { force: true })
    yield* Effect.scoped(Effect.gen(function*() {
      const { sql } = yield* LocalServer.make({ database: partial })
      yield* sql.unsafe(
        `INSERT INTO projects (entity_id, name, created_at) SELECT id, ?, '2024-01-01T00:00:00' FROM entities WHERE name = ?`,
        [PROJECT, LocalServer.DEFAULT_ENTITY]
      )
      const [run] = yield* sql.unsafe<{ id: number }>(
        `INSERT INTO runs (project_id, name, state, created_at) SELECT id, ?, 'finished', '2024-01-01T00:00:00'
         FROM projects WHERE name = ? RETURNING id`,
        [RUN, PROJECT]
      )
      let x = 2463534242
      const noise = () => {
        x ^= x << 13
        x ^= x >>> 17
        x ^= x << 5
        return (x >>> 0) / 4294967296 - 0.5
      }
      const batch = 20_000
      for (let from = 0; from < rows; from += batch) {
        const page = Array.from({ length: Math.min(batch, rows - from) }, (_, i) => makeRow(from + i, noise))
        yield* DemoData.appendHistory(run!.id, page).pipe(Effect.provideService(Sql, sql))
      }
      yield* sql.unsafe("PRAGMA wal_checkpoint(TRUNCATE)")
    }))
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(partial + suffix)) renameSync(partial + suffix, file + suffix)
    }
    return file
  })
