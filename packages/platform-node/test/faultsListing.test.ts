/**
 * Listing runs while the project changes underneath: runs are created and deleted on the
 * server between two page requests (from the server's request hook, so exactly between
 * pages whatever the client prefetches).
 *
 * - Creation-time order (the default): the server pages by key `(created_at, id)`, so no run
 *   is returned twice and no run that exists throughout is skipped; runs created later than
 *   the last one returned show up, runs deleted before their page do not.
 * - Any other order pages by offset (as W&B does): the raw server pages repeat a run when one
 *   is created before the cursor; the client still returns each run once.
 */
import { describe, expect, it } from "@effect/vitest"
import { WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { DemoData, LocalServer } from "@effect-wandb/server"
import { Chunk, Context, Effect, Option, Redacted, Stream } from "effect"

/** The server's `SqlClient` (its Tag lives in @effect/sql; Tags are keyed by name). */
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.seedDemo>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

const ENTITY = LocalServer.DEFAULT_ENTITY
const RUNS = 10
const PER_PAGE = 3

/** Changes to make before the n-th page request (n = 2, 3, …) of a project's listing. */
type Mutations = ReadonlyArray<(sql: Sql) => Effect.Effect<void, unknown>>

const runName = (i: number) => `run-${String(i).padStart(3, "0")}`
const at = (minute: number) => `2024-01-01T00:${String(minute).padStart(2, "0")}:00.000000`

const insertRun = (project: string, name: string, createdAt: string) => (sql: Sql) =>
  sql.unsafe(
    `INSERT INTO runs (project_id, name, state, created_at)
     SELECT p.id, ?, 'finished', ? FROM projects p JOIN entities e ON e.id = p.entity_id WHERE e.name = ? AND p.name = ?`,
    [name, createdAt, ENTITY, project]
  )

const deleteRun = (name: string) => (sql: Sql) => sql.unsafe("DELETE FROM runs WHERE name = ?", [name])

/**
 * A server where project `project` has runs `run-000`…`run-009` (created a minute apart) and
 * whose request hook applies `mutations[n - 2]` before the n-th page of a listing of that
 * project's runs (each mutation once).
 */
const serverWith = (project: string, mutations: Mutations) =>
  Effect.gen(function*() {
    const db: { sql?: Sql } = {}
    let pages = 0
    const applied = new Set<number>()
    const { server, sql: serverSql } = yield* LocalServer.make({
      faultInjection: (request) =>
        Effect.gen(function*() {
          if (!request.url.startsWith("/graphql")) return Option.none()
          const body = JSON.parse(yield* Effect.orDie(request.text))
          if (body.operationName !== "Runs" || body.variables?.project !== project) return Option.none()
          pages = body.variables.cursor == null ? 1 : pages + 1
          const mutate = mutations[pages - 2]
          if (mutate !== undefined && db.sql !== undefined && !applied.has(pages)) {
            applied.add(pages)
            yield* Effect.orDie(mutate(db.sql))
          }
          return Option.none()
        })
    })
    const sql = serverSql as unknown as Sql
    db.sql = sql
    yield* sql.unsafe(
      `INSERT INTO projects (entity_id, name, created_at) SELECT id, ?, '2024-01-01T00:00:00' FROM entities WHERE name = ?`,
      [project, ENTITY]
    ).pipe(Effect.orDie)
    for (let i = 0; i < RUNS; i++) yield* Effect.orDie(insertRun(project, runName(i), at(10 + i))(sql))
    return server
  })

/** The run ids the client lists, in order. */
const list = (server: LocalServer.LocalServer["Type"], project: string, order?: string) =>
  Effect.gen(function*() {
    const api = yield* WandbApi.WandbApi
    const runs = yield* Stream.runCollect(api.runs(`${ENTITY}/${project}`, { perPage: PER_PAGE, order }))
    return Chunk.toReadonlyArray(runs).map((run) => run.id)
  }).pipe(Effect.provide(NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey }))))

/** The run names of the raw server pages (no client-side handling), in order. */
const rawPages = (server: LocalServer.LocalServer["Type"], project: string, order: string) =>
  Effect.promise(async () => {
    const names: Array<string> = []
    let cursor: string | null = null
    for (;;) {
      const response: Response = await fetch(`${server.baseUrl}/graphql`, {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa(`api:${Redacted.value(server.apiKey)}`)}`,
          "content-type": "application/json"
        },
        body: JSON.stringify({
          operationName: "Runs",
          query: `query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int, $order: String) {
            project(name: $project, entityName: $entity) {
              runs(after: $cursor, first: $perPage, order: $order) {
                edges { node { name } cursor } pageInfo { endCursor hasNextPage }
              }
            }
          }`,
          variables: { project, entity: ENTITY, cursor, perPage: PER_PAGE, order }
        })
      })
      const { data }: { data: any } = await response.json()
      const runs: any = data.project.runs
      names.push(...runs.edges.map((edge: { node: { name: string } }) => edge.node.name))
      if (!runs.pageInfo.hasNextPage) return names
      cursor = runs.edges[runs.edges.length - 1].cursor
    }
  })

const duplicates = (ids: ReadonlyArray<string>) => ids.filter((id, i) => ids.indexOf(id) !== i)

describe("listing runs while runs are created and deleted", () => {
  it.scopedLive("creation-time order pages by key: nothing repeated, nothing skipped", () =>
    Effect.gen(function*() {
      const project = "keyset"
      const server = yield* serverWith(project, [
        (sql) =>
          Effect.all([
            deleteRun(runName(0))(sql), // already returned
            deleteRun(runName(5))(sql), // not yet returned
            insertRun(project, "early", at(0))(sql), // sorts before the cursor
            insertRun(project, "late", at(59))(sql) // sorts after everything
          ]),
        (sql) => Effect.all([deleteRun(runName(1))(sql), insertRun(project, "early-2", at(1))(sql)])
      ])
      const ids = yield* list(server, project)
      expect(duplicates(ids)).toEqual([])
      expect(ids).toEqual([
        ...[0, 1, 2, 3, 4, 6, 7, 8, 9].map(runName), // every run that existed throughout, in order
        "late"
      ])
      const descending = yield* list(server, project, "-created_at")
      expect(descending).toEqual(["late", ...[9, 8, 7, 6, 4, 3, 2].map(runName), "early-2", "early"])
    }))

  it.scopedLive("other orders page by offset: the server repeats a run, the client returns it once", () =>
    Effect.gen(function*() {
      const project = "offset"
      let created = 0
      // a run whose name sorts before every other under +name: shifts the offset by one
      const createFirst = (sql: Sql) => Effect.asVoid(insertRun(project, `a-${created++}`, at(58))(sql))
      const raw = yield* rawPages(yield* serverWith(project, Array.from({ length: 8 }, () => createFirst)), project, "+name")
      expect(duplicates(raw).length).toBeGreaterThan(0)
      const server = yield* serverWith(project, Array.from({ length: 8 }, () => createFirst))
      const ids = yield* list(server, project, "+name")
      expect(duplicates(ids)).toEqual([])
      // with creations only, nothing that existed from the start is skipped
      expect(ids.filter((id) => id.startsWith("run-"))).toEqual(Array.from({ length: RUNS }, (_, i) => runName(i)))
    }))
})
