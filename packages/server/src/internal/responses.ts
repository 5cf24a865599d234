/**
 * JSON responses in the shapes W&B clients parse: `{"data": …}` / `{"errors": [{"message"}]}`.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"

/**
 * The UTF-8 bytes of `text` in a buffer that is not zero-filled first: `TextEncoder.encode`
 * allocates a zeroed array and then writes it, which costs more than the encoding itself for
 * the ~300 KB bodies of history pages.
 */
const utf8 = (text: string): Uint8Array => {
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(text, "utf8"))
  bytes.write(text, "utf8")
  return bytes
}

/** A JSON body (already standard JSON: no NaN/Infinity values reach here). @internal */
export const json = (status: number, body: unknown, headers?: Record<string, string>): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.uint8Array(utf8(JSON.stringify(body)), {
    status,
    contentType: "application/json",
    ...(headers === undefined ? {} : { headers })
  })

/** `{"errors":[{"message": message}]}` with `status`. @internal */
export const error = (status: number, message: string, headers?: Record<string, string>): HttpServerResponse.HttpServerResponse =>
  json(status, { errors: [{ message }] }, headers)
