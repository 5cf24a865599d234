/**
 * Every document the official Python clients send executes against the server: no parse or
 * validation error, real data back for the fixture coordinates (ent/proj/abc123/sw1/x.txt).
 * The captures are vendored in test/fixtures/official-requests (a copy of the team's
 * shared/protocol/official-requests); when that folder sits beside the checkout, the copy is
 * checked to be current.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { LocalServer } from "../src/index.js"
import { getBytes, post, seedMain, SMALL_TEXT } from "./fixtures.js"

const dir = new URL("./fixtures/official-requests/", import.meta.url)
const sharedDir = new URL("../../../../shared/protocol/official-requests/", import.meta.url)

interface Line {
  readonly call: string
  readonly operation?: string
  readonly query?: string
  readonly variables?: Record<string, unknown> | null
  readonly operationName?: string | null
  readonly method?: string
  readonly path?: string
}

/** What each operation must return for the fixture (so "no error" also means "real data"). */
const expectations: Record<string, (data: any, variables: any) => void> = {
  Projects: (data) => expect(data.models.edges.map((e: any) => e.node.name)).toContain("proj"),
  GetProjects: (data) => expect(data.models.edges.map((e: any) => e.node.name)).toContain("proj"),
  Run: (data) => expect(data.project.run.name).toBe("abc123"),
  Sweep: (data) => expect(data.project.sweep.name).toBe("sw1"),
  GetSweep: (data) => expect(data.project.sweep).toMatchObject({ __typename: "Sweep", name: "sw1" }),
  RunFiles: (data, variables) =>
    expect(data.project.run.files.edges.length).toBe(variables.fileNames.length === 0 ? 3 : 1),
  RunFullHistory: (data, variables) => expect(data.project.run.history).toHaveLength(variables.samples),
  RunHistoryKeys: (data) => expect(data.project.run.historyKeys.lastStep).toBe(11),
  HistoryPage: (data, variables) =>
    expect(data.project.run.history).toHaveLength(Math.min(variables.pageSize, variables.maxStep - variables.minStep)),
  RunParquetHistory: (data) => expect(data.project.run.parquetHistory.liveData).toHaveLength(12),
  anonymous: (data) => expect(data.viewer.id.length).toBeGreaterThan(0),
  Viewer: (data) => expect(data.viewer.entity).toBe("demo"),
  GetDefaultEntity: (data) => expect(data.viewer.entity).toBe("demo"),
  ProbeRunInput: (data) => expect(data.RunType.fields.map((f: any) => f.name)).toContain("projectId"),
  ProbeProjectInput: (data) => expect(data.ProjectType.fields.map((f: any) => f.name)).toContain("internalId"),
  UpsertBucket: (data) => expect(data.upsertBucket.bucket.id.length).toBeGreaterThan(0)
}

const files = readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()
const lines = (file: string): ReadonlyArray<Line> =>
  readFileSync(new URL(file, dir), "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l))

const seeded = LocalServer.layerWithSql()

describe("official requests", () => {
  it("finds the captures", () => expect(files.length).toBe(3))

  it.runIf(existsSync(sharedDir))("the vendored captures equal the shared ones", () => {
    const shared = readdirSync(sharedDir).filter((f) => f.endsWith(".jsonl")).sort()
    expect(shared).toEqual(files)
    for (const file of shared) {
      expect(readFileSync(new URL(file, dir), "utf8")).toBe(readFileSync(new URL(file, sharedDir), "utf8"))
    }
  })

  for (const file of files) {
    layer(seeded, { excludeTestServices: true })(file, (it) => {
      it.effect("every document parses, validates and executes", () =>
        Effect.gen(function*() {
          yield* seedMain
          const server = yield* LocalServer.LocalServer
          let executed = 0
          for (const line of lines(file)) {
            if (line.method === "GET") {
              const reply = yield* getBytes(server, line.path!)
              expect(reply.status).toBe(200)
              expect(new TextDecoder().decode(reply.bytes)).toBe(SMALL_TEXT)
              continue
            }
            // Send exactly what the client sent (variables omitted when absent, operationName "" or null).
            const payload: Record<string, unknown> = { query: line.query }
            if (line.variables !== undefined) payload["variables"] = line.variables
            if (line.operationName !== undefined) payload["operationName"] = line.operationName
            const reply = yield* post(server, payload)
            const context = `${file} ${line.call} ${line.operation}`
            if (line.operation === "Runs" && (line.variables as any)?.order === "+summary.loss") {
              // `summary.*` is not a W&B column (only summary_metrics.*): a 400 naming the key, not a GraphQL error.
              expect(reply.status, context).toBe(400)
              expect(reply.body.errors[0].message, context).toContain("summary.loss")
              const fixed = yield* post(server, { ...payload, variables: { ...line.variables, order: "+summary_metrics.loss" } })
              expect(fixed.status, context).toBe(200)
              expect(fixed.body.errors, context).toBeUndefined()
              expect(fixed.body.data.project.runCount, context).toBe(1) // only abc123 has config.lr > 0.01
              continue
            }
            expect(reply.status, `${context}: ${JSON.stringify(reply.body)}`).toBe(200)
            expect(reply.body.errors, context).toBeUndefined()
            const expectation = expectations[line.operation!]
            expect(expectation, `no expectation for ${context}`).toBeDefined()
            expectation!(reply.body.data, line.variables)
            executed++
          }
          expect(executed).toBeGreaterThan(10)
        }))
    })
  }
})
