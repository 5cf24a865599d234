/**
 * JSON arrays serialised by SQLite (`json_group_array`) and spliced into the response body
 * as bytes, so a resolver can answer a large list of stored JSON texts (a history page: 1000
 * rows, ~300 KB) without graphql-js completing every item, `JSON.stringify` escaping every row
 * and the body being encoded to UTF-8 again.
 *
 * A resolver stores the bytes with {@link RawJson.add} and returns the placeholder list it
 * gets back; {@link RawJson.serialize} writes the response with `JSON.stringify` and puts
 * each stored array where its placeholder list is. The placeholders carry a random per-process
 * nonce, so no value a client stored can be mistaken for one.
 *
 * @internal
 */
import { isUtf8 } from "node:buffer"
import { randomUUID } from "node:crypto"

const PREFIX = `effect-wandb-raw-json-${randomUUID()}-`
/** How a placeholder list `[placeholder]` looks inside `JSON.stringify` output. */
const PLACEHOLDER_LIST = new RegExp(`\\["${PREFIX}(\\d+)"\\]`, "g")

/**
 * The UTF-8 bytes of `text` in a buffer that is not zero-filled first: `TextEncoder.encode`
 * allocates a zeroed array and then writes it, which costs more than the encoding itself for
 * bodies of hundreds of KB.
 */
const utf8 = (text: string): Uint8Array => {
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(text, "utf8"))
  bytes.write(text, "utf8")
  return bytes
}

/**
 * The arrays stored for one response.
 *
 * @internal
 */
export class RawJson {
  private readonly arrays: Array<Uint8Array> = []

  /**
   * Stores `array` (the UTF-8 text of a JSON array of strings, e.g. a `json_group_array` cast to
   * a BLOB) and returns the list to resolve the field with in its place. Bytes that are not
   * valid UTF-8 (a stored lone surrogate) are not sent as they are: the array is decoded, with
   * U+FFFD for them as when the rows are read as strings, and returned to be serialised like
   * any other value.
   */
  add(array: Uint8Array): ReadonlyArray<string> {
    if (!isUtf8(array)) return JSON.parse(Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString())
    this.arrays.push(array)
    return [`${PREFIX}${this.arrays.length - 1}`]
  }

  /**
   * `JSON.stringify(body)` as UTF-8, in parts: the stored arrays stand where their placeholder
   * lists were, between the encoded text around them (not copied into one buffer: every large
   * buffer allocated brings the next full garbage collection closer).
   */
  serialize(body: unknown): ReadonlyArray<Uint8Array> {
    const text = JSON.stringify(body)
    if (this.arrays.length === 0) return [utf8(text)]
    const parts: Array<Uint8Array> = []
    let from = 0
    for (const match of text.matchAll(PLACEHOLDER_LIST)) {
      parts.push(utf8(text.slice(from, match.index)), this.arrays[Number(match[1])]!)
      from = match.index + match[0].length
    }
    parts.push(utf8(text.slice(from)))
    return parts
  }
}
