/**
 * `effect-wandb server`: starts the local W&B-compatible server (`@effect-wandb/server`), by
 * default in memory with the demo dataset, and serves until interrupted (Ctrl-C).
 *
 * The API key it accepts comes from `--api-key-file`, else env `WANDB_API_KEY`, else the
 * server's built-in development key — so the same `WANDB_API_KEY` serves both the server and
 * the other commands. The key is never printed.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { FileSystemError, InvalidArgument } from "@effect-wandb/core/Errors"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as GlobalOptions from "./GlobalOptions.js"
import * as Stdio from "./Stdio.js"

/**
 * The first line the command prints, `listening on <base URL>`; scripts (the demo, tests) read
 * the base URL from it.
 *
 * @since 0.1.0
 * @category constants
 */
export const listeningPrefix = "listening on "

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "server",
  {
    host: Options.text("host").pipe(Options.withDescription("Interface to listen on"), Options.withDefault("127.0.0.1")),
    port: Options.integer("port").pipe(Options.withDescription("Port (0 picks a free one)"), Options.withDefault(8080)),
    db: Options.text("db").pipe(
      Options.withDescription("SQLite database file, or :memory: (data lost on exit)"),
      Options.withDefault(":memory:")
    ),
    seed: Options.choice("seed", ["demo", "none"]).pipe(
      Options.withDescription("Write the demo dataset (entity demo: projects, runs, history, files, a sweep) at start"),
      Options.withDefault("demo" as const)
    ),
    runsPerProject: Options.integer("runs-per-project").pipe(Options.withDescription("Demo runs per project"), Options.optional),
    stepsPerRun: Options.integer("steps-per-run").pipe(Options.withDescription("Demo history rows per finished run"), Options.optional),
    latencyMs: Options.integer("latency-ms").pipe(Options.withDescription("Delay added to every request"), Options.withDefault(0)),
    apiKeyFile: GlobalOptions.connection.apiKeyFile
  },
  (o) =>
    Effect.gen(function*() {
      const key = yield* GlobalOptions.apiKey(o.apiKeyFile)
      if (Option.isSome(key)) yield* Stdio.registerSecret(Redacted.value(key.value))
      // Loaded on demand: the server (GraphQL engine, SQLite) is a separate chunk of the bundle.
      const LocalServer = yield* Effect.promise(() => import("@effect-wandb/server/LocalServer"))
      const seed = o.seed === "none"
        ? false
        : {
          ...Option.match(o.runsPerProject, { onNone: () => ({}), onSome: (runsPerProject) => ({ runsPerProject }) }),
          ...Option.match(o.stepsPerRun, { onNone: () => ({}), onSome: (stepsPerRun) => ({ stepsPerRun }) })
        }
      const { server } = yield* LocalServer.make({
        host: o.host,
        port: o.port,
        database: o.db,
        seed,
        latencyMs: o.latencyMs,
        apiKey: Option.getOrUndefined(key)
      }).pipe(
        Effect.catchTags({
          ServeError: (error) =>
            new InvalidArgument({ argument: "--host/--port", reason: `cannot listen on ${o.host}:${o.port}: ${String(error.cause)}` }),
          SqlError: (error) => new FileSystemError({ path: o.db, reason: `database: ${error.message}` })
        }),
        // better-sqlite3 throws (a defect) when the database file cannot be opened.
        Effect.catchAllDefect((defect) =>
          new FileSystemError({ path: o.db, reason: `cannot open the database: ${defect instanceof Error ? defect.message : String(defect)}` })
        )
      )
      const keySource = Option.isSome(o.apiKeyFile)
        ? `the key in ${o.apiKeyFile.value}`
        : Option.isSome(key)
        ? "the key in env WANDB_API_KEY"
        : "the built-in development key (LocalServer.DEFAULT_API_KEY, see packages/server/README.md)"
      yield* Stdio.out(
        [
          `${listeningPrefix}${server.baseUrl}`,
          `  database: ${o.db}${o.seed === "demo" ? " (demo data: entity demo)" : ""}`,
          `  accepts:  ${keySource}`,
          `  try:      WANDB_BASE_URL=${server.baseUrl} effect-wandb projects ${LocalServer.DEFAULT_ENTITY}`,
          "Press Ctrl-C to stop.",
          ""
        ].join("\n")
      )
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Start the local W&B-compatible server (SQLite), with demo data by default."))
