/**
 * The HTTP client every request to the W&B API goes through: an `HttpClient` that already
 * carries the base URL handling, the Basic `api:<key>` credentials (sent only to URLs under
 * the configured base URL), the official client's headers and the retry policy. GraphQL
 * requests and file downloads both use it.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as HttpClient from "@effect/platform/HttpClient"

/**
 * @since 0.1.0
 * @category tags
 */
export class WandbHttpClient extends Context.Tag("@effect-wandb/core/WandbHttpClient")<
  WandbHttpClient,
  HttpClient.HttpClient
>() {}
