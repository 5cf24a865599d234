import { describe, expect, it } from "@effect/vitest"
import { GraphQLClient, WandbConfig, WandbHttpClient } from "@effect-wandb/core"
import { Effect, Fiber, Layer, Schema, TestClock, Tracer } from "effect"
import * as FakeHttp from "./FakeHttp.js"

const KEY = "local-0123456789abcdef0123456789abcdef01234567"

const Viewer = GraphQLClient.operation(
  "Viewer",
  "query Viewer { viewer { id entity } }",
  Schema.Struct({ viewer: Schema.NullOr(Schema.Struct({ id: Schema.String, entity: Schema.String })) })
)

/** The transport over a fake HTTP client; no environment is read. */
const transport = (fake: ReturnType<typeof FakeHttp.make>, options: WandbConfig.Options = {}) =>
  GraphQLClient.layer.pipe(
    Layer.provideMerge(WandbHttpClient.layer),
    Layer.provideMerge(WandbConfig.layerWithoutEnv({ apiKey: KEY, baseUrl: "https://api.example.test/", ...options })),
    Layer.provide(fake.layer)
  )

const execute = (fake: ReturnType<typeof FakeHttp.make>, options?: WandbConfig.Options) =>
  Effect.flatMap(GraphQLClient.GraphQLClient, (gql) => gql.execute(Viewer, { x: 1 })).pipe(
    Effect.provide(transport(fake, options))
  )

const expectNoKey = (error: unknown) => {
  const text = `${String(error)} ${JSON.stringify(error)}`
  expect(text).not.toContain(KEY)
  expect(text).not.toContain(btoa(`api:${KEY}`))
}

describe("GraphQLClient", () => {
  it.effect("posts the query to {baseUrl}/graphql with the official headers", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.make(() => FakeHttp.json({ data: { viewer: { id: "u1", entity: "acme" } } }))
      const result = yield* execute(fake)
      expect(result).toEqual({ viewer: { id: "u1", entity: "acme" } })
      const [request] = fake.requests
      expect(request!.method).toBe("POST")
      expect(request!.url).toBe("https://api.example.test/graphql")
      expect(request!.headers["authorization"]).toBe(`Basic ${btoa(`api:${KEY}`)}`)
      expect(request!.headers["user-agent"]).toBe("W&B Public Client effect-wandb/0.1.0")
      expect(request!.headers["use-admin-privileges"]).toBe("true")
      expect(request!.headers["content-type"]).toBe("application/json")
      expect(request!.body).toEqual({ query: Viewer.document, variables: { x: 1 }, operationName: "Viewer" })
    }))

  it.effect("returns data its schema would not change as it is; data to transform or reject still goes through the schema", () =>
    Effect.gen(function*() {
      const Counted = GraphQLClient.operation(
        "Counted",
        "query Counted { run { name count } }",
        Schema.Struct({ run: Schema.Struct({ name: Schema.String, count: Schema.Union(Schema.Number, Schema.NumberFromString) }) })
      )
      const answers = [
        { run: { name: "a", count: 3, extra: true } },
        { run: { name: "b", count: "4" } },
        { run: { name: 5, count: 6 } }
      ]
      const fake = FakeHttp.make(() => FakeHttp.json({ data: answers.shift() }))
      const run = Effect.flatMap(GraphQLClient.GraphQLClient, (gql) => gql.execute(Counted)).pipe(
        Effect.provide(transport(fake))
      )
      // as sent: the schema's decoding would have dropped `extra`
      expect(yield* run).toEqual({ run: { name: "a", count: 3, extra: true } })
      expect(yield* run).toEqual({ run: { name: "b", count: 4 } })
      const error = yield* Effect.flip(run)
      expect(error._tag).toBe("DecodeError")
      expect(error).toMatchObject({ entity: "Counted", field: "data.run.name" })
    }))

  it.effect("omits empty variables", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.make(() => FakeHttp.json({ data: { viewer: null } }))
      yield* Effect.flatMap(GraphQLClient.GraphQLClient, (gql) => gql.execute(Viewer, {})).pipe(
        Effect.provide(transport(fake))
      )
      expect("variables" in fake.requests[0]!.body).toBe(false)
    }))

  it.effect("sends the key only to URLs under the base URL", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.make(() => new Response("ok"))
      yield* Effect.gen(function*() {
        const http = yield* WandbHttpClient.WandbHttpClient
        yield* http.get("https://api.example.test/files/a/b/c/x.txt")
        yield* http.get("https://api.example.test.evil.com/files/x")
        yield* http.get("https://storage.example.test/signed?sig=1")
        yield* http.get("/files/relative.txt")
      }).pipe(Effect.provide(transport(fake)))
      expect(fake.requests.map((r) => [r.url, r.headers["authorization"] !== undefined])).toEqual([
        ["https://api.example.test/files/a/b/c/x.txt", true],
        ["https://api.example.test.evil.com/files/x", false],
        ["https://storage.example.test/signed?sig=1", false],
        ["https://api.example.test/files/relative.txt", true]
      ])
      expect(fake.requests.every((r) => r.headers["user-agent"] === WandbHttpClient.userAgent)).toBe(true)
    }))

  it.effect("GraphQL requests carry no trace headers and make no HTTP span of their own (the operation's span is the one)", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.make(() => FakeHttp.json({ data: { viewer: null } }))
      const spans: Array<string> = []
      const native = yield* Effect.tracer
      const tracer = Tracer.make({
        span: (name, parent, context, links, startTime, kind) => {
          spans.push(name)
          return native.span(name, parent, context, links, startTime, kind)
        },
        context: (f) => f()
      })
      yield* execute(fake).pipe(Effect.withTracer(tracer))
      expect(spans).toEqual(["GraphQLClient.execute Viewer"])
      expect(Object.keys(fake.requests[0]!.headers).filter((name) => /^(traceparent|b3|x-b3-)/.test(name))).toEqual([])
      // other requests through the same client (file downloads) keep the platform's span and headers
      yield* Effect.flatMap(WandbHttpClient.WandbHttpClient, (http) => http.get("https://api.example.test/files/a/b/c/x.txt")).pipe(
        Effect.provide(transport(fake)),
        Effect.withTracer(tracer)
      )
      expect(spans).toHaveLength(2)
      expect(fake.requests[1]!.headers["traceparent"]).toBeDefined()
    }))

  it.effect("fails with Unauthorized without sending anything when no key is configured", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.make(() => FakeHttp.json({ data: { viewer: null } }))
      const error = yield* Effect.flip(
        Effect.flatMap(GraphQLClient.GraphQLClient, (gql) => gql.execute(Viewer)).pipe(
          Effect.provide(
            GraphQLClient.layer.pipe(
              Layer.provide(WandbHttpClient.layer),
              Layer.provideMerge(WandbConfig.layerWithoutEnv({})),
              Layer.provide(fake.layer)
            )
          )
        )
      )
      expect(error._tag).toBe("Unauthorized")
      expect(fake.requests).toHaveLength(0)
    }))

  describe("error mapping (every body shape W&B uses)", () => {
    const cases: ReadonlyArray<[string, Response, string, Record<string, unknown>]> = [
      ["401", FakeHttp.json({ errors: [{ message: "user is not logged in" }] }, 401), "Unauthorized", { reason: "user is not logged in" }],
      ["403", FakeHttp.json({ error: "no access to acme" }, 403), "PermissionDenied", { reason: "no access to acme" }],
      ["400", FakeHttp.json({ errors: ["bad query"] }, 400), "ServerError", { status: 400, reason: "bad query", attempts: 1 }],
      ["404", FakeHttp.json({ error: { message: "not here" } }, 404), "ServerError", { status: 404, reason: "not here" }],
      ["409", FakeHttp.json({ errors: [{ message: "a" }, { message: "b" }] }, 409), "ServerError", { status: 409, reason: "a; b" }],
      ["501 non-JSON", new Response("<html>Not Implemented</html>", { status: 501 }), "ServerError", { status: 501, reason: "<html>Not Implemented</html>", attempts: 1 }],
      ["200 + errors", FakeHttp.json({ data: { viewer: null }, errors: [{ message: "boom", path: ["viewer"] }] }), "ServerError", { status: 200, reason: "boom" }],
      ["200 + permission denied", FakeHttp.json({ data: { project: null }, errors: [{ message: "permission denied", path: ["project"] }] }), "PermissionDenied", { reason: "permission denied" }],
      ["200 wrong shape", FakeHttp.json({ data: { viewer: { id: 7, entity: "x" } } }), "DecodeError", { entity: "Viewer", field: "data.viewer.id" }]
    ]
    for (const [name, response, tag, fields] of cases) {
      it.effect(name, () =>
        Effect.gen(function*() {
          const fake = FakeHttp.make(() => response.clone())
          const error = yield* Effect.flip(execute(fake))
          expect(error._tag).toBe(tag)
          expect(error).toMatchObject(fields)
          expect(fake.requests).toHaveLength(1)
        }))
    }
  })

  it.effect("never reports the key, even when the server echoes it", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.make((request) =>
        FakeHttp.json({ errors: [{ message: `bad key ${KEY} (${request.headers["authorization"]})` }] }, 401)
      )
      const error = yield* Effect.flip(execute(fake))
      expect(error._tag).toBe("Unauthorized")
      expect(error.message).toContain("<redacted>")
      expectNoKey(error)
    }))

  describe("retries", () => {
    const retry = { maxAttempts: 4, baseDelay: "1 second", maxDelay: "10 seconds", maxRetryTime: "1 minute" } as const

    it.effect("retries 503 with backoff and succeeds", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make((_, attempt) =>
          attempt < 3 ? FakeHttp.json({ error: "busy" }, 503) : FakeHttp.json({ data: { viewer: null } })
        )
        const fiber = yield* Effect.fork(execute(fake, { retry }))
        yield* TestClock.adjust("1 minute")
        expect(yield* Fiber.join(fiber)).toEqual({ viewer: null })
        expect(fake.requests).toHaveLength(3)
      }))

    it.effect("gives up after maxAttempts with status, attempts and the last message", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make((_, attempt) => FakeHttp.json({ error: `down #${attempt}` }, 502))
        const fiber = yield* Effect.fork(Effect.flip(execute(fake, { retry })))
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber)
        expect(error).toMatchObject({ _tag: "ServerError", status: 502, attempts: 4, reason: "down #4" })
        expect(error.message).toContain("4 attempt(s)")
      }))

    it.effect("stops when the next wait would exceed maxRetryTime", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make(() => FakeHttp.json({ error: "busy" }, 500))
        const fiber = yield* Effect.fork(Effect.flip(execute(fake, { retry: { ...retry, maxAttempts: 100, maxRetryTime: "5 seconds" } })))
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber)
        // waits of ~1 s and ~2 s fit in 5 s; the ~4 s wait after the third attempt does not
        expect(error).toMatchObject({ _tag: "ServerError", status: 500, attempts: 3 })
      }))

    it.effect("honours Retry-After (seconds) on 429 and reports RateLimited when the budget is spent", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make(() => FakeHttp.json({ errors: [{ message: "slow down" }] }, 429, { "retry-after": "30" }))
        const fiber = yield* Effect.fork(Effect.flip(execute(fake, { retry })))
        yield* TestClock.adjust("29 seconds")
        expect(fake.requests).toHaveLength(1)
        yield* TestClock.adjust("1 second")
        expect(fake.requests).toHaveLength(2)
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber)
        // attempts at 0 s, 30 s and 60 s; a fourth wait would end 90 s after the start, past the 1 minute budget
        expect(error._tag).toBe("RateLimited")
        expect(error).toEqual(expect.objectContaining({ attempts: 3, retryAfterMillis: 30_000, reason: "slow down" }))
      }))

    it.effect("honours Retry-After given as an HTTP date", () =>
      Effect.gen(function*() {
        // the test clock starts at the epoch; the date is 10 s after it
        const fake = FakeHttp.make((_, attempt) =>
          attempt === 1
            ? FakeHttp.json({ error: "busy" }, 503, { "retry-after": new Date(10_000).toUTCString() })
            : FakeHttp.json({ data: { viewer: null } })
        )
        const fiber = yield* Effect.fork(execute(fake, { retry }))
        yield* TestClock.adjust("5 seconds")
        expect(fake.requests).toHaveLength(1)
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(fiber)
        expect(fake.requests).toHaveLength(2)
      }))

    for (const value of ["-5", "-1.5", "abc", "", "1e3"]) {
      it.effect(`ignores an invalid or negative Retry-After (${JSON.stringify(value)}): the computed backoff applies`, () =>
        Effect.gen(function*() {
          const fake = FakeHttp.make(() => FakeHttp.json({ error: "busy" }, 503, { "retry-after": value }))
          const fiber = yield* Effect.fork(Effect.flip(execute(fake, { retry })))
          yield* TestClock.adjust("500 millis")
          // not retried at once: the first backoff is at least baseDelay (1 s)
          expect(fake.requests).toHaveLength(1)
          yield* TestClock.adjust("1 minute")
          expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "ServerError", status: 503, attempts: 4 })
        }))
    }

    it.effect("a 200 answer whose JSON is cut short or garbled is asked for again (within the budget)", () =>
      Effect.gen(function*() {
        const bodies = ['{"data":{"viewer":{"id":"u1","ent', "<html>oops</html>", "", '{"data":{"viewer":null}}']
        const fake = FakeHttp.make((_, attempt) => new Response(bodies[attempt - 1], { status: 200 }))
        const fiber = yield* Effect.fork(execute(fake, { retry }))
        yield* TestClock.adjust("1 minute")
        expect(yield* Fiber.join(fiber)).toEqual({ viewer: null })
        expect(fake.requests).toHaveLength(4)
      }))

    it.effect("garbled JSON outlasting the retry budget is a TransportError that says so", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make(() => new Response('{"data":{"vie', { status: 200 }))
        const fiber = yield* Effect.fork(Effect.flip(execute(fake, { retry })))
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber)
        expect(error).toMatchObject({ _tag: "TransportError", attempts: 4 })
        expect(error.message).toContain("not valid JSON")
        expect(error.message).toContain('{"data":{"vie')
        expect(fake.requests).toHaveLength(4)
      }))

    it.effect("retries connection failures, then fails with TransportError", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make(() => ({ transportError: "connect ECONNREFUSED 127.0.0.1:9" }))
        const fiber = yield* Effect.fork(Effect.flip(execute(fake, { retry })))
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber)
        expect(error).toMatchObject({ _tag: "TransportError", attempts: 4 })
        expect(error.message).toContain("ECONNREFUSED")
        expectNoKey(error)
      }))

    it.effect("times out a silent server per attempt and retries", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make((_, attempt) => attempt === 1 ? Effect.never : FakeHttp.json({ data: { viewer: null } }))
        const fiber = yield* Effect.fork(execute(fake, { retry, timeout: "5 seconds" }))
        yield* TestClock.adjust("1 minute")
        expect(yield* Fiber.join(fiber)).toEqual({ viewer: null })
        expect(fake.requests).toHaveLength(2)
      }))

    for (const status of [400, 401, 403, 404, 501]) {
      it.effect(`does not retry ${status}`, () =>
        Effect.gen(function*() {
          const fake = FakeHttp.make(() => FakeHttp.json({ error: "no" }, status))
          yield* Effect.flip(execute(fake, { retry }))
          expect(fake.requests).toHaveLength(1)
        }))
    }

    it.effect("does not retry GraphQL errors in a 200 answer", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make(() => FakeHttp.json({ errors: [{ message: "nope" }] }))
        yield* Effect.flip(execute(fake, { retry }))
        expect(fake.requests).toHaveLength(1)
      }))
  })

  describe("send: the body stays in the connection until the answer runs", () => {
    const answerText = JSON.stringify({ data: { viewer: { id: "u1", entity: "acme" } } })
    /** A 200 response whose body is sent in two parts: the first now, the second when `release` runs. */
    const twoParts = () => {
      let release: (ending: "rest" | "reset") => void = () => {}
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(answerText.slice(0, 10)))
          release = (ending) => {
            if (ending === "reset") return controller.error(new Error("socket hang up"))
            controller.enqueue(new TextEncoder().encode(answerText.slice(10)))
            controller.close()
          }
        }
      })
      return { response: new Response(body, { status: 200 }), release: (ending: "rest" | "reset") => release(ending) }
    }
    const send = (fake: ReturnType<typeof FakeHttp.make>, options?: WandbConfig.Options) =>
      Effect.flatMap(GraphQLClient.GraphQLClient, (gql) => gql.send(Viewer)).pipe(Effect.provide(transport(fake, options)))

    it.scoped("send returns before the body is complete; the answer reads and decodes it", () =>
      Effect.gen(function*() {
        const parts = twoParts()
        const answer = yield* send(FakeHttp.make(() => parts.response))
        const reading = yield* Effect.fork(answer)
        yield* Effect.yieldNow()
        expect(reading.unsafePoll()).toBeNull()
        parts.release("rest")
        expect(yield* Fiber.join(reading)).toEqual({ viewer: { id: "u1", entity: "acme" } })
      }))

    it.scoped("a body cut short when the answer runs is asked for again", () =>
      Effect.gen(function*() {
        const first = twoParts()
        const fake = FakeHttp.make((_, attempt) => attempt === 1 ? first.response : FakeHttp.json(JSON.parse(answerText)))
        const answer = yield* send(fake)
        first.release("reset")
        expect(yield* answer).toEqual({ viewer: { id: "u1", entity: "acme" } })
        expect(fake.requests).toHaveLength(2)
      }))

    it.scoped("a body stalling beyond the per-attempt timeout is asked for again", () =>
      Effect.gen(function*() {
        const stalled = twoParts()
        const fake = FakeHttp.make((_, attempt) => attempt === 1 ? stalled.response : FakeHttp.json(JSON.parse(answerText)))
        const answer = yield* send(fake, { timeout: "5 seconds" })
        const reading = yield* Effect.fork(answer)
        yield* TestClock.adjust("6 seconds")
        expect(yield* Fiber.join(reading)).toEqual({ viewer: { id: "u1", entity: "acme" } })
        expect(fake.requests).toHaveLength(2)
      }))

    it.scoped("an answer whose JSON is cut short when it runs is asked for again", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make((_, attempt) =>
          attempt === 1 ? new Response(answerText.slice(0, 20), { status: 200 }) : FakeHttp.json(JSON.parse(answerText))
        )
        const answer = yield* send(fake)
        expect(yield* answer).toEqual({ viewer: { id: "u1", entity: "acme" } })
        expect(fake.requests).toHaveLength(2)
      }))

    it.scoped("a status other than 200 fails send itself, with the server's message", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(send(FakeHttp.make(() => FakeHttp.json({ errors: [{ message: "no such run" }] }, 404))))
        expect(error).toMatchObject({ _tag: "ServerError", status: 404 })
        expect(error.message).toContain("no such run")
      }))

    it.scoped("the answer's bytes are released once decoded: the buffer read is left empty (detached)", () =>
      Effect.gen(function*() {
        const read: Array<ArrayBuffer> = []
        const response = FakeHttp.json(JSON.parse(answerText))
        const original = response.arrayBuffer.bind(response)
        response.arrayBuffer = () => original().then((buffer) => (read.push(buffer), buffer))
        const answer = yield* send(FakeHttp.make(() => response))
        expect(yield* answer).toEqual({ viewer: { id: "u1", entity: "acme" } })
        expect(read).toHaveLength(1)
        expect(read[0]!.byteLength).toBe(0)
      }))

    it.scoped("the request belongs to the caller's scope: closed before the answer is read, it is aborted", () =>
      Effect.gen(function*() {
        const fake = FakeHttp.make(() => FakeHttp.json(JSON.parse(answerText)))
        yield* Effect.scoped(send(fake))
        expect(fake.requests[0]!.signal.aborted).toBe(true)
        const answer = yield* send(fake)
        expect(fake.requests[1]!.signal.aborted).toBe(false)
        expect(yield* answer).toEqual({ viewer: { id: "u1", entity: "acme" } })
      }))
  })

  it.effect("WandbHttpClient returns the last response once a retryable status outlasts the budget", () =>
    Effect.gen(function*() {
      const fake = FakeHttp.make(() => new Response("busy", { status: 503 }))
      const fiber = yield* Effect.fork(
        Effect.gen(function*() {
          const response = yield* Effect.flatMap(WandbHttpClient.WandbHttpClient, (http) => http.get("/files/x"))
          return [response.status, yield* WandbHttpClient.attempts] as const
        }).pipe(Effect.provide(transport(fake, { retry: { maxAttempts: 2 } })))
      )
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toEqual([503, 2])
    }))
})
