/**
 * Entry point of the `effect-wandb-server` command: {@link ServerCommand} as a program of its
 * own (the same options and output as `effect-wandb server`).
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as ServerCommand from "./ServerCommand.js"

ServerCommand.run(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: ServerCommand.teardown })
)
