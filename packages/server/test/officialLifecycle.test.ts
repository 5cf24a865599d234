/**
 * The official client's run-lifecycle documents (console logs, stop, state, deletion of runs and
 * files, project creation, sweeps and agents, user search, team entity) execute against the
 * server with real data back. The documents are in test/fixtures/official-documents.
 */
import { expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { LocalServer } from "../src/index.js"
import { gql, insertFile, post, seedMain } from "./fixtures.js"

interface Line {
  readonly call: string
  readonly operation: string
  readonly query: string
  readonly variables: Record<string, unknown>
}

const lines: ReadonlyArray<Line> = readFileSync(
  new URL("./fixtures/official-documents/lifecycle.jsonl", import.meta.url),
  "utf8"
).split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l))

const OUTPUT_LOG = [
  "2024-06-01T10:00:04.123456 epoch 1 loss 0.5",
  "ERROR 2024-06-01T10:00:05.000000 warning: slow step",
  "plain line without a timestamp"
].join("\n") + "\n"

const expectations: Record<string, (data: any, variables: any) => void> = {
  RunConsoleLogTail: (data) => {
    expect(data.project.run.logLineCount).toBe(3)
    expect(data.project.run.logLines.edges.map((e: any) => e.node)).toEqual([
      { number: 1, timestamp: "2024-06-01T10:00:05", level: "error", label: "", line: "warning: slow step" },
      { number: 2, timestamp: null, level: "", label: "", line: "plain line without a timestamp" }
    ])
  },
  RunConsoleLogPage: (data) => {
    const logLines = data.project.run.logLines
    expect(logLines.edges.map((e: any) => e.node.line)).toEqual(["epoch 1 loss 0.5", "warning: slow step"])
    expect(logLines.edges[0].node.timestamp).toBe("2024-06-01T10:00:04")
    expect(logLines.pageInfo.hasNextPage).toBe(true)
  },
  CreateProject: (data) => {
    expect(data.result.project).toMatchObject({ name: "new-proj", entityName: "ent", access: "PRIVATE", views: "{}" })
    expect(data.result.inserted).toBe(true)
  },
  GetSweeps: (data) => {
    expect(data.project.totalSweeps).toBe(1)
    expect(data.project.sweeps.edges.map((e: any) => e.node.name)).toEqual(["sw1"])
  },
  GetSweepAgents: (data) =>
    expect(data.project.sweep.agents.edges.map((e: any) => e.node)).toMatchObject([
      { name: "ag1", host: "gpu-box", state: "RUNNING", totalRuns: 2 }
    ]),
  GetSweepAgent: (data) => expect(data.project.sweep.agent).toMatchObject({ name: "ag1", totalRuns: 2 }),
  SearchUsers: (data) => expect(data.users.edges.map((e: any) => e.node.username)).toEqual(["demo-user"]),
  GetTeamEntity: (data) => {
    expect(data.entity).toMatchObject({ name: "ent", isTeam: true, entityType: "TEAM" })
    expect(data.entity.members).toEqual([])
  },
  StopRun: (data) => expect(data.stopRun.success).toBe(true),
  RunStoppedStatus: (data) => expect(data.project.run.stopped).toBe(true),
  UpdateRunState: (data) => expect(data.updateRunState.success).toBe(true),
  deleteFiles: (data) => expect(data.deleteFiles.success).toBe(true),
  DeleteRun: (data) => expect(data.deleteRun).toEqual({ clientMutationId: null })
}

const RUN_IDS = `query Ids($name: String!) {
  project(name: "proj", entityName: "ent") {
    run(name: $name) { id projectId files { edges { node { id name } } } }
  }
}`

/** Replaces the placeholders of a fixture's variables with ids read from the server. */
const resolveIds = (server: LocalServer.LocalServer["Type"], value: unknown): Effect.Effect<unknown> =>
  Effect.gen(function*() {
    if (Array.isArray(value)) return yield* Effect.forEach(value, (v) => resolveIds(server, v))
    if (value !== null && typeof value === "object") {
      const entries = yield* Effect.forEach(
        Object.entries(value),
        ([k, v]) => Effect.map(resolveIds(server, v), (resolved) => [k, resolved] as const)
      )
      return Object.fromEntries(entries)
    }
    if (typeof value !== "string") return value
    const [kind, ref] = value.split(":")
    if (kind === "PROJECT_ID") return (yield* gql(server, RUN_IDS, { name: "abc123" })).body.data.project.run.projectId
    if (ref === undefined || (kind !== "RUN_ID" && kind !== "FILE_ID")) return value
    const [runName, fileName] = ref.split("/")
    const run = (yield* gql(server, RUN_IDS, { name: runName })).body.data.project.run
    return kind === "RUN_ID" ? run.id : run.files.edges.find((e: any) => e.node.name === fileName).node.id
  })

const seedLifecycle = Effect.gen(function*() {
  yield* seedMain
  const sql = yield* SqlClient.SqlClient
  const [run] = yield* sql<{ id: number }>`SELECT id FROM runs WHERE name = 'abc123'`
  yield* insertFile(run!.id, "output.log", new TextEncoder().encode(OUTPUT_LOG), "text/plain")
  yield* sql`INSERT INTO agents (sweep_id, name, host, state, total_runs, created_at)
    SELECT id, 'ag1', 'gpu-box', 'RUNNING', 2, '2024-05-30T08:01:00' FROM sweeps WHERE name = 'sw1'`
})

layer(LocalServer.layerWithSql(), { excludeTestServices: true })("official lifecycle documents", (it) => {
  it.effect("every document parses, validates and executes with real data", () =>
    Effect.gen(function*() {
      yield* seedLifecycle
      const server = yield* LocalServer.LocalServer
      for (const line of lines) {
        const variables = yield* resolveIds(server, line.variables)
        const reply = yield* post(server, { query: line.query, variables, operationName: "" })
        const context = `${line.call} ${line.operation}: ${JSON.stringify(reply.body)}`
        expect(reply.status, context).toBe(200)
        expect(reply.body.errors, context).toBeUndefined()
        expectations[line.operation]!(reply.body.data, variables)
      }
      expect(new Set(lines.map((l) => l.operation)).size).toBe(Object.keys(expectations).length)
      // the deletions took effect
      const after = yield* gql(server, RUN_IDS, { name: "abc123" })
      expect(after.body.data.project.run.files.edges.map((e: any) => e.node.name)).not.toContain("config.yaml")
      for (const name of ["def456", "ghi789"]) {
        expect((yield* gql(server, RUN_IDS, { name })).body.data.project.run).toBeNull()
      }
    }))
})
