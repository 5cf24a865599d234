/**
 * Every typed error of the client, produced over real HTTP (loopback): the local server, its
 * fault-injection seam for statuses it never sends by itself, and a closed port.
 */
import { describe, expect, it } from "@effect/vitest"
import { WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { LocalServer } from "@effect-wandb/server"
import { HttpServerResponse } from "@effect/platform"
import { Effect, Option, Redacted, Stream } from "effect"

const KEY = LocalServer.DEFAULT_API_KEY
const fast = { maxAttempts: 3, baseDelay: "5 millis", maxDelay: "20 millis", maxRetryTime: "10 seconds" } as const

/** Runs `f` against a fresh server (with `faultInjection`) and a client configured by `client`. */
const against = <A, E>(
  f: (api: WandbApi.WandbApi["Type"]) => Effect.Effect<A, E>,
  options: { readonly fault?: LocalServer.FaultInjection; readonly client?: WandbConfig.Options } = {}
) =>
  Effect.gen(function*() {
    const { server } = yield* LocalServer.make({ faultInjection: options.fault })
    return yield* Effect.flatMap(WandbApi.WandbApi, f).pipe(
      Effect.provide(
        NodeWandb.layerFrom(
          WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey, retry: fast, ...options.client })
        )
      )
    )
  })

/** Answers every request with `response` (counting them), or lets requests after `times` through. */
const answer = (response: () => HttpServerResponse.HttpServerResponse, times = Infinity) => {
  let count = 0
  const fault: LocalServer.FaultInjection = () =>
    Effect.sync(() => (++count <= times ? Option.some(response()) : Option.none()))
  return { fault, count: () => count }
}

/** The key must appear nowhere in a failure: message, JSON, or string form. */
const expectNoKey = (error: unknown) => {
  for (const text of [String(error), JSON.stringify(error), (error as Error).message]) {
    expect(text).not.toContain(KEY)
    expect(text).not.toContain(btoa(`api:${KEY}`))
  }
}

describe("typed errors over loopback", () => {
  it.scopedLive("Unauthorized: wrong key (HTTP 401 from the server)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(against((api) => api.viewer, { client: { apiKey: `${KEY}x` } }))
      expect(error._tag).toBe("Unauthorized")
      expectNoKey(error)
    }))

  it.scopedLive("Unauthorized: no key at all", () =>
    Effect.gen(function*() {
      const { server } = yield* LocalServer.make()
      const error = yield* Effect.flip(
        Effect.flatMap(WandbApi.WandbApi, (api) => api.run("demo/p/r")).pipe(
          Effect.provide(NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl })))
        )
      )
      expect(error._tag).toBe("Unauthorized")
    }))

  it.scopedLive("PermissionDenied: HTTP 403", () =>
    Effect.gen(function*() {
      const { fault } = answer(() => HttpServerResponse.unsafeJson({ errors: [{ message: "forbidden for demo" }] }, { status: 403 }))
      const error = yield* Effect.flip(against((api) => api.project("demo/p"), { fault }))
      expect(error).toMatchObject({ _tag: "PermissionDenied", reason: "forbidden for demo" })
      expectNoKey(error)
    }))

  it.scopedLive("PermissionDenied: GraphQL error with HTTP 200", () =>
    Effect.gen(function*() {
      const { fault } = answer(() =>
        HttpServerResponse.unsafeJson({ data: { project: null }, errors: [{ message: "permission denied", path: ["project"] }] })
      )
      const error = yield* Effect.flip(against((api) => api.project("demo/p"), { fault }))
      expect(error).toMatchObject({ _tag: "PermissionDenied", reason: "permission denied" })
    }))

  it.scopedLive("RateLimited: 429 with Retry-After outlasting the attempts", () =>
    Effect.gen(function*() {
      const { fault, count } = answer(() =>
        HttpServerResponse.unsafeJson({ error: "slow down" }, { status: 429, headers: { "retry-after": "0" } })
      )
      const error = yield* Effect.flip(against((api) => api.viewer, { fault }))
      expect(error).toMatchObject({ _tag: "RateLimited", attempts: 3, retryAfterMillis: 0, reason: "slow down" })
      expect(count()).toBe(3)
    }))

  it.scopedLive("transient 503s are retried and the call succeeds", () =>
    Effect.gen(function*() {
      const { fault, count } = answer(() => HttpServerResponse.text("unavailable", { status: 503 }), 2)
      const viewer = yield* against((api) => api.viewer, { fault })
      expect(viewer.username).toBe(LocalServer.DEFAULT_USERNAME)
      expect(count()).toBe(3)
    }))

  it.scopedLive("ServerError: 500 after the retry budget, with status, attempts and message", () =>
    Effect.gen(function*() {
      const { fault } = answer(() => HttpServerResponse.unsafeJson({ errors: [{ message: "database on fire" }] }, { status: 500 }))
      const error = yield* Effect.flip(against((api) => api.viewer, { fault }))
      expect(error).toMatchObject({ _tag: "ServerError", status: 500, attempts: 3, reason: "database on fire" })
      expectNoKey(error)
    }))

  it.scopedLive("ServerError: a GraphQL document the server rejects (HTTP 400, not a runs listing)", () =>
    Effect.gen(function*() {
      const { fault, count } = answer(() => HttpServerResponse.unsafeJson({ errors: [{ message: "Cannot query field" }] }, { status: 400 }))
      const error = yield* Effect.flip(against((api) => api.run("demo/p/r"), { fault }))
      expect(error).toMatchObject({ _tag: "ServerError", status: 400, attempts: 1 })
      expect(count()).toBe(1)
    }))

  it.scopedLive("TransportError: a 200 answer that is not JSON, after the retry budget", () =>
    Effect.gen(function*() {
      const { count, fault } = answer(() => HttpServerResponse.text("<html>proxy error</html>", { status: 200 }))
      const error = yield* Effect.flip(against((api) => api.viewer, { fault }))
      expect(error).toMatchObject({ _tag: "TransportError", attempts: 3 })
      expect(error.message).toContain("not valid JSON")
      expect(error.message).toContain("proxy error")
      expect(count()).toBe(3)
    }))

  it.scopedLive("a 200 answer with its JSON cut short (complete body) is asked for again", () =>
    Effect.gen(function*() {
      const { count, fault } = answer(() => HttpServerResponse.text("{\"data\":{\"viewer\":{\"id", { status: 200 }), 2)
      const viewer = yield* against((api) => api.viewer, { fault })
      expect(viewer).toBeDefined()
      expect(count()).toBe(3)
    }))

  it.scopedLive("DecodeError: an answer of the wrong shape names the field", () =>
    Effect.gen(function*() {
      const { fault } = answer(() => HttpServerResponse.unsafeJson({ data: { viewer: { id: 42 } } }))
      const error = yield* Effect.flip(against((api) => api.viewer, { fault }))
      expect(error).toMatchObject({ _tag: "DecodeError", entity: "GetViewer", field: "data.viewer.id" })
    }))

  it.scopedLive("TransportError: nothing listens on the port", () =>
    Effect.gen(function*() {
      // start a server to learn a free port, then stop it
      const baseUrl = yield* Effect.scoped(Effect.map(LocalServer.make(), ({ server }) => server.baseUrl))
      const error = yield* Effect.flip(
        Effect.flatMap(WandbApi.WandbApi, (api) => api.viewer).pipe(
          Effect.provide(NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl, apiKey: Redacted.make(KEY), retry: fast })))
        )
      )
      expect(error).toMatchObject({ _tag: "TransportError", attempts: 3 })
      expectNoKey(error)
    }))

  it.scopedLive("TransportError: per-attempt timeout against a server that never answers", () =>
    Effect.gen(function*() {
      const fault: LocalServer.FaultInjection = () => Effect.as(Effect.never, Option.none())
      const error = yield* Effect.flip(
        against((api) => api.viewer, { fault, client: { timeout: "100 millis", retry: { ...fast, maxAttempts: 2 } } })
      )
      expect(error).toMatchObject({ _tag: "TransportError", attempts: 2 })
      expect(error.message).toContain("no response within")
    }))

  it.scopedLive("not-found and invalid-input errors carry what was asked for", () =>
    Effect.gen(function*() {
      const errors = yield* against((api) =>
        Effect.all([
          Effect.flip(api.project("demo/none")),
          Effect.flip(api.run("demo/none/r1")),
          Effect.flip(api.sweep("demo/none/s1")),
          Effect.flip(Stream.runDrain(api.projects("ghost"))),
          Effect.flip(api.file("demo/none/r1", "a.txt")),
          Effect.flip(Stream.runDrain(api.runs("demo/none", { filters: { "summary.x": 1 } }))),
          Effect.flip(api.run("a/b/c/d/e")),
          Effect.flip(Stream.runDrain(api.files("demo/p/r", { perPage: 5000 })))
        ]))
      expect(errors.map((error) => error._tag)).toEqual([
        "ProjectNotFound",
        "RunNotFound",
        "SweepNotFound",
        "EntityNotFound",
        "RunNotFound",
        "ProjectNotFound",
        "InvalidPath",
        "InvalidArgument"
      ])
      expect(errors[1]).toMatchObject({ entity: "demo", project: "none", runId: "r1" })
      expect(errors[2]).toMatchObject({ sweepId: "s1" })
      errors.forEach(expectNoKey)
    }))
})
