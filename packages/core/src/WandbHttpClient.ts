/**
 * The HTTP client every request to the W&B API goes through: an `HttpClient` that already
 * carries the base URL handling, the Basic `api:<key>` credentials (sent only to URLs under
 * the configured base URL), the official client's headers and the retry policy. GraphQL
 * requests and file downloads both use it.
 *
 * - Relative URLs (`/graphql`) are resolved against the base URL.
 * - Every request carries `User-Agent: W&B Public Client effect-wandb/<version>` ({@link userAgent}); requests under
 *   the base URL also carry `Authorization` (when a key is configured) and
 *   `Use-Admin-Privileges: true`. The key stays `Redacted` and the `authorization` header is
 *   redacted in logs and spans.
 * - Each attempt has the configured timeout; failures are retried per
 *   `WandbConfig.RetryPolicy`. When retries are exhausted the last response is returned with
 *   its status (or the last request error is raised), and {@link attempts} tells how many
 *   attempts were made.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { currentAttempts, retrying } from "./internal/retry.js"
import { WandbConfig } from "./WandbConfig.js"

/**
 * @since 0.1.0
 * @category tags
 */
export class WandbHttpClient extends Context.Tag("@effect-wandb/core/WandbHttpClient")<
  WandbHttpClient,
  HttpClient.HttpClient
>() {}

/**
 * The `User-Agent` sent with every request. W&B gates some fields on a recognised
 * `W&B Public Client` agent.
 *
 * @since 0.1.0
 * @category constants
 */
export const userAgent = "W&B Public Client effect-wandb/0.1.0"

/**
 * How many attempts the most recent request made through a {@link WandbHttpClient} in the
 * current fiber (1 when it succeeded or failed without retry).
 *
 * @since 0.1.0
 * @category accessors
 */
export const attempts: Effect.Effect<number> = FiberRef.get(currentAttempts)

/**
 * Whether a URL is under the base URL (same scheme, host and path prefix), i.e. may receive
 * the API key.
 *
 * @since 0.1.0
 * @category utils
 */
export const isUnderBaseUrl = (baseUrl: string, url: string): boolean =>
  url === baseUrl || url.startsWith(`${baseUrl}/`) || url.startsWith(`${baseUrl}?`)

/**
 * Builds the client from the configuration and an underlying `HttpClient`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<HttpClient.HttpClient, never, HttpClient.HttpClient | WandbConfig> = Effect.gen(
  function*() {
    const config = yield* WandbConfig
    const client = yield* HttpClient.HttpClient
    const authorize = Option.match(config.apiKey, {
      onNone: () => (request: HttpClientRequest.HttpClientRequest) => request,
      onSome: (key) => HttpClientRequest.basicAuth("api", key)
    })
    return client.pipe(
      HttpClient.mapRequest((request) => {
        const absolute = request.url.startsWith("/") ? HttpClientRequest.prependUrl(request, config.baseUrl) : request
        const withAgent = HttpClientRequest.setHeader(absolute, "user-agent", userAgent)
        return isUnderBaseUrl(config.baseUrl, withAgent.url)
          ? authorize(HttpClientRequest.setHeader(withAgent, "use-admin-privileges", "true"))
          : withAgent
      }),
      HttpClient.transform(retrying(config.retry, config.timeout))
    )
  }
)

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<WandbHttpClient, never, HttpClient.HttpClient | WandbConfig> = Layer.effect(
  WandbHttpClient,
  make
)
