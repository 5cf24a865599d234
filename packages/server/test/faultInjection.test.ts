/**
 * FaultInjection: the plan's text form, deterministic decisions with the consecutive-fault
 * cap, and what each fault kind looks like on the wire (raw fetch over loopback).
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { FaultInjection, LocalServer } from "../src/index.js"
import { BIG_FILE, BIG_SIZE, basic, md5Base64, patternBytes, seedMain } from "./fixtures.js"

const bigPath = `/files/ent/proj/abc123/${BIG_FILE.split("/").map(encodeURIComponent).join("/")}`
const viewer = JSON.stringify({ query: "query Viewer { viewer { username } }", operationName: "Viewer" })

/** A server with the fixtures, `plan` injected. */
const serverWith = (plan: FaultInjection.FaultPlan | string) =>
  Effect.gen(function*() {
    const faults = yield* FaultInjection.make(plan)
    const { server, sql } = yield* LocalServer.make({ faults })
    yield* Effect.provideService(seedMain, SqlClient.SqlClient, sql)
    return { server, faults }
  })

interface Outcome {
  readonly status: number | "broken"
  readonly headers?: Headers
  readonly bytes?: Uint8Array
}

/** One request; `broken` when the connection failed or the body could not be read whole. */
const send = (server: LocalServer.LocalServer["Type"], path: string, body?: string, signal?: AbortSignal) =>
  Effect.promise(async (): Promise<Outcome> => {
    try {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: basic(Redacted.value(server.apiKey)), "content-type": "application/json" },
        ...(body === undefined ? {} : { body }),
        ...(signal === undefined ? {} : { signal })
      })
      const bytes = new Uint8Array(await response.arrayBuffer())
      return { status: response.status, headers: response.headers, bytes }
    } catch {
      return { status: "broken" }
    }
  })

const text = (outcome: Outcome) => new TextDecoder().decode(outcome.bytes)

describe("FaultInjection.parse", () => {
  it("reads rules, routes and settings", () => {
    const plan = Either.getOrThrow(
      FaultInjection.parse("503=0.2, drop@files=0.1,truncate@graphql:Runs=0.3,max-consecutive=2,retry-after=0,seed=9")
    )
    expect(plan).toEqual({
      rules: [
        { kind: "503", rate: 0.2 },
        { kind: "drop", rate: 0.1, route: "files" },
        { kind: "truncate", rate: 0.3, route: "graphql:Runs" }
      ],
      seed: 9,
      maxConsecutive: 2,
      slowMs: 5000,
      retryAfterSeconds: 0
    })
    expect(Either.getOrThrow(FaultInjection.parse("")).rules).toEqual([])
  })

  it("refuses bad specs with a reason", () => {
    const reason = (spec: string) => Either.match(FaultInjection.parse(spec), { onLeft: (e) => e.message, onRight: () => "ok" })
    expect(reason("404=0.5")).toContain("unknown fault kind or setting \"404\"")
    expect(reason("503=1.5")).toContain("between 0 and 1")
    expect(reason("503")).toContain("expected kind[@route]=rate")
    expect(reason("503=abc")).toContain("503 needs a number")
    expect(reason("corrupt@graphql=0.1")).toContain("corrupt does not apply to graphql")
    expect(reason("graphql-errors@files=0.1")).toContain("does not apply to files")
    expect(reason("stall@graphql=0.1")).toContain("stall does not apply to graphql")
    expect(reason("503@nowhere=0.1")).toContain("unknown route")
    expect(reason("503=0.6,429=0.6")).toContain("add up to 1.2")
    expect(reason("503=0.6,429@graphql:Runs=0.6")).toContain("graphql:Runs add up to 1.2")
    expect(reason("max-consecutive=0")).toContain("max-consecutive must be a positive integer")
  })

  it.effect("make refuses an invalid plan object with FaultSpecError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(FaultInjection.make({ rules: [{ kind: "503", rate: -1 }] }))
      expect(error._tag).toBe("FaultSpecError")
    }))
})

describe("FaultInjection on the wire", () => {
  it.scopedLive("status faults: JSON errors, Retry-After on 429/503; counters per kind", () =>
    Effect.gen(function*() {
      for (const kind of ["500", "502", "503", "429"] as const) {
        const { faults, server } = yield* serverWith(`${kind}=1,max-consecutive=100,retry-after=7`)
        const reply = yield* send(server, "/graphql", viewer)
        expect(reply.status).toBe(Number(kind))
        expect(JSON.parse(text(reply)).errors[0].message).toBe(`injected fault: ${kind}`)
        expect(reply.headers!.get("retry-after")).toBe(kind === "503" || kind === "429" ? "7" : null)
        const file = yield* send(server, bigPath)
        expect(file.status).toBe(Number(kind))
        const counters = yield* faults.counters
        expect(counters).toMatchObject({ requests: 2, repeated: 0, injected: 2 })
        expect(counters.byKind[kind]).toBe(2)
      }
    }))

  it.scopedLive("html: 502 with a proxy page; graphql-errors: 200 with errors and null data", () =>
    Effect.gen(function*() {
      const html = yield* serverWith("html=1,max-consecutive=100")
      const page = yield* send(html.server, "/graphql", viewer)
      expect(page.status).toBe(502)
      expect(page.headers!.get("content-type")).toContain("text/html")
      expect(text(page)).toContain("<h1>502 Bad Gateway</h1>")
      const errors = yield* serverWith("graphql-errors=1,max-consecutive=100")
      const reply = yield* send(errors.server, "/graphql", viewer)
      expect(reply.status).toBe(200)
      expect(JSON.parse(text(reply))).toEqual({ data: null, errors: [{ message: "injected fault: graphql-errors" }] })
      // graphql-errors never touches files
      const file = yield* send(errors.server, bigPath)
      expect(file.status).toBe(200)
    }))

  it.scopedLive("drop and truncate break the response; a truncated file sends part of its bytes", () =>
    Effect.gen(function*() {
      const drop = yield* serverWith("drop=1,max-consecutive=100")
      expect((yield* send(drop.server, "/graphql", viewer)).status).toBe("broken")
      expect((yield* send(drop.server, bigPath)).status).toBe("broken")
      const truncate = yield* serverWith("truncate=1,max-consecutive=100")
      expect((yield* send(truncate.server, "/graphql", viewer)).status).toBe("broken")
      const received = yield* Effect.promise(async () => {
        const response = await fetch(`${truncate.server.baseUrl}${bigPath}`, {
          headers: { authorization: basic(Redacted.value(truncate.server.apiKey)) }
        })
        const reader = response.body!.getReader()
        let bytes = 0
        try {
          for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.length
          return { bytes, complete: true, length: response.headers.get("content-length") }
        } catch {
          return { bytes, complete: false, length: response.headers.get("content-length") }
        }
      })
      // part of the file arrives (bytes still buffered when the socket is destroyed are lost)
      expect(received).toMatchObject({ complete: false, length: String(BIG_SIZE) })
      expect(received.bytes).toBeLessThanOrEqual(Math.floor(BIG_SIZE / 2))
      expect((yield* truncate.faults.counters).byKind.truncate).toBe(2)
    }))

  it.scopedLive("corrupt: same length, one byte differs, md5 no longer matches", () =>
    Effect.gen(function*() {
      const { server } = yield* serverWith("corrupt=1,max-consecutive=100")
      const reply = yield* send(server, bigPath)
      const original = patternBytes(BIG_SIZE)
      expect(reply.status).toBe(200)
      expect(reply.bytes!.length).toBe(BIG_SIZE)
      expect(reply.bytes!.filter((byte, i) => byte !== original[i]).length).toBe(1)
      expect(md5Base64(reply.bytes!)).not.toBe(reply.headers!.get("x-wandb-md5"))
    }))

  it.scopedLive("stall: the file body pauses after its first bytes, then arrives whole", () =>
    Effect.gen(function*() {
      const { faults, server } = yield* serverWith("stall=1,slow-ms=50,max-consecutive=100")
      const reply = yield* send(server, bigPath)
      expect(reply.status).toBe(200)
      expect(Buffer.compare(reply.bytes!, patternBytes(BIG_SIZE))).toBe(0)
      expect((yield* faults.counters).byKind.stall).toBe(1)
      // GraphQL answers are never stalled
      expect((yield* send(server, "/graphql", viewer)).status).toBe(200)
      expect((yield* faults.counters).injected).toBe(1)
    }))

  it.scopedLive("slow: the answer is held for slow-ms (a client with a shorter timeout gives up)", () =>
    Effect.gen(function*() {
      const { faults, server } = yield* serverWith("slow=1,slow-ms=60000,max-consecutive=100")
      const reply = yield* send(server, "/graphql", viewer, AbortSignal.timeout(200))
      expect(reply.status).toBe("broken")
      expect((yield* faults.counters).byKind.slow).toBe(1)
    }))

  it.scopedLive("operation routes hit only that operation; other paths are never faulted", () =>
    Effect.gen(function*() {
      const { server } = yield* serverWith("503@graphql:Viewer=1,max-consecutive=100")
      expect((yield* send(server, "/graphql", viewer)).status).toBe(503)
      const other = JSON.stringify({ query: "query Other { viewer { username } }", operationName: "Other" })
      expect((yield* send(server, "/graphql", other)).status).toBe(200)
      expect((yield* send(server, bigPath)).status).toBe(200)
    }))

  it.scopedLive("deterministic per request and seed; the cap lets the request through after max-consecutive faults", () =>
    Effect.gen(function*() {
      const statuses = (seed: number) =>
        Effect.gen(function*() {
          const { faults, server } = yield* serverWith(`503=0.5,max-consecutive=2,retry-after=0,seed=${seed}`)
          const out: Array<number | "broken"> = []
          for (let i = 0; i < 40; i++) out.push((yield* send(server, "/graphql", viewer)).status)
          return { out, counters: yield* faults.counters }
        })
      const a = yield* statuses(3)
      const b = yield* statuses(3)
      const c = yield* statuses(4)
      expect(a.out).toEqual(b.out)
      expect(a.out).not.toEqual(c.out)
      expect(a.out.filter((s) => s === 503).length).toBeGreaterThan(5)
      expect(a.out.join(",")).not.toContain("503,503,503")
      expect(a.counters).toMatchObject({ requests: 40, repeated: 39, injected: a.out.filter((s) => s === 503).length })
    }))

  it.scopedLive("setPlan switches plans and resets the counters", () =>
    Effect.gen(function*() {
      const { faults, server } = yield* serverWith("503=1,max-consecutive=100")
      expect((yield* send(server, "/graphql", viewer)).status).toBe(503)
      yield* faults.setPlan("")
      expect((yield* faults.counters).requests).toBe(0)
      expect((yield* send(server, "/graphql", viewer)).status).toBe(200)
      expect((yield* faults.counters)).toMatchObject({ requests: 1, injected: 0 })
      expect(yield* Effect.flip(faults.setPlan("nope=1"))).toBeInstanceOf(FaultInjection.FaultSpecError)
    }))
})
