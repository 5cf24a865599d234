/**
 * Users and their API keys. The server ensures on start that the configured user exists with
 * the configured key, and looks the caller up by key on every request. The database holds only
 * a SHA-256 digest of each key (column `api_key`, `sha256:<hex>`), never the key itself.
 *
 * @internal
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { createHash } from "node:crypto"

/** What the `api_key` column stores for `apiKey`: its SHA-256 digest. @internal */
export const keyDigest = (apiKey: string): string => `sha256:${createHash("sha256").update(apiKey).digest("hex")}`

/** A user as the resolvers see it (no key). @internal */
export interface UserRow {
  readonly id: number
  readonly username: string
  readonly name: string
  readonly email: string | null
  readonly default_entity: string
  readonly admin: number
}

/** The columns of {@link UserRow}, for selects over `users u`. @internal */
export const userColumns = "u.id, u.username, u.name, u.email, u.default_entity, u.admin"

/** @internal */
export interface EnsureUserOptions {
  readonly apiKey: string
  readonly username: string
  readonly entity: string
}

/**
 * Makes sure the user `username` exists, owns `apiKey` and has `entity` as default entity, and
 * that the entity row exists (a team entity when it differs from the username).
 *
 * @internal
 */
export const ensureUser = (options: EnsureUserOptions): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const digest = keyDigest(options.apiKey)
    yield* sql.withTransaction(Effect.gen(function*() {
      yield* sql`INSERT INTO entities (name, is_team) VALUES (${options.entity}, ${
        options.entity === options.username ? 0 : 1
      }) ON CONFLICT (name) DO NOTHING`
      // A key may belong to one user only: free it if another user holds it.
      yield* sql`DELETE FROM users WHERE api_key = ${digest} AND username <> ${options.username}`
      yield* sql`INSERT INTO users (username, name, email, api_key, default_entity, admin)
        VALUES (${options.username}, ${options.username}, ${`${options.username}@localhost`}, ${digest}, ${options.entity}, 1)
        ON CONFLICT (username) DO UPDATE SET api_key = excluded.api_key, default_entity = excluded.default_entity`
    }))
  })

/** The user owning `apiKey`, if any. @internal */
export const findUserByKey = (apiKey: string): Effect.Effect<Option.Option<UserRow>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql.unsafe<UserRow>(`SELECT ${userColumns} FROM users u WHERE u.api_key = ?`, [keyDigest(apiKey)])
  ).pipe(Effect.map((rows) => Option.fromNullable(rows[0])))
