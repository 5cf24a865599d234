/**
 * The options of `effect-wandb web` and the first line it prints: shared by the command
 * (`WebCommand`) and its implementation (`WebServe`, loaded only when the command runs).
 *
 * @since 0.1.0
 */
import type * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as GlobalOptions from "./GlobalOptions.js"

/**
 * The first line the command prints, `serving <url>`.
 *
 * @since 0.1.0
 * @category constants
 */
export const servingPrefix = "serving "

/**
 * The command's options.
 *
 * @since 0.1.0
 * @category options
 */
export const options = {
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
