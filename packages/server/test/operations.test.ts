/**
 * Every GraphQL operation of the server over real HTTP (loopback) with real documents.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { LocalServer } from "../src/index.js"
import {
  BIG_FILE,
  BIG_SIZE,
  demoUserId,
  gql,
  insertHistory,
  insertProject,
  insertRun,
  md5Base64,
  patternBytes,
  post,
  seedMain
} from "./fixtures.js"

const seeded = Layer.effectDiscard(seedMain).pipe(Layer.provideMerge(LocalServer.layerWithSql()))

const RUN = `query Run($entity: String!, $project: String!, $name: String!) {
  project(name: $project, entityName: $entity) { run(name: $name) {
    id name projectId displayName tags state config summaryMetrics systemMetrics sweepName group jobType commit readOnly
    createdAt heartbeatAt description notes historyLineCount historyKeys user { name username }
  } }
}`

const HISTORY = `query H($samples: Int, $minStep: Int64, $maxStep: Int64) {
  project(name: "proj", entityName: "ent") { run(name: "abc123") { history(samples: $samples, minStep: $minStep, maxStep: $maxStep) } }
}`

const SAMPLED = `query S($specs: [JSONString!]!) {
  project(name: "proj", entityName: "ent") { run(name: "abc123") { sampledHistory(specs: $specs) } }
}`

const stepsOf = (rows: ReadonlyArray<string>) =>
  rows.map((r) => JSON.parse(r.replace(/NaN|-?Infinity/g, "null"))._step as number)

describe("operations", () => {
  layer(seeded, { excludeTestServices: true })("over loopback", (it) => {
    it.effect("viewer: the key's owner, without ever echoing the key", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const reply = yield* gql(
          server,
          `query Viewer { viewer { id entity username email admin flags teams { edges { node { name } } }
            apiKeys { edges { node { id name description } } } defaultEntity { name isTeam } } }`
        )
        expect(reply.status).toBe(200)
        const viewer = reply.body.data.viewer
        expect(viewer).toMatchObject({ entity: "demo", username: "demo-user", admin: true, flags: "{}" })
        expect(viewer.apiKeys.edges).toHaveLength(1)
        expect(viewer.defaultEntity).toEqual({ name: "demo", isTeam: true })
        expect(viewer.teams.edges.map((e: any) => e.node.name)).toContain("demo")
        expect(JSON.stringify(reply.body)).not.toContain(Redacted.value(server.apiKey))
      }))

    it.effect("models: projects of an entity, cursor paging, unknown entity → null", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const Q = `query P($entity: String, $cursor: String, $perPage: Int = 50) {
          models(entityName: $entity, after: $cursor, first: $perPage) {
            edges { node { __typename id name entityName createdAt isBenchmark user { username } } cursor }
            pageInfo { __typename endCursor hasNextPage } } }`
        const all = yield* gql(server, Q, { entity: "ent", perPage: null })
        expect(all.body.data.models.edges.map((e: any) => e.node.name)).toEqual(["proj"])
        expect(all.body.data.models.edges[0].node).toMatchObject({ __typename: "Project", entityName: "ent" })
        expect(all.body.data.models.pageInfo).toMatchObject({ __typename: "PageInfo", hasNextPage: false })
        // two more projects, then page one at a time
        for (const name of ["p2", "p3"]) {
          const r = yield* gql(server, `mutation { upsertModel(input: {name: "${name}", entityName: "ent"}) { inserted } }`)
          expect(r.body.data.upsertModel.inserted).toBe(true)
        }
        const seen: Array<string> = []
        let cursor: string | null = null
        for (;;) {
          const page: any = yield* gql(server, Q, { entity: "ent", perPage: 1, cursor })
          const models = page.body.data.models
          seen.push(...models.edges.map((e: any) => e.node.name))
          expect(models.pageInfo.endCursor).toBe(models.edges.at(-1).cursor)
          if (!models.pageInfo.hasNextPage) break
          cursor = models.pageInfo.endCursor
        }
        expect(seen).toEqual(["proj", "p2", "p3"])
        const unknown = yield* gql(server, Q, { entity: "nobody" })
        expect(unknown.body).toEqual({ data: { models: null } })
        const viewerDefault = yield* gql(server, `{ models { edges { node { name } } } }`)
        expect(viewerDefault.body.data.models.edges.map((e: any) => e.node.name)).not.toContain("proj")
      }))

    it.effect("project: fields, unknown project/entity → null with HTTP 200", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const Q = `query($p: String, $e: String) { project(name: $p, entityName: $e) {
          id internalId name entityName readOnly isBenchmark createdAt runCount totalSweeps entity { name } } }`
        const found = yield* gql(server, Q, { p: "proj", e: "ent" })
        expect(found.body.data.project).toMatchObject({
          id: Buffer.from("Project:v1:proj:ent").toString("base64"),
          name: "proj",
          entityName: "ent",
          readOnly: false,
          isBenchmark: false,
          runCount: 3,
          totalSweeps: 1,
          entity: { name: "ent" }
        })
        for (const vars of [{ p: "nope", e: "ent" }, { p: "proj", e: "nobody" }]) {
          const missing = yield* gql(server, Q, vars)
          expect(missing.status).toBe(200)
          expect(missing.body).toEqual({ data: { project: null } })
        }
      }))

    it.effect("run: every field, raw JSON text byte-for-byte, unknown run → null", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const reply = yield* gql(server, RUN, { entity: "ent", project: "proj", name: "abc123" })
        const run = reply.body.data.project.run
        expect(run).toMatchObject({
          id: Buffer.from("Run:v1:abc123:proj:ent").toString("base64"),
          name: "abc123",
          displayName: "run-abc123",
          tags: ["baseline"],
          state: "finished",
          sweepName: "sw1",
          readOnly: false,
          createdAt: "2024-06-01T10:00:03",
          historyLineCount: 12,
          summaryMetrics: "{\"loss\": NaN, \"acc\": 0.9, \"_step\": 11}",
          config: "{\"lr\": {\"value\": 0.02, \"desc\": null}, \"batch_size\": {\"value\": 32, \"desc\": null}}",
          systemMetrics: "{}",
          user: { name: "demo-user", username: "demo-user" },
          historyKeys: { lastStep: 11, keys: { loss: { previousValue: 0.5 } } }
        })
        expect(typeof run.projectId).toBe("number")
        const missing = yield* gql(server, RUN, { entity: "ent", project: "proj", name: "nope" })
        expect(missing.body).toEqual({ data: { project: { run: null } } })
      }))

    it.effect("files: names, pattern, cursor paging, fileCount, url and md5", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const Q = `query F($names: [String] = [], $pattern: String, $first: Int = 50, $after: String) {
          project(name: "proj", entityName: "ent") { run(name: "abc123") { fileCount
            files(names: $names, pattern: $pattern, first: $first, after: $after) {
              edges { node { id name url(upload: false) directUrl sizeBytes mimetype updatedAt md5 } cursor }
              pageInfo { endCursor hasNextPage } } } } }`
        const all = yield* gql(server, Q, {})
        const run = all.body.data.project.run
        expect(run.fileCount).toBe(3)
        expect(run.files.edges.map((e: any) => e.node.name)).toEqual(["config.yaml", BIG_FILE, "x.txt"])
        const big = run.files.edges[1].node
        expect(big).toMatchObject({
          url: `${server.baseUrl}/files/ent/proj/abc123/media/images/big%20sample%20%231.bin`,
          sizeBytes: BIG_SIZE,
          mimetype: "application/octet-stream",
          md5: md5Base64(patternBytes(BIG_SIZE))
        })
        const named = yield* gql(server, Q, { names: ["x.txt", "missing.txt"] })
        expect(named.body.data.project.run.files.edges.map((e: any) => e.node.name)).toEqual(["x.txt"])
        const pattern = yield* gql(server, Q, { pattern: "%.yaml" })
        expect(pattern.body.data.project.run.files.edges.map((e: any) => e.node.name)).toEqual(["config.yaml"])
        const seen: Array<string> = []
        let after: string | null = null
        for (;;) {
          const page: any = yield* gql(server, Q, { first: 2, after })
          const files = page.body.data.project.run.files
          seen.push(...files.edges.map((e: any) => e.node.name))
          expect(files.pageInfo.endCursor).toBe(files.edges.at(-1).cursor)
          if (!files.pageInfo.hasNextPage) break
          after = files.pageInfo.endCursor
        }
        expect(seen).toEqual(["config.yaml", BIG_FILE, "x.txt"])
      }))

    it.effect("history: even sampling over the run (first and last kept), raw rows with bare NaN", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const sampled = yield* gql(server, HISTORY, { samples: 5 })
        expect(stepsOf(sampled.body.data.project.run.history)).toEqual([0, 3, 6, 8, 11])
        const all = yield* gql(server, HISTORY, { samples: 100 })
        const rows: ReadonlyArray<string> = all.body.data.project.run.history
        expect(stepsOf(rows)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        expect(rows[4]).toBe("{\"_step\": 4, \"loss\": NaN, \"acc\": 0.3333333333333333}")
      }))

    it.effect("history: minStep ≤ _step < maxStep, first `samples` rows of the window (scan pages)", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const page = yield* gql(server, HISTORY, { minStep: 4, maxStep: 8, samples: 10 })
        expect(stepsOf(page.body.data.project.run.history)).toEqual([4, 5, 6, 7])
        const capped = yield* gql(server, HISTORY, { minStep: 4, maxStep: 8, samples: 2 })
        expect(stepsOf(capped.body.data.project.run.history)).toEqual([4, 5])
        const past = yield* gql(server, HISTORY, { minStep: 12, maxStep: 20, samples: 10 })
        expect(past.body.data.project.run.history).toEqual([])
        const negative = yield* gql(server, HISTORY, { samples: -1 })
        expect(negative.status).toBe(400)
      }))

    it.effect("events: sampled system rows, raw text", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const Q = `query($s: Int) { project(name: "proj", entityName: "ent") { run(name: "abc123") { events(samples: $s) } } }`
        const three = yield* gql(server, Q, { s: 3 })
        const rows: ReadonlyArray<string> = three.body.data.project.run.events
        expect(rows).toHaveLength(3)
        expect(rows[0]).toContain("1700000000")
        expect(rows[2]).toContain("1700000050")
        const all = yield* gql(server, Q, { s: 50 })
        expect(all.body.data.project.run.events).toHaveLength(6)
        expect(all.body.data.project.run.events[2]).toContain("\"system.cpu\": Infinity")
      }))

    it.effect("sampledHistory: per spec, only rows with every key, only those keys, maxStep inclusive, NaN as string", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const reply = yield* gql(server, SAMPLED, {
          specs: [
            JSON.stringify({ keys: ["_step", "acc"], samples: 100 }),
            JSON.stringify({ keys: ["_step", "loss", "_step"], minStep: 2, maxStep: 6, samples: 5 }),
            JSON.stringify({ keys: ["_step", "loss"], samples: 3 })
          ]
        })
        expect(reply.status).toBe(200)
        const [acc, window, three] = reply.body.data.project.run.sampledHistory
        expect(acc.map((r: any) => r._step)).toEqual([0, 2, 4, 6, 8, 10])
        expect(Object.keys(acc[1]).sort()).toEqual(["_step", "acc"])
        expect(window.map((r: any) => r._step)).toEqual([2, 3, 4, 5, 6])
        expect(window[2]).toEqual({ _step: 4, loss: "NaN" })
        expect(three.map((r: any) => r._step)).toEqual([0, 6, 11])
        const bad = yield* gql(server, SAMPLED, { specs: ["{not json"] })
        expect(bad.status).toBe(400)
        expect(bad.body.errors[0].message).toContain("sampledHistory")
      }))

    it.effect("sampledHistory on a run with very many distinct key sets (LIKE fallback)", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const projectId = yield* insertProject("ent", "wideproj")
        const runId = yield* insertRun(projectId, yield* demoUserId, { name: "wide", createdAt: "2024-07-01T00:00:00" })
        yield* insertHistory(
          runId,
          Array.from({ length: 300 }, (_, i) => `{"_step": ${i}, "m${i}": 1${i % 3 === 0 ? ", \"loss\": NaN" : ""}}`)
        )
        const reply = yield* gql(
          server,
          `query($specs: [JSONString!]!) { project(name: "wideproj", entityName: "ent") { run(name: "wide") { sampledHistory(specs: $specs) } } }`,
          { specs: [JSON.stringify({ keys: ["_step", "loss"], samples: 5 }), JSON.stringify({ keys: ["m7"], samples: 5 })] }
        )
        const [loss, m7] = reply.body.data.project.run.sampledHistory
        expect(loss.map((r: any) => r._step)).toEqual([0, 75, 150, 222, 297])
        expect(loss[0]).toEqual({ _step: 0, loss: "NaN" })
        expect(m7).toEqual([{ m7: 1 }])
      }))

    it.effect("parquetHistory: no parquet files, every step as live data", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const reply = yield* gql(
          server,
          `query($k: [String!]!) { project(name: "proj", entityName: "ent") { run(name: "abc123") {
            parquetHistory(liveKeys: $k) { parquetUrls liveData } } } }`,
          { k: ["_step"] }
        )
        const parquet = reply.body.data.project.run.parquetHistory
        expect(parquet.parquetUrls).toEqual([])
        expect(parquet.liveData).toEqual(Array.from({ length: 12 }, (_, i) => ({ _step: i })))
      }))

    it.effect("sweep: fields, its runs, sweeps listing; unknown sweep → null", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const Q = `query($name: String!) { project(name: "proj", entityName: "ent") { sweep(sweepName: $name) {
          __typename id name displayName method state bestLoss config runCount runCountExpected
          runs(order: "-created_at") { edges { node { name } } } } } }`
        const found = yield* gql(server, Q, { name: "sw1" })
        expect(found.body.data.project.sweep).toMatchObject({
          __typename: "Sweep",
          name: "sw1",
          displayName: "lr-grid",
          method: "grid",
          state: "FINISHED",
          bestLoss: 0.0213,
          runCount: 2,
          runCountExpected: 2,
          runs: { edges: [{ node: { name: "def456" } }, { node: { name: "abc123" } }] }
        })
        expect(found.body.data.project.sweep.config).toContain("method: grid")
        const missing = yield* gql(server, Q, { name: "nope" })
        expect(missing.body).toEqual({ data: { project: { sweep: null } } })
        const list = yield* gql(
          server,
          `{ project(name: "proj", entityName: "ent") { totalSweeps sweeps { edges { node { name } } pageInfo { hasNextPage } } } }`
        )
        expect(list.body.data.project).toEqual({
          totalSweeps: 1,
          sweeps: { edges: [{ node: { name: "sw1" } }], pageInfo: { hasNextPage: false } }
        })
      }))

    it.effect("upsertBucket: create → update by id → read back byte-for-byte; filters see the new summary", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const CREATE = `mutation UpsertBucket($project: String, $entity: String, $name: String!, $state: String) {
          upsertBucket(input: {modelName: $project, entityName: $entity, name: $name, state: $state}) {
            bucket { project { name entity { name } } id name state } inserted } }`
        const created = yield* gql(server, CREATE, { entity: "ent", project: "fresh", name: "n3w0ne", state: "pending" })
        expect(created.body.data.upsertBucket).toEqual({
          bucket: {
            project: { name: "fresh", entity: { name: "ent" } },
            id: Buffer.from("Run:v1:n3w0ne:fresh:ent").toString("base64"),
            name: "n3w0ne",
            state: "pending"
          },
          inserted: true
        })
        const again = yield* gql(server, CREATE, { entity: "ent", project: "fresh", name: "n3w0ne" })
        expect(again.body.data.upsertBucket.inserted).toBe(false)
        const id = created.body.data.upsertBucket.bucket.id
        const config = "{\"lr\": {\"value\": NaN, \"desc\": null}, \"opt\": {\"value\": {\"name\": \"adam\"}, \"desc\": null}}"
        const update = yield* gql(
          server,
          `mutation U($id: String!, $tags: [String!], $config: JSONString!, $notes: String, $display_name: String,
              $groupName: String, $jobType: String, $description: String) {
            upsertBucket(input: {id: $id, tags: $tags, config: $config, notes: $notes, displayName: $display_name,
              groupName: $groupName, jobType: $jobType, description: $description}) { bucket { id name tags displayName } } }`,
          {
            id,
            tags: ["x", "y"],
            config,
            notes: "some notes",
            display_name: "shiny",
            groupName: "g",
            jobType: "eval",
            description: null,
            entity: "undeclared-and-ignored"
          }
        )
        expect(update.body.data.upsertBucket.bucket).toEqual({ id, name: "n3w0ne", tags: ["x", "y"], displayName: "shiny" })
        const summary = "{\"loss\": NaN, \"best\": -Infinity, \"acc\": 0.75}"
        const summaryReply = yield* gql(
          server,
          `mutation S($id: String, $summaryMetrics: JSONString) { upsertBucket(input: {id: $id, summaryMetrics: $summaryMetrics}) { bucket { id } } }`,
          { id, summaryMetrics: summary }
        )
        expect(summaryReply.body.data.upsertBucket.bucket.id).toBe(id)
        const read = yield* gql(server, RUN, { entity: "ent", project: "fresh", name: "n3w0ne" })
        expect(read.body.data.project.run).toMatchObject({
          tags: ["x", "y"],
          config,
          summaryMetrics: summary,
          notes: "some notes",
          displayName: "shiny",
          group: "g",
          jobType: "eval",
          description: null,
          state: "pending"
        })
        const filtered = yield* gql(
          server,
          `query($f: JSONString) { project(name: "fresh", entityName: "ent") { runCount(filters: $f) } }`,
          { f: JSON.stringify({ "summary_metrics.acc": { $gt: 0.5 }, "config.opt.value.name": "adam" }) }
        )
        expect(filtered.body.data.project.runCount).toBe(1)
        const badId = yield* gql(server, `mutation { upsertBucket(input: {id: "bm9wZQ==", notes: "x"}) { inserted } }`)
        expect(badId.status).toBe(400)
        const badJson = yield* gql(
          server,
          `mutation($c: JSONString!) { upsertBucket(input: {name: "zz1", config: $c}) { inserted } }`,
          { c: "{oops" }
        )
        expect(badJson.status).toBe(400)
        expect(badJson.body.errors[0].message).toContain("config")
      }))

    it.effect("updateRunState and deleteRun (then the run is null; deleting it again → 400)", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const created = yield* gql(
          server,
          `mutation { upsertBucket(input: {name: "doomed", modelName: "graveyard", entityName: "ent"}) { bucket { id } } }`
        )
        const id = created.body.data.upsertBucket.bucket.id
        const state = yield* gql(
          server,
          `mutation($input: UpdateRunStateInput!) { updateRunState(input: $input) { success } }`,
          { input: { id, state: "failed" } }
        )
        expect(state.body.data.updateRunState.success).toBe(true)
        const read = yield* gql(server, RUN, { entity: "ent", project: "graveyard", name: "doomed" })
        expect(read.body.data.project.run.state).toBe("failed")
        const deleted = yield* gql(
          server,
          `mutation DeleteRun($id: ID!) { deleteRun(input: {id: $id, deleteArtifacts: false}) { clientMutationId } }`,
          { id }
        )
        expect(deleted.status).toBe(200)
        const gone = yield* gql(server, RUN, { entity: "ent", project: "graveyard", name: "doomed" })
        expect(gone.body.data.project.run).toBeNull()
        const again = yield* gql(server, `mutation($id: ID!) { deleteRun(input: {id: $id}) { clientMutationId } }`, { id })
        expect(again.status).toBe(400)
      }))

    it.effect("upsertModel: creates a project (aliased like api.create_project)", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const Q = `mutation CreateProject($name: String!, $entity: String) {
          result: upsertModel(input: {name: $name, entityName: $entity}) { project { name entityName } model { name } inserted } }`
        const first = yield* gql(server, Q, { name: "made" })
        expect(first.body.data.result).toEqual({
          project: { name: "made", entityName: "demo" },
          model: { name: "made" },
          inserted: true
        })
        const second = yield* gql(server, Q, { name: "made" })
        expect(second.body.data.result.inserted).toBe(false)
      }))

    it.effect("serverInfo and __type probes", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const reply = yield* gql(
          server,
          `{ serverInfo { features { name isEnabled } } ProjectType: __type(name: "Project") { fields { name } } }`
        )
        expect(reply.body.data.serverInfo.features.length).toBeGreaterThan(0)
        expect(reply.body.data.ProjectType.fields.map((f: any) => f.name)).toContain("internalId")
      }))

    it.effect("request forms: comments, fragments, aliases, __typename, @include, missing variables", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const reply = yield* post(server, {
          query: `#graphql
            # a comment
            query Q { p: project(name: "proj", entityName: "ent") { __typename ...F
              sweep(sweepName: "sw1") { name runs @include(if: false) { edges { cursor } } } } }
            fragment F on Project { name }`
        })
        expect(reply.status).toBe(200)
        expect(reply.body).toEqual({ data: { p: { __typename: "Project", name: "proj", sweep: { name: "sw1" } } } })
        const nullName = yield* post(server, { query: "{ viewer { username } }", variables: null, operationName: null })
        expect(nullName.body.data.viewer.username).toBe("demo-user")
      }))

    it.effect("bad requests: 400 with errors [{message, locations}]", () =>
      Effect.gen(function*() {
        const server = yield* LocalServer.LocalServer
        const syntax = yield* post(server, { query: "{ viewer { " })
        expect(syntax.status).toBe(400)
        expect(syntax.body.errors[0].message).toContain("Syntax Error")
        expect(syntax.body.errors[0].locations[0]).toHaveProperty("line")
        const invalid = yield* post(server, { query: "{ viewer { nope } }" })
        expect(invalid.status).toBe(400)
        expect(invalid.body.errors[0].message).toContain("nope")
        expect(invalid.body.errors[0].locations).toEqual([{ line: 1, column: 12 }])
        const missingVar = yield* post(server, { query: "query($n: String!) { project(name: $n) { id } }" })
        expect(missingVar.status).toBe(400)
        const notJson = yield* post(server, "{nope")
        expect(notJson.status).toBe(400)
        expect(notJson.body.errors[0].message).toContain("JSON")
        const badCursor = yield* gql(server, `{ project(name: "proj", entityName: "ent") { runs(after: "garbage") { edges { cursor } } } }`)
        expect(badCursor.status).toBe(400)
        expect(badCursor.body.errors[0].message).toContain("cursor")
      }))
  })
})
