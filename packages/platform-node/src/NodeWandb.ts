/**
 * A ready W&B client on Node: the core services (`WandbApi`, `Artifacts`, `GraphQLClient`,
 * `WandbHttpClient`, `WandbConfig`) on Node's own `http`/`https` modules (keep-alive agents),
 * plus Node's `FileSystem`, `Path` and MD5 (`Hashing` on `node:crypto`) for downloads.
 * Settings come from the environment (`WANDB_API_KEY`, `WANDB_BASE_URL`, `WANDB_ENTITY`,
 * `WANDB_PROJECT`, …), explicit options taking precedence.
 *
 * Bringing your own `HttpClient`? Use `WandbApi.layer(options)` from `@effect-wandb/core`
 * directly, and {@link layerPlatform} only for the file system and hashing.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Path from "@effect/platform/Path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as Artifacts from "@effect-wandb/core/Artifacts"
import type { InvalidArgument } from "@effect-wandb/core/Errors"
import type * as Hashing from "@effect-wandb/core/Hashing"
import type * as GraphQLClient from "@effect-wandb/core/GraphQLClient"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import type * as WandbConfig from "@effect-wandb/core/WandbConfig"
import type * as WandbHttpClient from "@effect-wandb/core/WandbHttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import { make as makeHttpClient } from "./internal/nodeHttpClient.js"
import * as NodeHashing from "./NodeHashing.js"

/**
 * Options of the Node platform layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlatformOptions {
  /**
   * The most sockets open at once per host (and per protocol), default {@link defaultMaxSockets}.
   * Calls beyond it wait for a free socket instead of opening one each: hundreds of concurrent
   * calls would otherwise use hundreds of file descriptors.
   */
  readonly maxSockets?: number | undefined
}

/**
 * The default cap on sockets per host: 16.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxSockets = 16

/**
 * Everything the client needs from Node: an `HttpClient` on `node:http`/`node:https` with
 * keep-alive agents capped at `maxSockets` sockets per host (default 16) that asks for `gzip, br`
 * and decodes content codings as `fetch` does, `FileSystem`, `Path`, `Hashing` (MD5 on
 * `node:crypto`).
 *
 * Not undici: loading the `undici` package and running its WASM parser costs about 20 MiB of
 * resident memory before the first byte of a download (bench/RESULTS.md, "Downloads"), while
 * Node's built-in parser is already part of the runtime. And not `@effect/platform-node`'s
 * `NodeHttpClient` either: it loads undici's JavaScript with its `node:http` client, and costs
 * about 1 ms of CPU more per GraphQL page (see `internal/nodeHttpClient.ts`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPlatformWith = (
  options: PlatformOptions = {}
): Layer.Layer<HttpClient.HttpClient | FileSystem.FileSystem | Path.Path | Hashing.Hashing> =>
  Layer.mergeAll(
    Layer.scoped(HttpClient.HttpClient, makeHttpClient({ keepAlive: true, maxSockets: options.maxSockets ?? defaultMaxSockets })),
    NodeFileSystem.layer,
    NodePath.layer,
    NodeHashing.layer
  )

/**
 * {@link layerPlatformWith} with the defaults (16 sockets per host).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPlatform: Layer.Layer<HttpClient.HttpClient | FileSystem.FileSystem | Path.Path | Hashing.Hashing> = layerPlatformWith()

/**
 * The services {@link layer} provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | WandbApi.WandbApi
  | Artifacts.Artifacts
  | GraphQLClient.GraphQLClient
  | WandbHttpClient.WandbHttpClient
  | WandbConfig.WandbConfig
  | HttpClient.HttpClient
  | FileSystem.FileSystem
  | Path.Path
  | Hashing.Hashing

/**
 * The whole client on Node, settings from the environment with `options` taking precedence;
 * `platform.maxSockets` caps the sockets per host (default 16).
 *
 * @example
 * ```ts
 * import { NodeWandb } from "@effect-wandb/platform-node"
 * import { WandbApi } from "@effect-wandb/core"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const api = yield* WandbApi.WandbApi
 *   yield* api.runs("acme-ml/mnist-cnn").pipe(Stream.runForEach((run) => Effect.log(run.id, run.state)))
 * })
 *
 * // WANDB_API_KEY (and WANDB_BASE_URL, WANDB_ENTITY, …) from the environment
 * const main = () => program.pipe(Effect.provide(NodeWandb.layer()), Effect.runPromise)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: WandbConfig.Options,
  platform?: PlatformOptions
): Layer.Layer<Services, InvalidArgument | ConfigError.ConfigError> =>
  Artifacts.layer.pipe(Layer.provideMerge(WandbApi.layer(options)), Layer.provideMerge(layerPlatformWith(platform)))

/**
 * Like {@link layer} on any configuration layer (e.g. `WandbConfig.layerWithoutEnv(...)`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFrom = <E, R>(
  config: Layer.Layer<WandbConfig.WandbConfig, E, R>,
  platform?: PlatformOptions
): Layer.Layer<Services, E, Exclude<R, HttpClient.HttpClient | FileSystem.FileSystem | Path.Path | Hashing.Hashing>> =>
  Artifacts.layer.pipe(Layer.provideMerge(WandbApi.layerFrom(config)), Layer.provideMerge(layerPlatformWith(platform)))
