/**
 * Per-request overhead: the client CPU one small GraphQL request costs through
 * `GraphQLClient.execute` (over `NodeWandb.layer`: auth, headers, retry policy, timeout, span,
 * status and error mapping, `Schema` decoding) against `fetch` + `JSON.parse` of the same
 * answer, and against a bare `node:http` request + `JSON.parse` (the cheapest a client can be on
 * Node, and the stack `NodeWandb` runs on).
 *
 *   pnpm exec tsx bench/request-overhead.ts [--requests N] [--rounds N] [--quick] [--write]
 *
 * The server is a canned `node:http` answer in this process (the same small `data` every time),
 * so what the children measure is the client alone; each client runs in its own child process
 * (this file bundled by esbuild, plain `node`), `--requests` sequential requests after a warm-up
 * of 200, and reports its CPU time (user + system) per request. Rounds alternate the clients.
 * `--quick` (CI) checks only that every client got every answer right.
 */
import { GraphQLClient } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { Effect, ManagedRuntime, Redacted, Schema } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { numberFlag } from "./src/args.js"
import { bundleChild, main, runChild } from "./src/child.js"
import { writeSection } from "./src/results.js"
import { median } from "./src/stats.js"

const QUICK = process.argv.includes("--quick")
const REQUESTS = numberFlag("--requests", QUICK ? 300 : 5000)
const ROUNDS = numberFlag("--rounds", QUICK ? 1 : 3)
const WARM_UP = 200
const API_KEY = "bench-request-overhead-key-0123456789"

/** The answer every request gets (what `GetViewer` returns for a small account). */
const ANSWER = JSON.stringify({
  data: { viewer: { id: "VXNlcjox", username: "bench", entity: "bench", teams: { edges: [{ node: { name: "acme-ml" } }] } } }
})
const Viewer = Schema.Struct({
  viewer: Schema.Struct({
    id: Schema.String,
    username: Schema.String,
    entity: Schema.String,
    teams: Schema.Struct({ edges: Schema.Array(Schema.Struct({ node: Schema.Struct({ name: Schema.String }) })) })
  })
})
const operation = GraphQLClient.operation(
  "GetViewer",
  "query GetViewer { viewer { id username entity teams { edges { node { name } } } } }",
  Viewer
)

type Client = "effect-wandb" | "fetch" | "node-http"

interface Measurement {
  readonly client: Client
  readonly requests: number
  /** Answers whose `viewer.teams` had the one expected team. */
  readonly correct: number
  readonly seconds: number
  readonly cpuSeconds: number
}

// ---------------------------------------------------------------- child: one client, N requests

const body = JSON.stringify({ query: operation.document, operationName: operation.name })
const authorization = `Basic ${Buffer.from(`api:${API_KEY}`).toString("base64")}`

/** One request per client, resolving to the team name of the answer. */
const clients = (baseUrl: string): Record<Client, () => Promise<string>> => {
  const runtime = ManagedRuntime.make(NodeWandb.layer({ baseUrl, apiKey: Redacted.make(API_KEY) }))
  const execute = Effect.flatMap(GraphQLClient.GraphQLClient, (gql) => gql.execute(operation))
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const url = new URL(`${baseUrl}/graphql`)
  return {
    "effect-wandb": async () => (await runtime.runPromise(execute)).viewer.teams.edges[0]!.node.name,
    fetch: async () => {
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body
      })
      return JSON.parse(await response.text()).data.viewer.teams.edges[0].node.name
    },
    "node-http": () =>
      new Promise((resolve, reject) => {
        const request = http.request(url, {
          method: "POST",
          agent,
          headers: { authorization, "content-type": "application/json", "content-length": Buffer.byteLength(body) }
        }, (response) => {
          const parts: Array<Buffer> = []
          response.on("data", (part: Buffer) => parts.push(part))
          response.on("end", () => resolve(JSON.parse(Buffer.concat(parts).toString("utf8")).data.viewer.teams.edges[0].node.name))
          response.on("error", reject)
        })
        request.on("error", reject)
        request.end(body)
      })
  }
}

const child = async (client: Client) => {
  const one = clients(process.env.BENCH_BASE_URL!)[client]
  for (let i = 0; i < WARM_UP; i++) await one()
  let correct = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < REQUESTS; i++) if ((await one()) === "acme-ml") correct++
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  const measurement: Measurement = { client, requests: REQUESTS, correct, seconds, cpuSeconds: (used.user + used.system) / 1e6 }
  console.log(JSON.stringify(measurement))
  process.exit(0)
}

// ---------------------------------------------------------------- parent: canned server, children

/** TCP connections the canned server accepted (a client reusing its connections opens few). */
const connections = { count: 0 }

const serve = Effect.acquireRelease(
  Effect.async<http.Server>((resume) => {
    const server = http.createServer((request, response) => {
      request.resume()
      request.on("end", () => {
        if (request.headers.authorization !== authorization) {
          response.writeHead(401).end()
          return
        }
        response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(ANSWER) })
        response.end(ANSWER)
      })
    })
    server.keepAliveTimeout = 60_000
    server.on("connection", () => connections.count++)
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
      server.closeAllConnections()
    })
)

const fmtMs = (seconds: number) => (seconds * 1000).toFixed(3)

const parent = Effect.gen(function*() {
  const server = yield* serve
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const dir = mkdtempSync(join(tmpdir(), "wandb-bench-overhead-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  const bundle = join(dir, "request-overhead-child.mjs")
  yield* bundleChild(import.meta.url, bundle)
  const order: ReadonlyArray<Client> = ["effect-wandb", "fetch", "node-http"]
  const all: Array<Measurement> = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const client of order) {
      const opened = connections.count
      const m = yield* runChild<Measurement>(client, [bundle, "--child", client, "--requests", String(REQUESTS)], {
        env: { BENCH_BASE_URL: baseUrl }
      })
      console.error(
        `round ${round} ${client}: ${fmtMs(m.cpuSeconds / m.requests)} ms CPU and ${fmtMs(m.seconds / m.requests)} ms per request, ${connections.count - opened} connections (load ${loadavg()[0]!.toFixed(2)})`
      )
      if (m.correct !== m.requests) return yield* Effect.fail(new Error(`${client}: ${m.correct} of ${m.requests} answers right`))
      all.push(m)
    }
  }
  const perRequest = (client: Client, field: "cpuSeconds" | "seconds") =>
    median(all.filter((m) => m.client === client).map((m) => m[field] / m.requests))
  const extra = perRequest("effect-wandb", "cpuSeconds") - perRequest("fetch", "cpuSeconds")
  const extraHttp = perRequest("effect-wandb", "cpuSeconds") - perRequest("node-http", "cpuSeconds")
  const table = [
    "| client | CPU per request | wall time per request | extra CPU of `GraphQLClient.execute` |",
    "| --- | --- | --- | --- |",
    ...order.map((client) =>
      `| ${client === "effect-wandb" ? "`GraphQLClient.execute` (`NodeWandb.layer`)" : client === "fetch" ? "`fetch` + `JSON.parse`" : "`node:http` request + `JSON.parse`"} | ${
        fmtMs(perRequest(client, "cpuSeconds"))
      } ms | ${fmtMs(perRequest(client, "seconds"))} ms | ${
        client === "fetch" ? `${fmtMs(extra)} ms` : client === "node-http" ? `${fmtMs(extraHttp)} ms` : "—"
      } |`
    )
  ].join("\n")
  const verdict = `- Extra CPU per request against \`fetch\` + \`JSON.parse\`: ${fmtMs(extra)} ms (target ≤ 0.3 ms: ${
    extra <= 0.0003 ? "met" : "NOT met"
  }).`
  console.log(`${table}\n\n${verdict}`)
  if (process.argv.includes("--write")) {
    writeSection("Per-request overhead", [
      `Command: \`pnpm exec tsx bench/request-overhead.ts --write\` (${new Date().toISOString().slice(0, 16)}Z, Node ${process.version},`,
      `${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)} at the end). ${REQUESTS} sequential requests per client after`,
      `${WARM_UP} for warm-up, each client in its own process (plain node, bundled), against a canned \`node:http\` answer of`,
      `${ANSWER.length} bytes in the parent (so the figures are the client's alone); medians of ${ROUNDS} alternating rounds.`,
      "",
      table,
      "",
      verdict,
      "",
      "What bounds it (2026-12-05; CPU profile of the `GraphQLClient.execute` child, 2200 requests, `BENCH_NODE_ARGS`):",
      "- Against the bare `node:http` request (the stack `NodeWandb` runs on) the Effect path costs about 0.9 ms more per",
      "  request: garbage collection about 0.5 ms (0.16 ms for the bare request: the fibers, spans, request and response",
      "  wrappers, the per-attempt timeout's fiber and timer, and the retry loop each request allocates), the Effect",
      "  runtime itself (fiber run loop, FiberRef reads, span bookkeeping) the rest. `fetch` (undici) is itself about",
      "  0.55 ms above the bare request, which is why the margin over it is small.",
      "- Tried: spans without a captured stack trace (an `Error` per request, about 0.07 ms; in place). One connection",
      "  per client for the whole run (counted by the server): keep-alive works, no connection set-up per request.",
      "- Measured by taking each part out (2026-12-06, load average about 2, 3 rounds each; the bare `node:http` client",
      "  is the steadiest reference): the Effect path's excess over it was 0.94–0.99 ms with everything, 0.83 ms without",
      "  the per-attempt timeout (`Effect.timeoutFail` forks two fibers per attempt: the attempt and the clock's sleep)",
      "  and 0.83 ms without the operation's span. The timeout stays: it is the only guard against a server that takes",
      "  the request and never answers; a timeout of its own would still need the attempt in a fiber of its own to",
      "  interrupt it alone, and would have to keep to Effect's `Clock` (the tests drive the retry waits with `TestClock`).",
      "- Changed (2026-12-06): each GraphQL request made two spans, the operation's and, inside it, the HTTP client's",
      "  (URL and header attributes, redacted copies of both header sets, `traceparent` and `b3` headers sent to W&B).",
      "  GraphQL requests now skip the HTTP client's (`HttpClient.currentTracerDisabledWhen`); the operation's span",
      "  stays. Excess over the bare request 0.79–0.83 ms in three runs of 3 rounds (0.94–0.99 before), 0.30, 0.23 and",
      "  0.30 ms above `fetch` (the last in the table of that day). Runs of the code before it: 0.31 ms above `fetch` on 2026-12-05, 0.42, 0.27, 0.43 and 0.33 ms",
      "  on 2026-12-06 (`fetch`'s own CPU per request moved between 0.64 and 0.81 ms across the runs).",
      "- Changed later on 2026-12-06: `NodeWandb` runs on effect-wandb's own `node:http` client",
      "  (`platform-node/src/internal/nodeHttpClient.ts`: one `Effect.async` per request, no fiber forked to write the",
      "  body) instead of `@effect/platform-node`'s `NodeHttpClient`. First run: 0.55 ms above the bare request and",
      "  0.015 ms above `fetch` (0.707 against 0.692 ms of CPU per request)."
    ])
  }
})

await main<Client>(parent, child)
