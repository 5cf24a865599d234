/**
 * JSON responses in the shapes W&B clients parse: `{"data": …}` / `{"errors": [{"message"}]}`.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Stream from "effect/Stream"
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
): HttpServerResponse.HttpServerResponse => {
  const parts = raw.serialize(body)
  const options = { status, contentType: "application/json", ...(headers === undefined ? {} : { headers }) }
  return parts.length === 1
    ? HttpServerResponse.uint8Array(parts[0]!, options)
    : HttpServerResponse.stream(Stream.fromIterable(parts), {
      ...options,
      contentLength: parts.reduce((length, part) => length + part.byteLength, 0)
    })
}

/** `{"errors":[{"message": message}]}` with `status`. @internal */
export const error = (status: number, message: string, headers?: Record<string, string>): HttpServerResponse.HttpServerResponse =>
  json(status, { errors: [{ message }] }, headers)
