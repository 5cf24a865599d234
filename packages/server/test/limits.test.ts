/**
 * What one request may cost (the `Limits` module), over real HTTP: an oversized body gets 413
 * without being buffered and the server keeps answering; operations too deep, too wide, too
 * costly or with too large `first`/`samples` get 400 before executing; `$regex` runs in linear
 * time (RE2); filters too deep or too large, and statements SQLite refuses for their size, get
 * 400 rather than 500 (which clients retry).
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { request } from "node:http"
import { type Limits, LocalServer } from "../src/index.js"
import { basic, demoUserId, gql, insertProject, insertRun, post, seedMain } from "./fixtures.js"

const SMALL_BODY = 64 * 1024

/** Seeded with the fixtures, plus a project with a display name `^(a+)+$` backtracks on and a long one. */
const seeded = (limits?: Partial<Limits.Limits>) =>
  Layer.effectDiscard(Effect.gen(function*() {
    yield* seedMain
    const projectId = yield* insertProject("ent", "regex")
    yield* insertRun(projectId, yield* demoUserId, {
      name: "evil",
      createdAt: "2024-06-01T10:00:00",
      displayName: `${"a".repeat(32)}b`
    })
    yield* insertRun(projectId, yield* demoUserId, {
      name: "long",
      createdAt: "2024-06-01T10:00:01",
      displayName: "ab".repeat(20_000)
    })
  })).pipe(Layer.provideMerge(LocalServer.layerWithSql(limits === undefined ? {} : { limits })))

/**
 * POSTs a body of `{"query": …` followed by spaces, `chunk` bytes at a time with chunked
 * encoding (no Content-Length), until the server answers or `maxBytes` were sent.
 */
const streamBody = (server: LocalServer.LocalServer["Type"], chunk: number, maxBytes: number) =>
  Effect.async<{ readonly status: number; readonly body: string; readonly sent: number }, Error>((resume) => {
    const url = new URL(server.baseUrl)
    let sent = 0
    let answered = false
    const req = request({
      host: url.hostname,
      port: url.port,
      path: "/graphql",
      method: "POST",
      headers: { authorization: basic(Redacted.value(server.apiKey)), "content-type": "application/json" }
    })
    req.on("response", (res) => {
      answered = true
      const parts: Array<Buffer> = []
      res.on("data", (part: Buffer) => parts.push(part))
      res.on("end", () =>
        resume(Effect.succeed({ status: res.statusCode!, body: Buffer.concat(parts).toString("utf8"), sent })))
    })
    req.on("error", (e) => {
      if (!answered) resume(Effect.fail(e))
    })
    const spaces = Buffer.alloc(chunk, 0x20)
    const pump = () => {
      while (!answered && sent < maxBytes) {
        sent += chunk
        if (!req.write(spaces)) return void req.once("drain", pump)
      }
      if (!answered) req.end()
    }
    req.write("{\"query\": \"{ viewer { id } }\"")
    pump()
    return Effect.sync(() => req.destroy())
  })

const messages = (reply: { readonly body: any }): string =>
  (reply.body.errors as ReadonlyArray<{ readonly message: string }>).map((e) => e.message).join("\n")

/** A filter of `n` alternatives on the run name. */
const manyOr = (n: number) => ({ $or: Array.from({ length: n }, (_, i) => ({ name: `run-${i}` })).concat({ name: "abc123" }) })

/** `runCount(filters)` of project ent/proj; `filters` is a value or its JSON text. */
const runCount = (filters: unknown) =>
  `{ project(name: "proj", entityName: "ent") { runCount(filters: ${
    JSON.stringify(typeof filters === "string" ? filters : JSON.stringify(filters))
  }) } }`

describe("limits", () => {
  layer(seeded({ maxBodyBytes: SMALL_BODY }), { excludeTestServices: true })("request body", (it) => {
    it.effect("a body over maxBodyBytes (Content-Length) gets 413; the limit is in bytes, not characters", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const padding = " ".repeat(SMALL_BODY)
        const reply = yield* post(server, `{"query": "{ viewer { id } }"${padding}}`)
        expect(reply.status).toBe(413)
        expect(messages(reply)).toContain(`maxBodyBytes = ${SMALL_BODY}`)
        // just under the limit still works
        const fits = yield* post(server, `{"query": "{ viewer { username } }"${" ".repeat(SMALL_BODY - 100)}}`)
        expect(fits.status).toBe(200)
        expect(fits.body.data.viewer.username).toBe("demo-user")
      }))

    it.effect("a streamed body (no Content-Length) is cut at the limit: 413 long before it ends, and the server answers the next request", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const reply = yield* streamBody(server, 16 * 1024, 32 * 1024 * 1024)
        expect(reply.status).toBe(413)
        expect(JSON.parse(reply.body).errors[0].message).toContain("maxBodyBytes")
        // the server stopped reading: the client did not get to send the 32 MiB
        expect(reply.sent).toBeLessThan(8 * 1024 * 1024)
        const next = yield* gql(server, "{ viewer { username } }")
        expect(next.status).toBe(200)
        expect(next.body.data.viewer.username).toBe("demo-user")
      }), 30_000)
  })

  layer(seeded(), { excludeTestServices: true })("defaults", (it) => {
    it.effect("nesting runs inside runs: 400 over maxDepth, before anything runs", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        let inner = "name"
        for (let i = 0; i < 5; i++) inner = `runs { edges { node { name project { ${inner} } } } }`
        const reply = yield* gql(server, `{ project(name: "proj", entityName: "ent") { ${inner} } }`)
        expect(reply.status).toBe(400)
        expect(reply.body.data).toBeUndefined()
        expect(messages(reply)).toMatch(/nests fields \d+ deep.*maxDepth = 15/)
      }))

    it.effect("1000 aliases of history(samples: 100000): 400 over maxSelections; 3 of them: 400 over maxComplexity", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const aliases = (n: number) =>
          Array.from({ length: n }, (_, i) => `h${i}: history(samples: 100000)`).join(" ")
        const query = (n: number) => `{ project(name: "proj", entityName: "ent") { run(name: "abc123") { ${aliases(n)} } } }`
        const wide = yield* gql(server, query(1000))
        expect(wide.status).toBe(400)
        expect(messages(wide)).toContain("selects 1000 fields in one selection set, over the server's limit maxSelections = 200")
        const costly = yield* gql(server, query(3))
        expect(costly.status).toBe(400)
        expect(messages(costly)).toMatch(/estimated cost of 300\d{3}, over the server's limit maxComplexity = 250000/)
        const one = yield* gql(server, query(1))
        expect(one.status).toBe(200)
        expect(one.body.data.project.run.h0).toHaveLength(12)
      }))

    it.effect("fragments count where they are spread (width, depth and cost); a fragment cycle is a 400, not a hang", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}: name`).join(" ")
        const wide = yield* gql(
          server,
          `query W { project(name: "proj", entityName: "ent") { run(name: "abc123") { ${names(120, "a")} ...F } } }
           fragment F on Run { ${names(120, "b")} }`
        )
        expect(wide.status).toBe(400)
        expect(messages(wide)).toContain("W selects 240 fields in one selection set")
        // each spread of a costly fragment counts: 3 × 100,000 samples
        const costly = yield* gql(
          server,
          `query C { project(name: "proj", entityName: "ent") { run(name: "abc123") { ...H ... on Run { ...H } x: project { run(name: "abc123") { ...H } } } } }
           fragment H on Run { history(samples: 100000) }`
        )
        expect(costly.status).toBe(400)
        expect(messages(costly)).toContain("maxComplexity")
        const cycle = yield* gql(
          server,
          `{ project(name: "proj", entityName: "ent") { run(name: "abc123") { ...A } } }
           fragment A on Run { name project { run(name: "abc123") { ...B } } }
           fragment B on Run { name project { run(name: "abc123") { ...A } } }`
        )
        expect(cycle.status).toBe(400)
        expect(messages(cycle)).toContain("Cannot spread fragment")
      }))

    it.effect("first / samples over their caps, as literals or variables: 400", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const runs = yield* post(server, {
          query: "query R($n: Int) { project(name: \"proj\", entityName: \"ent\") { runs(first: $n) { edges { node { name } } } } }",
          variables: { n: 1001 }
        })
        expect(runs.status).toBe(400)
        expect(messages(runs)).toBe("runs(first: 1001) is over the server's limit maxPageSize = 1000")
        const atCap = yield* post(server, {
          query: "query R($n: Int) { project(name: \"proj\", entityName: \"ent\") { runs(first: $n) { edges { node { name } } } } }",
          variables: { n: 1000 }
        })
        expect(atCap.status).toBe(200)
        expect(atCap.body.data.project.runs.edges).toHaveLength(3)
        const samples = yield* gql(server, "{ project(name: \"proj\", entityName: \"ent\") { run(name: \"abc123\") { events(samples: 100001) } } }")
        expect(samples.status).toBe(400)
        expect(messages(samples)).toContain("maxSamples = 100000")
        const specs = yield* gql(
          server,
          `{ project(name: "proj", entityName: "ent") { run(name: "abc123") { sampledHistory(specs: [${
            JSON.stringify(JSON.stringify({ keys: ["loss"], samples: 1e6 }))
          }]) } } }`
        )
        expect(specs.status).toBe(400)
        expect(messages(specs)).toContain("sampledHistory spec samples 1000000")
      }))

    it.effect("$regex is RE2 (linear time): ^(a+)+$ on a 33-character name answers at once; backreferences are refused", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const count = (filters: unknown) =>
          gql(server, runCount(filters).replace("\"proj\"", "\"regex\""))
        // a backtracking engine needs minutes for this (×4 per 2 characters: past the test's
        // timeout); RE2 microseconds
        const evil = yield* count({ displayName: { $regex: "^(a+)+$" } })
        expect(evil.status).toBe(200)
        expect(evil.body.data.project.runCount).toBe(0)
        const matches = yield* count({ displayName: { $regex: "^(a+)+b$" } })
        expect(matches.body.data.project.runCount).toBe(1)
        const backreference = yield* count({ displayName: { $regex: "(a)\\1" } })
        expect(backreference.status).toBe(400)
        expect(messages(backreference)).toContain("invalid $regex")
        // linear, but 1,603 instructions × 40,000 characters is still seconds of work: refused
        const heavy = yield* count({ displayName: { $regex: "(?:a?b?){400}[de]" } })
        expect(heavy.status).toBe(400)
        expect(messages(heavy)).toMatch(/\$regex ".*" is too expensive: \d+ steps on a value of 40000 characters/)
        const long = yield* count({ displayName: { $regex: "a".repeat(1001) } })
        expect(long.status).toBe(400)
        expect(messages(long)).toContain("maxRegexLength = 1000")
      }), 10_000)

    it.effect("filters: 1000 $or clauses and a 5000-deep filter get 400 (not 500, not a stack overflow)", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const wide = yield* gql(server, runCount(manyOr(1000)))
        expect(wide.status).toBe(400)
        expect(messages(wide)).toContain("maxFilterTerms = 1000")
        // as text: JSON.stringify itself overflows the stack on 5000 levels
        const deep = "{\"$and\": [".repeat(5000) + "{\"name\": \"abc123\"}" + "]}".repeat(5000)
        const nested = yield* gql(server, runCount(deep))
        expect(nested.status).toBe(400)
        expect(messages(nested)).toContain("maxFilterDepth = 32")
        // within the limits, a wide $or works: 450 alternatives (901 terms)
        const fits = yield* gql(server, runCount(manyOr(449)))
        expect(fits.status).toBe(200)
        expect(fits.body.data.project.runCount).toBe(1)
      }))

    it.effect("SQLite refusing a statement for its size (LIKE pattern too complex) is a 400 with its reason", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const reply = yield* post(server, {
          query: "query F($p: String) { project(name: \"proj\", entityName: \"ent\") { run(name: \"abc123\") { files(pattern: $p) { edges { node { name } } } } } }",
          variables: { p: "%".repeat(60_000) }
        })
        expect(reply.status).toBe(400)
        expect(messages(reply)).toMatch(/too large for the database: LIKE or GLOB pattern too complex/)
      }))
  })

  layer(seeded({ maxFilterTerms: 10_000 }), { excludeTestServices: true })("raised filter limit", (it) => {
    it.effect("2000 $or clauses compile to a balanced expression SQLite accepts (left-deep it exceeds depth 1000)", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const reply = yield* gql(server, runCount(manyOr(1999)))
        expect(reply.status).toBe(200)
        expect(reply.body.data.project.runCount).toBe(1)
      }))
  })
})
