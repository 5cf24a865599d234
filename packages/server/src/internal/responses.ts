/**
 * JSON responses in the shapes W&B clients parse: `{"data": …}` / `{"errors": [{"message"}]}`.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { RawJson } from "./rawJson.js"

/**
 * A JSON body (already standard JSON: no NaN/Infinity values reach here), with the arrays of
 * `raw` spliced in.
 *
 * @internal
 */
export const json = (
  status: number,
  body: unknown,
  headers?: Record<string, string>,
  raw: RawJson = new RawJson()
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.uint8Array(raw.serialize(body), {
    status,
    contentType: "application/json",
    ...(headers === undefined ? {} : { headers })
  })

/** `{"errors":[{"message": message}]}` with `status`. @internal */
export const error = (status: number, message: string, headers?: Record<string, string>): HttpServerResponse.HttpServerResponse =>
  json(status, { errors: [{ message }] }, headers)
