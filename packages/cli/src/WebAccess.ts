/**
 * Who may use the server of `effect-wandb web`. The server lends the user's API key to every
 * request it forwards, so it must answer only the page it served, in the user's own browser:
 *
 * - **Host**: only the names the server is reached by (loopback names when bound to loopback,
 *   the machine's addresses otherwise, plus `--allowed-host`): a rebound DNS name that points a
 *   foreign site at this port is refused.
 * - **Origin**: requests that change or fetch data by POST must come from the page's own origin
 *   (`Origin`, else `Sec-Fetch-Site`): a cross-site form or `fetch` is refused.
 * - **Token**: a random token made at each start. The printed URL carries it; opening it sets an
 *   `HttpOnly`, `SameSite=Strict` cookie, which every other request must present. Other sites'
 *   requests never carry that cookie, and other local users cannot guess it.
 *
 * @since 0.1.0
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { randomBytes, timingSafeEqual } from "node:crypto"
import { networkInterfaces } from "node:os"

/**
 * @since 0.1.0
 * @category models
 */
export interface Policy {
  /** Host names (without port) the server answers to; compared case-insensitively. */
  readonly hosts: ReadonlySet<string>
  /** The port the server listens on (the `Host` header must name it). */
  readonly port: number
  /** The per-start token, or `null` when started with `--no-token`. */
  readonly token: string | null
}

/**
 * A new random token (32 bytes, base64url).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeToken = (): string => randomBytes(32).toString("base64url")

const loopbackNames = ["localhost", "127.0.0.1", "[::1]"]

/**
 * Whether `host` (a `--host` value) listens on loopback only.
 *
 * @since 0.1.0
 * @category hosts
 */
export const isLoopback = (host: string): boolean => {
  const name = host.toLowerCase().replace(/^\[|\]$/g, "")
  return name === "localhost" || name === "::1" || /^127(\.\d{1,3}){3}$/.test(name)
}

const bracketed = (address: string): string => (address.includes(":") ? `[${address}]` : address)

/**
 * The host names a server bound to `host` answers to: the loopback names for a loopback address;
 * every address of this machine (and `localhost`) for a wildcard (`0.0.0.0`, `::`); the address
 * itself otherwise; plus `extra` (e.g. a DNS name of the machine given with `--allowed-host`).
 *
 * @since 0.1.0
 * @category hosts
 */
export const hostsFor = (host: string, extra: ReadonlyArray<string>): ReadonlySet<string> => {
  const name = host.toLowerCase().replace(/^\[|\]$/g, "")
  const own = isLoopback(name)
    ? [...loopbackNames, bracketed(name)]
    : name === "0.0.0.0" || name === "::"
    ? [
      ...loopbackNames,
      ...Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => bracketed(entry.address)))
    ]
    : [bracketed(name)]
  return new Set([...own, ...extra].map((h) => h.toLowerCase()))
}

/**
 * The `Host` header's name, when it names one of `policy.hosts` on `policy.port`; else `null`.
 *
 * @since 0.1.0
 * @category checks
 */
export const allowedHost = (policy: Policy, header: string | undefined): string | null => {
  if (header === undefined || header === "") return null
  let url: URL
  try {
    url = new URL(`http://${header}`)
  } catch {
    return null
  }
  if (url.username !== "" || url.pathname !== "/" || url.host !== header.toLowerCase()) return null
  if ((url.port === "" ? "80" : url.port) !== String(policy.port)) return null
  return policy.hosts.has(url.hostname) ? url.host : null
}

/**
 * Whether the request comes from the page's own origin, as far as the browser says: `Origin`
 * (when sent) is `http://<Host>`, and `Sec-Fetch-Site` (when sent) is `same-origin` or `none`.
 * A client that sends neither is not a browser page, so no other site can be behind it.
 *
 * @since 0.1.0
 * @category checks
 */
export const isSameOrigin = (headers: Readonly<Record<string, string | undefined>>, host: string): boolean => {
  const origin = headers["origin"]
  if (origin !== undefined && origin !== `http://${host}`) return false
  const site = headers["sec-fetch-site"]
  return site === undefined || site === "same-origin" || site === "none"
}

/**
 * The cookie that carries the token (named after the port: cookies are shared by all ports of
 * a host).
 *
 * @since 0.1.0
 * @category token
 */
export const cookieName = (port: number): string => `effect-wandb-web-${port}`

const sameToken = (expected: string, given: string | undefined): boolean => {
  if (given === undefined) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Whether the request presents the token in its cookie (always true with `--no-token`).
 *
 * @since 0.1.0
 * @category token
 */
export const hasToken = (policy: Policy, request: HttpServerRequest.HttpServerRequest): boolean =>
  policy.token === null || sameToken(policy.token, request.cookies[cookieName(policy.port)])

/**
 * The answer to `GET /?token=…`: when the token is right, a redirect to `/` that sets the
 * cookie (so the token leaves the address bar and the history); `null` otherwise.
 *
 * @since 0.1.0
 * @category token
 */
export const exchangeToken = (
  policy: Policy,
  request: HttpServerRequest.HttpServerRequest
): HttpServerResponse.HttpServerResponse | null => {
  if (policy.token === null) return null
  const url = new URL(request.originalUrl, "http://web.invalid")
  if (url.pathname !== "/" || !sameToken(policy.token, url.searchParams.get("token") ?? undefined)) return null
  return HttpServerResponse.redirect("/", { status: 303, headers: { "cache-control": "no-store" } }).pipe(
    HttpServerResponse.unsafeSetCookie(cookieName(policy.port), policy.token, { httpOnly: true, sameSite: "strict", path: "/" })
  )
}

const refusal = (status: number, message: string) =>
  HttpServerResponse.text(`effect-wandb web: ${message}\n`, { status, headers: { "cache-control": "no-store" } })

/**
 * The answer for a request that must not reach the routes (a refusal, or the token exchange of
 * {@link exchangeToken}), or `null` to let it through. `GET /favicon.ico` needs no token
 * (browsers ask for it on their own).
 *
 * @since 0.1.0
 * @category checks
 */
export const admit = (
  policy: Policy,
  request: HttpServerRequest.HttpServerRequest
): HttpServerResponse.HttpServerResponse | null => {
  const host = allowedHost(policy, request.headers["host"])
  if (host === null) return refusal(403, "this server answers only to its own host names (see --allowed-host)")
  if (request.method !== "GET" && request.method !== "HEAD" && !isSameOrigin(request.headers, host)) {
    return refusal(403, "cross-origin request refused")
  }
  if (request.method === "GET") {
    if (new URL(request.originalUrl, "http://web.invalid").pathname === "/favicon.ico") return null
    const exchanged = exchangeToken(policy, request)
    if (exchanged !== null) return exchanged
  }
  if (!hasToken(policy, request)) {
    return refusal(401, "open the URL that `effect-wandb web` printed (it carries this start's token)")
  }
  return null
}
