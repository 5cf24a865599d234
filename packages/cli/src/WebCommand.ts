/**
 * `effect-wandb web`: serves the web page (see `WebServer`) until interrupted (Ctrl-C).
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as GlobalOptions from "./GlobalOptions.js"

/**
 * The first line the command prints, `serving <url>`.
 *
 * @since 0.1.0
 * @category constants
 */
export const servingPrefix = "serving "

const options = {
  host: Options.text("host").pipe(Options.withDescription("Interface to listen on"), Options.withDefault("127.0.0.1")),
  port: Options.integer("port").pipe(Options.withDescription("Port (0 picks a free one)"), Options.withDefault(8000)),
  allowedHosts: Options.text("allowed-host").pipe(
    Options.withDescription("Another host name the page is reached by (e.g. this machine's DNS name); repeatable"),
    Options.repeated
  ),
  noToken: Options.boolean("no-token").pipe(
    Options.withDescription(
      "Serve without the per-start token (less safe: any local user or program can then use the API key through this server); loopback only"
    )
  ),
  ...GlobalOptions.connection
}

/**
 * The command's parsed options.
 *
 * @since 0.1.0
 * @category models
 */
export type WebOptions = Command.Command.ParseConfig<typeof options>

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
