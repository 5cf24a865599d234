/** @internal */

const MAX_LENGTH = 500

/** @internal */
export const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > MAX_LENGTH ? `${flat.slice(0, MAX_LENGTH)}…` : flat
}

const messageOf = (item: unknown): string | undefined => {
  if (typeof item === "string") return item
  if (item !== null && typeof item === "object" && "message" in item && typeof item.message === "string") {
    return item.message
  }
  return undefined
}

/**
 * The messages of a GraphQL / W&B error body, in any of the shapes W&B uses:
 * `{"errors": [{"message"}]}`, `{"errors": ["…"]}`, `{"error": "…"}`, `{"error": {"message"}}`.
 * Empty when the body has none of them.
 *
 * @internal
 */
export const errorMessages = (body: unknown): ReadonlyArray<string> => {
  if (body === null || typeof body !== "object") return []
  if ("errors" in body && Array.isArray(body.errors)) {
    return body.errors.flatMap((item) => {
      const message = messageOf(item)
      return message === undefined ? [] : [message]
    })
  }
  if ("error" in body) {
    const message = messageOf(body.error)
    return message === undefined ? [] : [message]
  }
  return []
}

/**
 * Distinct messages joined with `; ` (a GraphQL answer often repeats one error per field),
 * shortened to an excerpt.
 *
 * @internal
 */
export const joinMessages = (messages: ReadonlyArray<string>): string => excerpt([...new Set(messages)].join("; "))

/**
 * The message to report for an error body given as text: the parsed messages joined with
 * `; `, else an excerpt of the raw text (or `fallback` when it is empty).
 *
 * @internal
 */
export const messageFromText = (text: string, fallback: string): string => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const messages = errorMessages(parsed)
  if (messages.length > 0) return joinMessages(messages)
  const raw = excerpt(text)
  return raw === "" ? fallback : raw
}
