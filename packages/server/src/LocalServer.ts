/**
 * A local W&B-compatible API server (GraphQL over SQLite) you can start in-process — for the
 * demo, for benchmarks, and for testing your own Effect programs offline.
 *
 * In your tests, provide {@link layer} and read the URL and key from the {@link LocalServer}
 * service:
 *
 * ```ts
 * import { it } from "@effect/vitest"
 * import { Effect, Redacted } from "effect"
 * import { LocalServer } from "@effect-wandb/server"
 *
 * it.layer(LocalServer.layer({ seed: { runsPerProject: 5 } }))("my program", (it) => {
 *   it.effect("talks to the local server", () =>
 *     Effect.gen(function*() {
 *       const { apiKey, baseUrl } = yield* LocalServer.LocalServer
 *       // point your client at baseUrl with Redacted.value(apiKey)
 *     }))
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"
import * as DemoData from "./DemoData.js"
import * as Faults from "./FaultInjection.js"
import * as App from "./internal/app.js"
import * as Database from "./internal/database.js"
import * as Limits from "./Limits.js"
import * as Schema from "./Schema.js"
import type * as Files from "./internal/fileHandler.js"
import { ensureUser } from "./internal/users.js"

/**
 * The API key the server accepts when none is configured (an on-prem style key:
 * `local-` + 40 hex digits). Fine for local tests and the demo; never use it for anything real.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_API_KEY = "local-5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed"

/**
 * Username of the user owning the configured key when none is given.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_USERNAME = "demo-user"

/**
 * Default entity of that user when none is given (also the entity of the demo data).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_ENTITY = "demo"

/**
 * Fault-injection seam: called for every request before authentication and routing. Answer
 * `Option.some(response)` to short-circuit (e.g. a 503, a 429 with `Retry-After`, a delay then a
 * reset), `Option.none()` to let the request through.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultInjection = App.FaultInjection

/**
 * Fault-injection seam for file downloads: rewrites the byte stream of a served file (e.g.
 * flip a byte, stop early). `Content-Length` stays the real size, so a truncated body looks
 * like a broken connection to the client.
 *
 * @since 0.1.0
 * @category models
 */
export type FileBodyTransform = Files.FileBodyTransform

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** Port; `0` (the default) picks a free one. */
  readonly port?: number | undefined
  /** SQLite database: a file path or `:memory:` (the default). An existing file is reused. */
  readonly database?: string | undefined
  /** The API key to accept. Default {@link DEFAULT_API_KEY}. */
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
  /** The user owning the key. Default {@link DEFAULT_USERNAME}. */
  readonly username?: string | undefined
  /** That user's default entity. Default {@link DEFAULT_ENTITY}. */
  readonly entity?: string | undefined
  /** Write the deterministic demo dataset on start (`true` = default sizes). Default: no data. */
  readonly seed?: boolean | DemoData.DemoOptions | undefined
  /** Latency added to every request, in milliseconds. Default 0. */
  readonly latencyMs?: number | undefined
  /** See {@link FaultInjection}. */
  readonly faultInjection?: FaultInjection | undefined
  /** See {@link FileBodyTransform}. */
  readonly transformFileBody?: FileBodyTransform | undefined
  /**
   * Deterministic fault injection (see the `FaultInjection` module): an injector (to read its
   * counters), a plan, or a plan's text form. Runs after `faultInjection` and `transformFileBody`.
   */
  readonly faults?: Faults.FaultInjector | Faults.FaultPlan | string | undefined
  /**
   * What one request may cost (body size, query depth/width/complexity, page sizes, samples,
   * filter size, regex length): each member overrides one of `Limits.defaults`.
   */
  readonly limits?: Partial<Limits.Limits> | undefined
  /**
   * Whether `Run.config` / `Run.summaryMetrics` take a `keys` argument (key-selected listings).
   * Default `true`; `false` serves `Schema.schemaWithoutRunKeyArguments`, a server without them.
   */
  readonly runKeyArguments?: boolean | undefined
  /**
   * Whether every request gets a server span (`http.server POST` and so on, from the platform's
   * HTTP tracing middleware) in the current tracer. Default `false`: a span per request cost the
   * server about 0.3 ms of CPU (of about 5 ms per 1000-row history page), and a test server's own
   * spans rarely matter. The client's spans are not affected.
   */
  readonly requestSpans?: boolean | undefined
  /**
   * Whether GraphQL answers of 1 KiB or more are gzipped for requests that accept gzip (W&B's
   * official clients and effect-wandb's Node client all do). Default `false`: on loopback
   * compressing costs the server CPU and saves no time; turn it on to see what a client far from
   * its server receives, or to test a client's decoding.
   */
  readonly compression?: boolean | undefined
}

/**
 * A running server: where it listens and the key it accepts.
 *
 * @since 0.1.0
 * @category tags
 */
export class LocalServer extends Context.Tag("@effect-wandb/server/LocalServer")<LocalServer, {
  /** `http://{host}:{port}`, no trailing slash; the GraphQL endpoint is `{baseUrl}/graphql`. */
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted<string>
}>() {}

const hostForUrl = (address: HttpServer.Address, host: string): string => {
  if (address._tag !== "TcpAddress") return host
  const hostname = address.hostname === "0.0.0.0" || address.hostname === "::" ? "127.0.0.1" : address.hostname
  return hostname.includes(":") ? `[${hostname}]` : hostname
}

/** Writes the demo dataset and makes the configured user the creator of its runs and projects. */
const seed = (options: DemoData.DemoOptions) =>
  Effect.gen(function*() {
    const summary = yield* DemoData.seedDemo(options)
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE runs SET user_id = (SELECT min(id) FROM users) WHERE user_id IS NULL`
    yield* sql`UPDATE projects SET user_id = (SELECT min(id) FROM users) WHERE user_id IS NULL`
    return summary
  })

/**
 * Starts the server in the current scope (it stops when the scope closes) and returns its
 * coordinates together with the database it serves (so tests can add rows directly).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<
  {
    readonly server: LocalServer["Type"]
    readonly sql: SqlClient.SqlClient
    /** What the demo generator wrote, when `seed` was set. */
    readonly demo: DemoData.DemoSummary | undefined
  },
  SqlError | HttpServerError.ServeError | Faults.FaultSpecError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const apiKey = options.apiKey === undefined
      ? Redacted.make(DEFAULT_API_KEY)
      : Redacted.isRedacted(options.apiKey)
      ? options.apiKey
      : Redacted.make(options.apiKey)
    const host = options.host ?? "127.0.0.1"
    const faults = options.faults === undefined || Faults.isFaultInjector(options.faults)
      ? options.faults
      : yield* Faults.make(options.faults)
    const database = yield* Layer.build(Database.layer(options.database ?? ":memory:"))
    const sql = Context.get(database, SqlClient.SqlClient)
    yield* ensureUser({
      apiKey: Redacted.value(apiKey),
      username: options.username ?? DEFAULT_USERNAME,
      entity: options.entity ?? DEFAULT_ENTITY
    }).pipe(Effect.provide(database))
    const demo = options.seed === undefined || options.seed === false
      ? undefined
      : yield* seed(options.seed === true ? {} : options.seed).pipe(Effect.provide(database))
    const http = yield* Layer.build(NodeHttpServer.layer(createServer, { port: options.port ?? 0, host }))
    const server = Context.get(http, HttpServer.HttpServer)
    const address = server.address
    const baseUrl = `http://${hostForUrl(address, host)}:${address._tag === "TcpAddress" ? address.port : 0}`
    const app = App.makeApp({
      baseUrl,
      latencyMs: options.latencyMs ?? 0,
      faultInjection: faults === undefined ? options.faultInjection : (request) =>
        Effect.flatMap(
          options.faultInjection?.(request) ?? Effect.succeedNone,
          Option.match({ onNone: () => faults.onRequest(request), onSome: Effect.succeedSome })
        ),
      transformFileBody: faults === undefined ? options.transformFileBody : (file, body) =>
        faults.transformFileBody(file, options.transformFileBody?.(file, body) ?? body),
      limits: Limits.make(options.limits),
      schema: options.runKeyArguments === false ? Schema.schemaWithoutRunKeyArguments : Schema.schema,
      compression: options.compression === true
    })
    // The platform runs handlers uninterruptibly; ours stop when the client goes away (e.g. a
    // `slow` fault's wait).
    const serving = server.serve(Effect.interruptible(app)).pipe(Effect.provide(database))
    yield* options.requestSpans === true ? serving : HttpMiddleware.withTracerDisabledWhenEffect(serving, () => true)
    return { server: { baseUrl, apiKey }, sql, demo }
  })

/**
 * A layer that starts the server (127.0.0.1, random port, in-memory database unless configured)
 * and provides {@link LocalServer}.
 *
 * @example
 * ```ts
 * import { WandbApi } from "@effect-wandb/core"
 * import { NodeWandb } from "@effect-wandb/platform-node"
 * import { LocalServer } from "@effect-wandb/server"
 * import { Effect, Layer, Stream } from "effect"
 *
 * // the Node client, pointed at a server started with a small demo dataset
 * const client = Layer.unwrapEffect(
 *   Effect.map(LocalServer.LocalServer, ({ apiKey, baseUrl }) => NodeWandb.layer({ apiKey, baseUrl }))
 * ).pipe(Layer.provide(LocalServer.layer({ seed: { projects: 1, runsPerProject: 3 } })))
 *
 * const program = Effect.gen(function*() {
 *   const api = yield* WandbApi.WandbApi
 *   const runs = yield* Stream.runCollect(api.runs("demo/mnist-cnn"))
 *   console.log(runs.length) // 3
 * })
 *
 * Effect.runPromise(Effect.provide(program, client)) // the server stops when the program ends
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<LocalServer, SqlError | HttpServerError.ServeError | Faults.FaultSpecError> =>
  Layer.scoped(LocalServer, Effect.map(make(options), ({ server }) => server))

/**
 * Like {@link layer}, and also provides the server's `SqlClient` (to insert fixtures directly).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithSql = (
  options: Options = {}
): Layer.Layer<
  LocalServer | SqlClient.SqlClient,
  SqlError | HttpServerError.ServeError | Faults.FaultSpecError
> =>
  Layer.scopedContext(
    Effect.map(make(options), ({ server, sql }) =>
      Context.make(LocalServer, server).pipe(Context.add(SqlClient.SqlClient, sql)))
  )
