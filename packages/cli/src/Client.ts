/**
 * The W&B client of one command invocation: the core client on Node's HTTP stack (undici),
 * configured from the connection flags, with the environment filling whatever the flags leave
 * unset.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { InvalidArgument } from "@effect-wandb/core/Errors"
import type * as GraphQLClient from "@effect-wandb/core/GraphQLClient"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import type * as WandbConfig from "@effect-wandb/core/WandbConfig"
import type * as WandbHttpClient from "@effect-wandb/core/WandbHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as GlobalOptions from "./GlobalOptions.js"

/**
 * What the client layer provides to a command.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | WandbApi.WandbApi
  | GraphQLClient.GraphQLClient
  | WandbHttpClient.WandbHttpClient
  | WandbConfig.WandbConfig
  | HttpClient.HttpClient

/**
 * The client for the given settings (environment as fallback). A malformed environment
 * variable (e.g. `WANDB_HTTP_TIMEOUT=soon`) is an `InvalidArgument`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: WandbConfig.Options): Layer.Layer<Services, InvalidArgument> =>
  WandbApi.layer(options).pipe(
    Layer.provideMerge(NodeHttpClient.layerUndici),
    Layer.catchAll((error) =>
      Layer.fail(
        error._tag === "InvalidArgument"
          ? error
          : new InvalidArgument({ argument: "environment", reason: String(error) })
      )
    )
  )

/**
 * Runs `f` with the W&B API configured from the connection options; `f` may also use the other
 * client services (GraphQL transport for history, the authenticated HTTP client for downloads).
 *
 * @since 0.1.0
 * @category constructors
 */
export const withApi = <A, E, R>(
  connection: GlobalOptions.Connection,
  f: (api: WandbApi.WandbApi.Service) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | InvalidArgument, Exclude<R, Services> | FileSystem.FileSystem> =>
  Effect.flatMap(GlobalOptions.clientOptions(connection), (options) =>
    Effect.flatMap(WandbApi.WandbApi, f).pipe(Effect.provide(layer(options))))
