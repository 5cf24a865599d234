/**
 * `effect-wandb web`: serves the web page (see `WebServer`) until interrupted (Ctrl-C).
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import { options, type WebOptions } from "./WebOptions.js"

export {
  /**
   * The first line the command prints, `serving <url>`.
   *
   * @since 0.1.0
   * @category constants
   */
  servingPrefix,
  /**
   * The command's parsed options.
   *
   * @since 0.1.0
   * @category models
   */
  type WebOptions
} from "./WebOptions.js"

/**
 * The command; its implementation (`WebServe`) is loaded when it runs.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "web",
  options,
  (o: WebOptions) => Effect.flatMap(Effect.promise(() => import("./WebServe.js")), (module) => module.serve(o))
).pipe(Command.withDescription("Serve the web page (runs table, history charts, file downloads) against a W&B base URL."))
