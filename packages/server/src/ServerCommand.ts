/**
 * The command that starts the local W&B-compatible server: one `@effect/cli` command, with one
 * set of options and one handler, that both `effect-wandb-server` (this package's bin, as the root
 * command) and `effect-wandb server` (the command line's subcommand) run.
 *
 * The server itself (GraphQL engine, SQLite) is imported only when the command runs, so a
 * program that merely registers the command (e.g. for `--help`) does not load it.
 *
 * Output: the first line on stdout is `listening on <base URL>` ({@link listeningPrefix});
 * a summary follows. Warnings, errors and the server's logs go to stderr. The API key the
 * server accepts comes from `--api-key-file`, else `--api-key` (deprecated: command lines are
 * visible to other users), else env `WANDB_API_KEY`; such a key is never printed. Without one,
 * a key is generated for this run and printed on stdout as `WANDB_API_KEY=…`, which is allowed
 * only on a loopback interface.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as FileSystem from "@effect/platform/FileSystem"
import type { Teardown } from "@effect/platform/Runtime"
import { FileSystemError, InvalidArgument } from "@effect-wandb/core/Errors"
import * as WandbConfig from "@effect-wandb/core/WandbConfig"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import type * as DemoData from "./DemoData.js"

/**
 * The first line the command prints on stdout, `listening on <base URL>`; scripts (the demo,
 * tests) read the base URL from it.
 *
 * @since 0.1.0
 * @category constants
 */
export const listeningPrefix = "listening on "

/**
 * The warning printed on stderr when the key is given with `--api-key`.
 *
 * @since 0.1.0
 * @category constants
 */
export const apiKeyFlagWarning =
  "warning: --api-key puts the key in the command line, which other users of this machine can read (ps, /proc); use --api-key-file or env WANDB_API_KEY"

const text = (name: string, description: string) => Options.text(name).pipe(Options.withDescription(description), Options.optional)
const integer = (name: string, description: string) =>
  Options.integer(name).pipe(Options.withDescription(description), Options.optional)

/**
 * The options of the command (the same under both names).
 *
 * @since 0.1.0
 * @category options
 */
export const options = {
  host: Options.text("host").pipe(Options.withDescription("Interface to listen on"), Options.withDefault("127.0.0.1")),
  port: Options.integer("port").pipe(Options.withDescription("Port (0 picks a free one)"), Options.withDefault(8080)),
  db: Options.text("db").pipe(
    Options.withDescription("SQLite database file, reused if it exists (created with mode 0600), or :memory: (data lost on exit)"),
    Options.withDefault(":memory:")
  ),
  seed: Options.choice("seed", ["demo", "none"]).pipe(
    Options.withDescription("demo: write the deterministic demo dataset (projects, runs, history, files, a sweep) at start; none: no data"),
    Options.withDefault("demo" as const)
  ),
  seedValue: integer("seed-value", "PRNG seed of the demo dataset (default 1)"),
  projects: integer("projects", "Demo projects (default 3)"),
  runsPerProject: integer("runs-per-project", "Demo runs per project (default 8)"),
  stepsPerRun: integer("steps-per-run", "Demo history rows per finished run (default 200)"),
  filesPerRun: integer("files-per-run", "Demo files per run (default 6)"),
  latencyMs: Options.integer("latency-ms").pipe(Options.withDescription("Delay added to every request, in milliseconds"), Options.withDefault(0)),
  gzip: Options.boolean("gzip").pipe(
    Options.withDescription("Gzip GraphQL answers of 1 KiB or more for clients that accept it, as a remote W&B server would")
  ),
  faults: text(
    "faults",
    "Inject faults deterministically, e.g. \"503=0.2,drop@files=0.1,max-consecutive=2\" (kinds: 500 502 503 429 drop truncate slow html graphql-errors corrupt stall; routes: @graphql @files @graphql:<Operation>)"
  ),
  faultSeed: integer("fault-seed", "Seed of the fault decisions (default 1)"),
  apiKeyFile: text("api-key-file", "Accept the API key in this file (its first non-empty line)"),
  apiKey: text("api-key", "Accept this API key (deprecated: other users can read command lines; use --api-key-file or env WANDB_API_KEY)"),
  username: Options.text("username").pipe(Options.withDescription("The user owning the key"), Options.withDefault("demo-user")),
  entity: Options.text("entity").pipe(Options.withDescription("That user's default entity"), Options.withDefault("demo"))
}

/**
 * The parsed options.
 *
 * @since 0.1.0
 * @category models
 */
export type ParsedOptions = Command.Command.ParseConfig<typeof options>

/** Where the accepted key came from. */
type KeySource = "file" | "flag" | "env" | "generated"

const isLoopback = (host: string): boolean => {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1")
  return h === "localhost" || h === "::1" || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** The key to accept and where it came from; a random one when none is given. */
const resolveKey = (
  o: ParsedOptions
): Effect.Effect<{ readonly key: Redacted.Redacted<string>; readonly source: KeySource }, InvalidArgument, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (Option.isSome(o.apiKeyFile) && Option.isSome(o.apiKey)) {
      return yield* new InvalidArgument({ argument: "--api-key", reason: "give the key with --api-key-file or --api-key, not both" })
    }
    if (Option.isSome(o.apiKeyFile)) return { key: yield* WandbConfig.readApiKeyFile(o.apiKeyFile.value), source: "file" }
    if (Option.isSome(o.apiKey)) {
      yield* Console.error(apiKeyFlagWarning)
      if (o.apiKey.value.trim() === "") return yield* new InvalidArgument({ argument: "--api-key", reason: "the key is empty" })
      return { key: Redacted.make(o.apiKey.value.trim()), source: "flag" }
    }
    const env = process.env["WANDB_API_KEY"]?.trim()
    if (env !== undefined && env !== "") return { key: Redacted.make(env), source: "env" }
    if (!isLoopback(o.host)) {
      return yield* new InvalidArgument({
        argument: "--host",
        reason:
          `${o.host} is not a loopback address: give the key to accept with --api-key-file or env WANDB_API_KEY (a key is generated and printed only for a loopback server)`
      })
    }
    return { key: Redacted.make(`local-${randomBytes(20).toString("hex")}`), source: "generated" }
  })

const keySources: Record<KeySource, (o: ParsedOptions) => string> = {
  file: (o) => `the key in ${Option.getOrElse(o.apiKeyFile, () => "")}`,
  flag: () => "the key given with --api-key",
  env: () => "the key in env WANDB_API_KEY",
  generated: () => "a key generated for this run (WANDB_API_KEY below)"
}

/** Checks the integer options: ports 0–65535, counts and delays ≥ 0. */
const checkIntegers = (o: ParsedOptions): Effect.Effect<void, InvalidArgument> => {
  const values: ReadonlyArray<readonly [string, number | undefined, number]> = [
    ["--port", o.port, 65535],
    ["--latency-ms", o.latencyMs, Number.MAX_SAFE_INTEGER],
    ["--seed-value", Option.getOrUndefined(o.seedValue), Number.MAX_SAFE_INTEGER],
    ["--projects", Option.getOrUndefined(o.projects), Number.MAX_SAFE_INTEGER],
    ["--runs-per-project", Option.getOrUndefined(o.runsPerProject), Number.MAX_SAFE_INTEGER],
    ["--steps-per-run", Option.getOrUndefined(o.stepsPerRun), Number.MAX_SAFE_INTEGER],
    ["--files-per-run", Option.getOrUndefined(o.filesPerRun), Number.MAX_SAFE_INTEGER],
    ["--fault-seed", Option.getOrUndefined(o.faultSeed), Number.MAX_SAFE_INTEGER]
  ]
  for (const [argument, value, max] of values) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0 && value <= max)) {
      return Effect.fail(new InvalidArgument({ argument, reason: `expected an integer from 0 to ${max}, got ${value}` }))
    }
  }
  return Effect.void
}

/** The demo dataset options, or `false` for `--seed none` (which takes no dataset sizes). */
const demoOptions = (o: ParsedOptions): Effect.Effect<DemoData.DemoOptions | false, InvalidArgument> => {
  const sizes = Object.entries({
    seed: o.seedValue,
    projects: o.projects,
    runsPerProject: o.runsPerProject,
    stepsPerRun: o.stepsPerRun,
    filesPerRun: o.filesPerRun
  }).flatMap(([name, value]) => Option.isSome(value) ? [[name, value.value] as const] : [])
  if (o.seed === "demo") return Effect.succeed(Object.fromEntries(sizes))
  return sizes.length === 0
    ? Effect.succeed(false)
    : Effect.fail(new InvalidArgument({ argument: "--seed", reason: "the demo dataset options need --seed demo" }))
}

/** The server's own logs go to stderr: stdout carries only the command's output. */
const logsToStderr = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(effect, FiberRef.currentLoggers, HashSet.make(Logger.withConsoleError(Logger.stringLogger)))

const out = (lines: ReadonlyArray<string>): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    process.stdout.write(lines.join("\n") + "\n", () => resume(Effect.void))
  })

/**
 * Starts the server as the options say, prints where it listens, and serves until interrupted.
 *
 * @since 0.1.0
 * @category handlers
 */
export const serve = (o: ParsedOptions): Effect.Effect<never, InvalidArgument | FileSystemError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    yield* checkIntegers(o)
    const seed = yield* demoOptions(o)
    const { key, source } = yield* resolveKey(o)
    // Loaded on demand: the server (GraphQL engine, SQLite) is a separate chunk of a bundle.
    const [LocalServer, FaultInjection] = yield* Effect.promise(() => Promise.all([import("./LocalServer.js"), import("./FaultInjection.js")]))
    const faults = Option.isNone(o.faults) && Option.isNone(o.faultSeed) ? undefined : yield* Either.match(
      FaultInjection.parse(Option.getOrElse(o.faults, () => "")),
      {
        onLeft: (error) => Effect.fail(new InvalidArgument({ argument: "--faults", reason: error.reason })),
        onRight: (plan) => Effect.succeed(Option.match(o.faultSeed, { onNone: () => plan, onSome: (seed) => ({ ...plan, seed }) }))
      }
    )
    const { demo, server } = yield* LocalServer.make({
      host: o.host,
      port: o.port,
      database: o.db,
      apiKey: key,
      username: o.username,
      entity: o.entity,
      seed,
      latencyMs: o.latencyMs,
      compression: o.gzip,
      faults
    }).pipe(
      Effect.catchTags({
        ServeError: (error) =>
          new InvalidArgument({ argument: "--host/--port", reason: `cannot listen on ${o.host}:${o.port}: ${String(error.cause)}` }),
        SqlError: (error) => new FileSystemError({ path: o.db, reason: `database: ${error.message}` }),
        FaultSpecError: (error) => new InvalidArgument({ argument: "--faults", reason: error.reason })
      }),
      // better-sqlite3 throws (a defect) when the database file cannot be opened.
      Effect.catchAllDefect((defect) =>
        new FileSystemError({ path: o.db, reason: `cannot open the database: ${defect instanceof Error ? defect.message : String(defect)}` })
      )
    )
    const data = demo === undefined
      ? "no data"
      : `demo data: entity ${demo.entity}, ${demo.projects.length} projects, ${
        demo.projects.reduce((n, p) => n + p.runs.length, 0)
      } runs`
    yield* out([
      `${listeningPrefix}${server.baseUrl}`,
      `  database: ${o.db} (${data})`,
      `  user:     ${o.username} (default entity ${o.entity})`,
      `  accepts:  ${keySources[source](o)}`,
      ...(faults === undefined ? [] : [`  faults:   ${Option.getOrElse(o.faults, () => "none")} (seed ${faults.seed ?? 1})`]),
      ...(o.latencyMs === 0 ? [] : [`  latency:  ${o.latencyMs} ms per request`]),
      ...(o.gzip ? ["  gzip:     GraphQL answers of 1 KiB or more"] : []),
      `WANDB_BASE_URL=${server.baseUrl}`,
      // The point of a generated key: the user needs it, and only a loopback server gets one.
      ...(source === "generated" ? [`WANDB_API_KEY=${Redacted.value(key)}`] : []),
      "Press Ctrl-C to stop."
    ])
    return yield* Effect.never
  }).pipe(Effect.scoped, logsToStderr)

/**
 * The command under a name: `server` as a subcommand of `effect-wandb`, `effect-wandb-server`
 * as a program of its own.
 *
 * @since 0.1.0
 * @category commands
 */
export const make = (name: string) =>
  Command.make(name, options, serve).pipe(
    Command.withDescription("Start the local W&B-compatible server (SQLite), with demo data by default.")
  )

/**
 * `server`, the subcommand of `effect-wandb`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = make("server")

/**
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * Exit codes of `effect-wandb-server`, the same as `effect-wandb`'s for these failures.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const ExitCode = { Success: 0, Unexpected: 1, Usage: 2, FileSystem: 9, Interrupted: 130 } as const

/**
 * Runs `effect-wandb-server` on `argv` (as `process.argv`) and returns the exit code. A failure
 * prints one `error: …` line on stderr (`@effect/cli` prints usage errors itself).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>) =>
  Command.run(make("effect-wandb-server"), { name: "effect-wandb-server", version })(argv).pipe(
    Effect.as<number>(ExitCode.Success),
    Effect.catchAll((error) =>
      ValidationError.isValidationError(error)
        ? Effect.succeed(ExitCode.Usage)
        : Effect.as(
          Console.error(`error: ${error.message.replace(/\s+/g, " ").trim()}`),
          error._tag === "FileSystemError" ? ExitCode.FileSystem : ExitCode.Usage
        )
    ),
    Effect.catchAllDefect((defect) =>
      Effect.as(Console.error(`error: unexpected failure: ${Cause.pretty(Cause.die(defect))}`), ExitCode.Unexpected)
    )
  )

/**
 * The teardown of the `effect-wandb-server` process: exits with {@link run}'s code, or 130 when
 * interrupted (Ctrl-C), or 1 after a defect.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const teardown: Teardown = (exit, onExit) =>
  onExit(
    Exit.isSuccess(exit)
      ? (typeof exit.value === "number" ? exit.value : ExitCode.Success)
      : Cause.isInterruptedOnly(exit.cause)
      ? ExitCode.Interrupted
      : ExitCode.Unexpected
  )
