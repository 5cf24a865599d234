/**
 * Everything a browser page needs to use effect-wandb: the W&B client over `fetch`, the Origin
 * Private File System as `FileSystem` (for `Download.download`), POSIX `Path` functions and MD5
 * (`Hashing`, on `@noble/hashes`).
 *
 * The API key lives in the page, so use this only where the user supplies their own key (or
 * behind a same-origin proxy that adds it).
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type { InvalidArgument } from "@effect-wandb/core/Errors"
import type * as Hashing from "@effect-wandb/core/Hashing"
import type * as GraphQLClient from "@effect-wandb/core/GraphQLClient"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import * as WandbConfig from "@effect-wandb/core/WandbConfig"
import type * as WandbHttpClient from "@effect-wandb/core/WandbHttpClient"
import * as Layer from "effect/Layer"
import * as BrowserFileSystem from "./BrowserFileSystem.js"
import * as BrowserHashing from "./BrowserHashing.js"

/**
 * The services {@link layer} provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | WandbApi.WandbApi
  | GraphQLClient.GraphQLClient
  | WandbHttpClient.WandbHttpClient
  | WandbConfig.WandbConfig
  | FileSystem.FileSystem
  | Path.Path
  | Hashing.Hashing

/**
 * The whole client in a browser: `WandbApi` and the core services configured from `options`
 * only (a page has no environment), requests through `fetch`, the OPFS `FileSystem`, `Path`
 * and `Hashing`.
 *
 * Unlike `NodeWandb.layer`, it leaves out `Artifacts`, so that a page that does not read
 * artifacts does not ship their code; a page that does provides `Artifacts.layer` on top:
 * `Artifacts.layer.pipe(Layer.provideMerge(BrowserWandb.layer(options)))`.
 *
 * @example
 * ```ts
 * import * as BrowserWandb from "@effect-wandb/platform-browser/BrowserWandb"
 * import * as Download from "@effect-wandb/core/Download"
 * import * as WandbApi from "@effect-wandb/core/WandbApi"
 * import * as Effect from "effect/Effect"
 * import * as Stream from "effect/Stream"
 *
 * const program = Effect.gen(function*() {
 *   const api = yield* WandbApi.WandbApi
 *   const [file] = yield* Stream.runCollect(Stream.take(api.files("acme/mnist/3k9x0q2f"), 1))
 *   return yield* Download.download(file!, { root: "wandb" }) // into OPFS
 * }).pipe(Effect.provide(BrowserWandb.layer({ apiKey: "…", entity: "acme" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: WandbConfig.Options): Layer.Layer<Services, InvalidArgument> =>
  WandbApi.layerFrom(WandbConfig.layerWithoutEnv(options)).pipe(
    Layer.provide(FetchHttpClient.layer),
    Layer.merge(BrowserFileSystem.layer),
    Layer.merge(Path.layer),
    Layer.merge(BrowserHashing.layer)
  )
