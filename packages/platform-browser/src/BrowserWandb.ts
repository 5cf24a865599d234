/**
 * Everything a browser page needs to use effect-wandb: the W&B client over `fetch`, the Origin
 * Private File System as `FileSystem` (for `Download.download`) and POSIX `Path` functions.
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
import * as WandbConfig from "@effect-wandb/core/WandbConfig"
import * as WandbHttpClient from "@effect-wandb/core/WandbHttpClient"
import * as Layer from "effect/Layer"
import * as BrowserFileSystem from "./BrowserFileSystem.js"

/**
 * The browser composite: `WandbConfig` from `options` (browsers have no environment), the
 * authenticated `WandbHttpClient` on `fetch`, the OPFS `FileSystem` and `Path`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: WandbConfig.Options
): Layer.Layer<
  WandbConfig.WandbConfig | WandbHttpClient.WandbHttpClient | FileSystem.FileSystem | Path.Path,
  InvalidArgument
> =>
  WandbHttpClient.layer.pipe(
    Layer.provide(FetchHttpClient.layer),
    Layer.provideMerge(WandbConfig.layerWithoutEnv(options)),
    Layer.merge(BrowserFileSystem.layer),
    Layer.merge(Path.layer)
  )
