/**
 * The `effect-wandb` program: the command tree, and how it ends — exit code 0 on success,
 * otherwise one `error: …` line on stderr and the code from {@link ExitCode}.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as NodeContext from "@effect/platform-node/NodeContext"
import * as ServerCommand from "@effect-wandb/server/ServerCommand"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Predicate from "effect/Predicate"
import * as Commands from "./Commands.js"
import * as ExportCommand from "./ExportCommand.js"
import { ExitCode, errorLine, exitCodes } from "./ExitCode.js"
import * as Stdio from "./Stdio.js"
import * as WebCommand from "./WebCommand.js"

/**
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

const rootHelp = (): string =>
  [
    `effect-wandb ${version}: read W&B projects, runs, history and files.`,
    "",
    `usage: effect-wandb <command> [options]   (commands: ${Array.from(HashMap.keys(Command.getSubcommands(root))).join(", ")})`,
    "Run `effect-wandb --help` for every command and option, or `effect-wandb <command> --help` for one.",
    ""
  ].join("\n")

/**
 * The root command with every subcommand; without a subcommand it prints a short usage note.
 *
 * @since 0.1.0
 * @category commands
 */
export const root = Command.make("effect-wandb", {}, () => Effect.suspend(() => Stdio.out(rootHelp()))).pipe(
  Command.withDescription("Read W&B projects, runs, history and files from the command line."),
  Command.withSubcommands([...Commands.subcommands, ExportCommand.command, ServerCommand.command, WebCommand.command])
)

const isTypedError = (error: unknown): error is Parameters<typeof errorLine>[0] =>
  Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" && error._tag in exitCodes

/**
 * The exit code for how a command failed, after printing its one-line explanation on stderr.
 * `@effect/cli` has already printed usage errors itself.
 *
 * @since 0.1.0
 * @category exit codes
 */
export const report = (error: unknown): Effect.Effect<ExitCode> => {
  if (ValidationError.isValidationError(error)) return Effect.succeed(ExitCode.Usage)
  if (isTypedError(error)) return Effect.as(Stdio.errLine(errorLine(error)), exitCodes[error._tag])
  return Effect.as(Stdio.errLine(`error: unexpected failure: ${String(error)}`), ExitCode.Unexpected)
}

/**
 * Runs the command line on `argv` (as `process.argv`: node, script, arguments…) and returns
 * the exit code. Never fails; interruption (Ctrl-C) is left to the runtime (exit code 130).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<ExitCode, never, NodeContext.NodeContext> =>
  Command.run(root, { name: "effect-wandb", version })(argv).pipe(
    Effect.as(ExitCode.Success),
    Effect.catchAll(report),
    Effect.catchAllDefect((defect) =>
      Effect.as(Stdio.errLine(`error: unexpected failure: ${Cause.pretty(Cause.die(defect))}`), ExitCode.Unexpected)
    ),
    Effect.provide(Stdio.loggerLayer)
  )
