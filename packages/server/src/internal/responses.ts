/**
 * JSON responses in the shapes W&B clients parse: `{"data": …}` / `{"errors": [{"message"}]}`.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/** A JSON body (already standard JSON: no NaN/Infinity values reach here). @internal */
export const json = (status: number, body: unknown, headers?: Record<string, string>): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(JSON.stringify(body), {
    status,
    contentType: "application/json",
    ...(headers === undefined ? {} : { headers })
  })

/** `{"errors":[{"message": message}]}` with `status`. @internal */
export const error = (status: number, message: string, headers?: Record<string, string>): HttpServerResponse.HttpServerResponse =>
  json(status, { errors: [{ message }] }, headers)
