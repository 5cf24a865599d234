/**
 * What every resolver gets as GraphQL context: the caller, the base URL for file links and a
 * way to run database effects from graphql-js' promise-based execution.
 *
 * @internal
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import type { Limits } from "../Limits.js"
import type { BadRequest } from "./badRequest.js"
import type { RawJson } from "./rawJson.js"
import type { UserRow } from "./users.js"

/** @internal */
export type Param = string | number | bigint | boolean | null | Uint8Array

/** @internal */
export interface GraphContext {
  readonly baseUrl: string
  readonly viewer: UserRow
  /** JSON arrays serialised by SQLite for this response (see `rawJson.ts`). */
  readonly rawJson: RawJson
  /** The server's limits (filters read theirs here). */
  readonly limits: Limits
  /** Runs an effect; a typed failure rejects with the failure itself (so `BadRequest` keeps its class). */
  readonly run: <A>(effect: Effect.Effect<A, SqlError | BadRequest, SqlClient.SqlClient>) => Promise<A>
  /** Runs one SQL statement with positional `?` parameters. */
  readonly all: <T extends object>(text: string, params: ReadonlyArray<Param>) => Promise<ReadonlyArray<T>>
}

/** @internal */
export const makeContext = (
  runtime: Runtime.Runtime<SqlClient.SqlClient>,
  sql: SqlClient.SqlClient,
  baseUrl: string,
  viewer: UserRow,
  rawJson: RawJson,
  limits: Limits
): GraphContext => {
  const runExit = Runtime.runPromiseExit(runtime)
  const run = <A>(effect: Effect.Effect<A, SqlError | BadRequest, SqlClient.SqlClient>): Promise<A> =>
    runExit(effect).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      throw Cause.squash(exit.cause)
    })
  return {
    baseUrl,
    viewer,
    rawJson,
    limits,
    run,
    all: <T extends object>(text: string, params: ReadonlyArray<Param>) => run(sql.unsafe<T>(text, params))
  }
}
