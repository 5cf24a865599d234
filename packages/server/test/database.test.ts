/**
 * The server's SQLite connection settings: a database file is read through a memory map (the
 * large file chunks and history pages read several times faster than with `pread`).
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import * as Database from "../src/internal/database.js"

describe("database connection", () => {
  it.live("maps up to 1 GiB of a database file into memory", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const [setting] = yield* sql.unsafe<{ readonly mmap_size: number }>("PRAGMA mmap_size")
      expect(setting?.mmap_size).toBe(1024 ** 3)
    }).pipe(Effect.provide(Database.layer(path.join(mkdtempSync(path.join(tmpdir(), "wandb-db-")), "server.db")))))
})
