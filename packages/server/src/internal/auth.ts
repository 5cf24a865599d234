/**
 * HTTP Basic authentication as W&B does it: user `api`, password = API key. The caller's user
 * row is provided to the handlers as {@link CurrentUser}. Neither the header nor the key ever
 * reaches a response, an error or a log.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Responses from "./responses.js"
import { findUserByKey, type UserRow } from "./users.js"

/** The authenticated caller. @internal */
export class CurrentUser extends Context.Tag("@effect-wandb/server/internal/CurrentUser")<CurrentUser, UserRow>() {}

const challenge = { "www-authenticate": "Basic realm=\"wandb\"" }

/** The key from `Authorization: Basic base64("api:<key>")`, or why there is none. */
const keyFrom = (header: string | undefined): Either.Either<string, string> => {
  if (header === undefined || header.trim() === "") {
    return Either.left("missing API key: send HTTP Basic auth with user \"api\" and the API key as password")
  }
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (match === null) return Either.left("unsupported Authorization scheme: use HTTP Basic with user \"api\"")
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0 || decoded.slice(0, colon) !== "api") {
    return Either.left("invalid credentials: the HTTP Basic user must be \"api\"")
  }
  const key = decoded.slice(colon + 1)
  return key === "" ? Either.left("missing API key: the HTTP Basic password is empty") : Either.right(key)
}

/**
 * Runs `app` with the caller as {@link CurrentUser}, or answers 401 with a JSON `errors` body.
 *
 * @internal
 */
export const authenticate = <E, R>(
  request: HttpServerRequest.HttpServerRequest,
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E | SqlError, Exclude<R, CurrentUser> | SqlClient.SqlClient> =>
  Either.match(keyFrom(request.headers["authorization"]), {
    onLeft: (reason) => Effect.succeed(Responses.error(401, reason, challenge)),
    onRight: (key) =>
      Effect.flatMap(findUserByKey(key), (user) =>
        Option.match(user, {
          onNone: () => Effect.succeed(Responses.error(401, "invalid API key", challenge)),
          onSome: (row) => Effect.provideService(app, CurrentUser, row)
        }))
  })
