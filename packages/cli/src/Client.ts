/**
 * The W&B client of one command invocation: `NodeWandb` (the core client on node:http, Node's file
 * system and path) configured from the connection flags, with the environment filling whatever
 * the flags leave unset.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import { InvalidArgument } from "@effect-wandb/core/Errors"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import type * as WandbConfig from "@effect-wandb/core/WandbConfig"
import * as NodeWandb from "@effect-wandb/platform-node/NodeWandb"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as GlobalOptions from "./GlobalOptions.js"

/**
 * The client for the given settings (environment as fallback). A malformed environment
 * variable (e.g. `WANDB_HTTP_TIMEOUT=soon`) is an `InvalidArgument`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: WandbConfig.Options): Layer.Layer<NodeWandb.Services, InvalidArgument> =>
  NodeWandb.layer(options).pipe(
    Layer.catchAll((error) =>
      Layer.fail(error._tag === "InvalidArgument" ? error : new InvalidArgument({ argument: "environment", reason: String(error) }))
    )
  )

/**
 * Runs `f` with the W&B API configured from the connection options; `f` may also use the other
 * client services (GraphQL transport for history, HTTP client and file system for downloads).
 *
 * @since 0.1.0
 * @category constructors
 */
export const withApi = <A, E, R>(
  connection: GlobalOptions.Connection,
  f: (api: WandbApi.WandbApi.Service) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | InvalidArgument, Exclude<R, NodeWandb.Services> | FileSystem.FileSystem> =>
  Effect.flatMap(GlobalOptions.clientOptions(connection), (options) =>
    Effect.flatMap(WandbApi.WandbApi, f).pipe(Effect.provide(layer(options))))
