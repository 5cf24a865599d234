/**
 * The forms in which an API key can travel, and masking them in text. A key leaks not only as
 * itself: as the HTTP Basic credential (`base64("api:" + key)`, padded or not), base64 or
 * base64url of the key, hex, upper case or URL-encoded, each of which decodes back to the key.
 * Everything we report or relay is masked against all of them.
 *
 * @since 0.1.0
 */
import * as Encoding from "effect/Encoding"

/**
 * Derived forms shorter than this are not masked (they would match ordinary text); the key
 * itself always is.
 *
 * @since 0.1.0
 * @category constants
 */
export const MIN_LENGTH = 8

const unpadded = (base64: string): string => base64.replace(/=+$/, "")

/**
 * Every form of `key` worth masking, longest first (so that a longer form is masked whole
 * before a shorter form inside it), without duplicates or derived forms under {@link MIN_LENGTH}.
 *
 * @since 0.1.0
 * @category secrets
 */
export const forms = (key: string): ReadonlyArray<string> => {
  const credential = `api:${key}`
  const candidates = [
    key,
    key.toUpperCase(),
    key.toLowerCase(),
    encodeURIComponent(key),
    Encoding.encodeBase64(key),
    unpadded(Encoding.encodeBase64(key)),
    Encoding.encodeBase64Url(key),
    Encoding.encodeBase64(credential),
    unpadded(Encoding.encodeBase64(credential)),
    Encoding.encodeBase64Url(credential),
    Encoding.encodeHex(key),
    Encoding.encodeHex(key).toUpperCase()
  ]
  return [...new Set(candidates)]
    .filter((form) => form === key ? form !== "" : form.length >= MIN_LENGTH)
    .sort((a, b) => b.length - a.length)
}

/**
 * Replaces every occurrence of every form in `text` by `mask`. Mask the whole text before
 * cutting it to an excerpt: a cut can split a form so that it no longer matches.
 *
 * @since 0.1.0
 * @category secrets
 */
export const mask = (text: string, secretForms: ReadonlyArray<string>, replacement = "<redacted>"): string =>
  secretForms.reduce((out, form) => (out.includes(form) ? out.split(form).join(replacement) : out), text)
