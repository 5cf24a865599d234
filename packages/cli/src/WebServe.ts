/**
 * What `effect-wandb web` does once its options are parsed: checks them, starts the page's server
 * (see `WebServer`), prints where it serves, and serves until interrupted. Loaded by the command
 * only when it runs: the HTTP server and the proxy stay out of every other command's start. The proxy
 * relays upstream through `NodeWandb`'s `node:http` client, the one every other command uses.
 *
 * @since 0.1.0
 */
import { InvalidArgument } from "@effect-wandb/core/Errors"
import * as WandbConfig from "@effect-wandb/core/WandbConfig"
import * as NodeWandb from "@effect-wandb/platform-node/NodeWandb"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as GlobalOptions from "./GlobalOptions.js"
import * as Stdio from "./Stdio.js"
import * as WebAccess from "./WebAccess.js"
import * as WebBundle from "./WebBundle.js"
import { servingPrefix, type WebOptions } from "./WebOptions.js"
import * as WebServer from "./WebServer.js"

/**
 * Serves the web page with the command's options; never ends by itself.
 *
 * @since 0.1.0
 * @category running
 */
export const serve = (o: WebOptions) =>
  Effect.gen(function*() {
    const settings = yield* WandbConfig.makeFromEnv(yield* GlobalOptions.clientOptions(o)).pipe(
      Effect.catchTag("ConfigError", (error) => new InvalidArgument({ argument: "environment", reason: String(error) }))
    )
    const loopback = WebAccess.isLoopback(o.host)
    if (o.noToken && !loopback) {
      return yield* new InvalidArgument({
        argument: "--no-token",
        reason: `refused with --host ${o.host}: beyond loopback, the token is what keeps other machines from using the API key`
      })
    }
    if (!loopback) {
      yield* Stdio.errLine(
        `warning: --host ${o.host} exposes this server beyond this machine; anyone with the printed URL (it carries the token) can use the API key through it`
      )
    }
    const script = yield* WebBundle.script
    const url = yield* WebServer.make({
      host: o.host,
      port: o.port,
      baseUrl: settings.baseUrl,
      apiKey: settings.apiKey,
      allowedHosts: o.allowedHosts,
      token: o.noToken ? null : WebAccess.makeToken(),
      script,
      page: {
        upstream: settings.baseUrl,
        entity: Option.getOrNull(settings.entity),
        project: Option.getOrNull(settings.project)
      }
    }).pipe(
      Effect.catchTag("ServeError", (error) =>
        new InvalidArgument({ argument: "--host/--port", reason: `cannot listen on ${o.host}:${o.port}: ${String(error.cause)}` }))
    )
    yield* Stdio.out(
      [
        `${servingPrefix}${url}`,
        `  proxying the page's queries and file downloads to ${settings.baseUrl}${Option.isSome(settings.apiKey) ? " (with the API key, kept on this server)" : " (no API key set)"}`,
        o.noToken ? "  no token: every local user and program can use this server (--no-token)" : "  open the URL above: it carries this start's token (keep it private)",
        "Press Ctrl-C to stop.",
        ""
      ].join("\n")
    )
    return yield* Effect.never
  }).pipe(Effect.scoped, Effect.provide(NodeWandb.layerPlatform))
