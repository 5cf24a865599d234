/**
 * The API key never leaks: a succeeding and a failing program run against the local server
 * with every log line (at Debug), every span (name, attributes, events, exit) and every error
 * (its message, `String`, JSON and the pretty cause) captured, plus the `effect-wandb` CLI
 * binary's stdout and stderr; none of it may contain the key, as is or as Basic credentials.
 * The server is made hostile: on some paths it echoes the request's `Authorization` header
 * and the key back in its error bodies.
 */
import { describe, expect, it } from "@effect/vitest"
import { Download, History, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { DemoData, LocalServer } from "@effect-wandb/server"
import { HttpServerResponse } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import {
  Cause,
  Chunk,
  Context,
  Effect,
  Exit,
  Inspectable,
  Layer,
  Logger,
  LogLevel,
  Option,
  Redacted,
  Stream,
  Tracer
} from "effect"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { fileURLToPath } from "node:url"

/** The server's `SqlClient` (its Tag lives in @effect/sql; Tags are keyed by name). */
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.seedDemo>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

/** Random, so any appearance in an output is a leak. */
const KEY = `local-${randomBytes(20).toString("hex")}`
const WRONG_KEY = `local-${randomBytes(20).toString("hex")}`
const secretsOf = (key: string) => [key, btoa(`api:${key}`), Buffer.from(key).toString("base64")]
const SECRETS = [...secretsOf(KEY), ...secretsOf(WRONG_KEY)]

/** Everything the programs printed, logged, traced or failed with. */
const transcript: Array<string> = []
const record = (text: string) => void transcript.push(text)

const show = (value: unknown): string => {
  try {
    return `${String(value)} ${JSON.stringify(value)} ${Inspectable.format(value)}`
  } catch {
    return String(value)
  }
}

/** A logger at every level that writes each line (message, annotations, cause) to the transcript. */
const recordingLogger = Logger.make(({ annotations, cause, logLevel, message }) =>
  record(`${logLevel.label} ${show(message)} ${show(Object.fromEntries(annotations))} ${Cause.pretty(cause)}`)
)

/** A tracer that writes every span's name, attributes, events and exit to the transcript. */
const recordingTracer = Tracer.make({
  span: (name, parent, context, links, startTime, kind) => {
    const attributes = new Map<string, unknown>()
    const id = randomBytes(8).toString("hex")
    const span: Tracer.Span = {
      _tag: "Span",
      name,
      spanId: id,
      traceId: Option.match(parent, { onNone: () => id, onSome: (p) => p.traceId }),
      parent,
      context,
      status: { _tag: "Started", startTime },
      attributes,
      links,
      sampled: true,
      kind,
      end: (_endTime, exit) =>
        record(`span ${name} ${show(Object.fromEntries(attributes))} ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "ok"}`),
      attribute: (key, value) => void attributes.set(key, value),
      event: (event, _time, eventAttributes) => record(`span event ${name} ${event} ${show(eventAttributes)}`),
      addLinks: () => {}
    }
    return span
  },
  context: (f) => f()
})

/** Runs `program` with the recording logger (Debug and up) and tracer; records its failure. */
const observed = <A, E, R>(program: Effect.Effect<A, E, R>) =>
  program.pipe(
    Effect.tapErrorCause((cause) =>
      Effect.sync(() => {
        record(Cause.pretty(cause))
        for (const error of Cause.failures(cause)) record(show(error))
      })
    ),
    Effect.withTracer(recordingTracer),
    Logger.withMinimumLogLevel(LogLevel.Debug),
    Effect.provide(Logger.replace(Logger.defaultLogger, recordingLogger)),
    Effect.exit
  )

/** Echoes the credentials back in a 500 body for GraphQL operation `EchoMe` and for file `echo.txt`. */
const echoCredentials = (request: Parameters<NonNullable<LocalServer.Options["faultInjection"]>>[0]) =>
  Effect.gen(function*() {
    const text = request.url.startsWith("/graphql") ? yield* Effect.orElseSucceed(request.text, () => "") : ""
    if (!text.includes("\"RunFiles\"") && !request.url.endsWith("/echo.txt")) return Option.none()
    const authorization = request.headers["authorization"] ?? ""
    const decoded = Buffer.from(authorization.replace(/^Basic /, ""), "base64").toString()
    const message = `bad request from ${authorization} (${decoded}) key=${decoded.slice(4)}`
    return Option.some(HttpServerResponse.text(JSON.stringify({ errors: [{ message }] }), {
      status: 500,
      contentType: "application/json"
    }))
  })

const client = (baseUrl: string, apiKey: string) =>
  NodeWandb.layerFrom(
    WandbConfig.layerWithoutEnv({ baseUrl, apiKey, retry: { maxAttempts: 2, baseDelay: "1 millis", maxDelay: "5 millis" } })
  )

const bin = fileURLToPath(new URL("../../cli/bin/effect-wandb.js", import.meta.url))

/** Runs the CLI binary with the key in its environment; records stdout and stderr. */
const runCli = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.async<number>((resume) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("WANDB_")))
    const child = spawn(process.execPath, [bin, ...args], { env: { ...clean, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d))
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d))
    child.on("close", (code) => {
      record(output)
      resume(Effect.succeed(code ?? -1))
    })
    return Effect.sync(() => child.kill())
  })

const leaks = () => transcript.filter((text) => SECRETS.some((secret) => text.includes(secret)))

describe("secrets", () => {
  it.scopedLive("no output of a succeeding and a failing program, or of the CLI, contains the key", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { server, sql } = yield* LocalServer.make({ apiKey: KEY, faultInjection: echoCredentials })
      const summary = yield* DemoData.seedDemo({ projects: 1, runsPerProject: 2, stepsPerRun: 20, filesPerRun: 2 }).pipe(
        Effect.provideService(Sql, sql)
      )
      const project = `${summary.entity}/${summary.projects[0]!.name}`
      const runPath = `${project}/${summary.projects[0]!.runs[0]!.name}`
      const root = yield* fs.makeTempDirectoryScoped()

      const succeeding = Effect.gen(function*() {
        const config = yield* WandbConfig.WandbConfig
        yield* Effect.logDebug("resolved configuration", config)
        const api = yield* WandbApi.WandbApi
        yield* Effect.logDebug("viewer", yield* api.viewer)
        const runs = yield* Stream.runCollect(api.runs(project))
        yield* Effect.logInfo("runs", Chunk.toReadonlyArray(runs))
        const run = yield* api.run(runPath)
        const rows = yield* Stream.runCollect(History.scanHistory(run))
        yield* Effect.logDebug(`${Chunk.size(rows)} rows`)
        return Chunk.size(runs)
      }).pipe(Effect.withSpan("succeeding"))
      const ok = yield* observed(succeeding).pipe(Effect.provide(client(server.baseUrl, KEY)))
      expect(Exit.isSuccess(ok)).toBe(true)

      const failures: ReadonlyArray<Effect.Effect<unknown, unknown, WandbApi.WandbApi | Download.DownloadContext>> = [
        // the server echoes the credentials in a 500 body (RunFiles)
        Effect.flatMap(WandbApi.WandbApi, (api) => Stream.runCollect(api.files(runPath))),
        // and for a file URL
        Download.download({ name: "echo.txt", url: `${server.baseUrl}/files/${runPath}/echo.txt` }, { root }),
        Effect.flatMap(WandbApi.WandbApi, (api) => api.run(`${project}/nonexistent`)),
        Effect.flatMap(WandbApi.WandbApi, (api) => Stream.runCollect(api.runs(project, { filters: { $bogus: 1 } as never }))),
        Effect.flatMap(WandbApi.WandbApi, (api) => api.run("a/b/c/d/e/f")),
        Effect.die(new Error("a defect"))
      ]
      for (const failure of failures) {
        const exit = yield* observed(failure).pipe(Effect.provide(client(server.baseUrl, KEY)))
        expect(Exit.isFailure(exit)).toBe(true)
      }
      // a wrong key (also a secret), and an unreachable server
      const unauthorized = yield* observed(Effect.flatMap(WandbApi.WandbApi, (api) => api.viewer)).pipe(
        Effect.provide(client(server.baseUrl, WRONG_KEY))
      )
      expect(Exit.isFailure(unauthorized)).toBe(true)
      const unreachable = yield* observed(Effect.flatMap(WandbApi.WandbApi, (api) => api.viewer)).pipe(
        Effect.provide(client("http://127.0.0.1:9", KEY))
      )
      expect(Exit.isFailure(unreachable)).toBe(true)
      // the echo really happened: the server's message reached the error, scrubbed
      expect(transcript.join("\n")).toContain("<redacted>")

      // the CLI binary, succeeding and failing
      const env = { WANDB_BASE_URL: server.baseUrl, WANDB_API_KEY: KEY }
      expect(yield* runCli(["projects", summary.entity, "--format", "json"], env)).toBe(0)
      expect(yield* runCli(["runs", project, "--format", "json"], env)).toBe(0)
      expect(yield* runCli(["files", runPath], env)).not.toBe(0)
      expect(yield* runCli(["run", `${project}/nonexistent`], env)).not.toBe(0)
      expect(yield* runCli(["projects"], { ...env, WANDB_API_KEY: WRONG_KEY })).not.toBe(0)

      expect(transcript.length).toBeGreaterThan(20)
      expect(leaks()).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.effect("the key is Redacted in the configuration and in the server's coordinates", () =>
    Effect.gen(function*() {
      const config = yield* WandbConfig.make({ apiKey: KEY, baseUrl: "http://127.0.0.1:1" })
      const text = show(config)
      expect(text).not.toContain(KEY)
      expect(Option.map(config.apiKey, Redacted.value)).toEqual(Option.some(KEY))
      const server = yield* Effect.scoped(Effect.map(LocalServer.make({ apiKey: KEY }), ({ server }) => show(server)))
      expect(server).not.toContain(KEY)
    }).pipe(Effect.provide(Layer.empty)))
})
