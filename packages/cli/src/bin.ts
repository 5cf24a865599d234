/**
 * Process entry of the `effect-wandb` binary (bundled into `build/effect-wandb.mjs`).
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { ExitCode } from "./ExitCode.js"
import * as Main from "./Main.js"

// A closed pipe (`effect-wandb scan … | head`) is not an error: stop quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(ExitCode.Success)
  throw error
})

// A closed terminal (SIGHUP) ends the command like Ctrl-C: the runtime interrupts it, so cleanup
// runs (a download removes its temporary file) and the exit code is 130. Once only: a second
// SIGHUP kills the process as usual.
process.once("SIGHUP", () => process.emit("SIGINT", "SIGINT"))

Main.run(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // Log lines go to stderr through Stdio.logger (Main.run installs it), not the pretty logger's stdout.
    disablePrettyLogger: true,
    // Exit as soon as the command is done: idle keep-alive sockets must not hold the process open.
    teardown: (exit) =>
      process.exit(
        Exit.isSuccess(exit)
          ? (exit.value as number)
          : Cause.isInterruptedOnly(exit.cause)
          ? ExitCode.Interrupted
          : ExitCode.Unexpected
      )
  })
)
