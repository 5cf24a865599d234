/**
 * The server's own spans: none per request unless `requestSpans` asks for them (they cost the
 * server CPU on every request, and a test server's spans rarely matter).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Tracer } from "effect"
import { LocalServer } from "../src/index.js"
import { gql } from "./fixtures.js"

/** The names of the spans the server makes while answering one query. */
const serverSpans = (requestSpans: boolean | undefined) =>
  Effect.gen(function*() {
    const native = yield* Effect.tracer
    const names: Array<string> = []
    const recording = Tracer.make({
      span: (name, ...rest) => {
        names.push(name)
        return native.span(name, ...rest)
      },
      context: native.context
    })
    yield* Effect.scoped(Effect.gen(function*() {
      const { server } = yield* LocalServer.make({ requestSpans })
      names.length = 0
      const reply = yield* gql(server, "{ viewer { username } }")
      expect(reply.body.data.viewer.username).toBe("demo-user")
    })).pipe(Effect.withTracer(recording))
    return names
  })

describe("request spans", () => {
  it.live("are off by default, on with requestSpans", () =>
    Effect.gen(function*() {
      expect((yield* serverSpans(undefined)).filter((name) => name.startsWith("http.server"))).toEqual([])
      expect((yield* serverSpans(true)).filter((name) => name.startsWith("http.server"))).toEqual(["http.server POST"])
    }))
})
