/**
 * Bounded history pages are serialised by SQLite and spliced into the body (internal/rawJson):
 * their bytes must be exactly what `JSON.stringify` makes of the stored rows, whatever the rows
 * hold, in step order.
 */
import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted } from "effect"
import { LocalServer } from "../src/index.js"
import { basic, demoUserId, insertProject, insertRun } from "./fixtures.js"

const STEPS = 40

/**
 * Row `step`: a JSON object holding a slice of all UTF-16 code units (the BMP, lone surrogates
 * included) raw in a string, plus escapes, JSON whitespace, NaN and astral characters. Rows 33
 * and 34 hold the lone surrogates (stored as bytes that are not UTF-8), so pages including them
 * are decoded before sending; pages of other rows are spliced as SQLite wrote them.
 */
const rowAt = (step: number): string => {
  const slice = 0x10000 / STEPS
  let chars = ""
  for (let c = step * slice; c < (step + 1) * slice; c++) chars += String.fromCharCode(c)
  return `{"_step":${step},\n\t"s": "${chars}", "e": "\\"\\\\\\u0000\\n", "x": NaN, "emoji": "😀𝄞"}\r`
}

const seeded = Layer.effectDiscard(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const projectId = yield* insertProject("ent", "bytes")
  const runId = yield* insertRun(projectId, yield* demoUserId, { name: "r1", createdAt: "2024-06-01T10:00:03" })
  // Inserted in reverse step order, so storage order is not step order.
  for (let step = STEPS - 1; step >= 0; step--) {
    yield* sql.unsafe("INSERT INTO history (run_id, step, seq, keys, row) VALUES (?, ?, ?, ?, ?)", [
      runId,
      step,
      step,
      ",_step,s,e,x,emoji,",
      rowAt(step)
    ])
  }
})).pipe(Layer.provideMerge(LocalServer.layerWithSql()))

/** The rows as stored, in step order (SQLite stores lone surrogates as U+FFFD). */
const storedRows = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql.unsafe<{ row: string }>("SELECT row FROM history ORDER BY step")
).pipe(Effect.map((rows) => rows.map((r) => r.row)))

/** The raw response text of a GraphQL request. */
const postText = (server: LocalServer.LocalServer["Type"], query: string, variables: Record<string, unknown>) =>
  Effect.promise(async () => {
    const response = await fetch(`${server.baseUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basic(Redacted.value(server.apiKey)) },
      body: JSON.stringify({ query, variables })
    })
    return { status: response.status, length: response.headers.get("content-length"), text: await response.text() }
  })

const PAGE = `query P($minStep: Int64, $maxStep: Int64, $samples: Int) {
  project(name: "bytes", entityName: "ent") { run(name: "r1") { history(minStep: $minStep, maxStep: $maxStep, samples: $samples) } }
}`

describe("history pages", () => {
  layer(seeded, { excludeTestServices: true })("spliced by SQLite", (it) => {
    it.effect("are byte for byte JSON.stringify of the stored rows, in step order", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const rows = yield* storedRows
        expect(rows.map((row) => Number(/^\{"_step":(\d+),/.exec(row)![1]))).toEqual([...rows.keys()])
        const page = yield* postText(server, PAGE, { minStep: 0, maxStep: STEPS, samples: STEPS })
        expect(page.status).toBe(200)
        expect(page.text).toBe(JSON.stringify({ data: { project: { run: { history: rows } } } }))
        expect(Number(page.length)).toBe(Buffer.byteLength(page.text))
        const window = yield* postText(server, PAGE, { minStep: 7, maxStep: 30, samples: 5 })
        expect(window.text).toBe(JSON.stringify({ data: { project: { run: { history: rows.slice(7, 12) } } } }))
        const empty = yield* postText(server, PAGE, { minStep: STEPS, maxStep: STEPS + 10, samples: 5 })
        expect(empty.text).toBe(JSON.stringify({ data: { project: { run: { history: [] } } } }))
      }))

    it.effect("several pages in one response each land at their own field, among other values", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const rows = yield* storedRows
        const reply = yield* postText(
          server,
          `query {
            project(name: "bytes", entityName: "ent") {
              run(name: "r1") {
                b: history(minStep: 10, maxStep: 12, samples: 10) name a: history(minStep: 0, maxStep: 2, samples: 10)
                sampled: history(samples: 2)
              }
            }
          }`,
          {}
        )
        expect(reply.text).toBe(JSON.stringify({
          data: {
            project: {
              run: { b: rows.slice(10, 12), name: "r1", a: rows.slice(0, 2), sampled: [rows[0], rows[STEPS - 1]] }
            }
          }
        }))
      }))
  })
})
