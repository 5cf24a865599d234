/**
 * JSON with W&B's non-standard number tokens. W&B stores run config, summary, system metrics
 * and history rows as JSON text that may contain bare `NaN`, `Infinity` and `-Infinity`
 * (Python's `json.dumps` default). Standard `JSON.parse` rejects them; this module reads and
 * writes them, and also accepts the quoted forms `"NaN"`, `"Infinity"`, `"-Infinity"` that W&B
 * uses inside standard-JSON fields when asked to (see {@link parse}'s `quotedSpecials`).
 *
 * Parsing takes the plain `JSON.parse` fast path whenever the text holds no such token.
 *
 * @since 0.1.0
 */

const SPECIAL_PREFIX = "\u0000wandb-special:"
/** The same prefix as it is written inside JSON text (an escaped NUL). */
const SPECIAL_PREFIX_JSON = "\\u0000wandb-special:"

const specialValue: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY
}

/**
 * Rewrites every bare `NaN` / `Infinity` / `-Infinity` token that stands outside a string
 * literal with `replace(token)`. Returns the input unchanged when there is none.
 */
const rewriteBareTokens = (text: string, replace: (token: string) => string): string => {
  if (!text.includes("NaN") && !text.includes("Infinity")) return text
  let out = ""
  let last = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
      continue
    }
    if (c === 34) {
      inString = true
      continue
    }
    let token: string | undefined
    if (c === 78 /* N */ && text.startsWith("NaN", i)) token = "NaN"
    else if (c === 73 /* I */ && text.startsWith("Infinity", i)) token = "Infinity"
    else if (c === 45 /* - */ && text.startsWith("-Infinity", i)) token = "-Infinity"
    if (token !== undefined) {
      out += text.slice(last, i) + replace(token)
      i += token.length - 1
      last = i + 1
    }
  }
  return last === 0 ? text : out + text.slice(last)
}

const sentinelReviver = (_key: string, value: unknown): unknown =>
  typeof value === "string" && value.startsWith(SPECIAL_PREFIX) ? specialValue[value.slice(SPECIAL_PREFIX.length)] : value

const quotedReviver = (_key: string, value: unknown): unknown =>
  typeof value === "string" && value in specialValue ? specialValue[value] : value

/**
 * For an already parsed value: replaces, in place and at any depth, the strings `"NaN"`,
 * `"Infinity"`, `"-Infinity"` by the numbers they stand for (what {@link parse} does with
 * `quotedSpecials: true`). Returns the value, or its replacement when the value itself is such
 * a string.
 *
 * @since 0.1.0
 * @category parsing
 */
export const reviveQuotedSpecials = (value: unknown): unknown => {
  if (typeof value === "string") return quotedReviver("", value)
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveQuotedSpecials(value[i])
    return value
  }
  const record = value as Record<string, unknown>
  for (const key in record) record[key] = reviveQuotedSpecials(record[key])
  return value
}

/**
 * Parses JSON text that may contain bare `NaN`, `Infinity`, `-Infinity`. With
 * `quotedSpecials: true` the strings `"NaN"`, `"Infinity"`, `"-Infinity"` also become numbers
 * (the form W&B uses in standard-JSON fields such as `sampledHistory`). Throws `SyntaxError`
 * on malformed input, like `JSON.parse`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string, options?: { readonly quotedSpecials?: boolean }): unknown => {
  if (options?.quotedSpecials === true) {
    const standard = rewriteBareTokens(text, (token) => `"${token}"`)
    // the reviver is only needed when a quoted special can be present
    return standard === text && !text.includes("NaN\"") && !text.includes("Infinity\"")
      ? JSON.parse(text)
      : JSON.parse(standard, quotedReviver)
  }
  const marked = rewriteBareTokens(text, (token) => `"${SPECIAL_PREFIX_JSON}${token}"`)
  return marked === text ? JSON.parse(text) : JSON.parse(marked, sentinelReviver)
}

/**
 * Rewrites lenient JSON text into standard JSON, turning each bare special token into its
 * quoted string form (`NaN` → `"NaN"`). Text without such tokens is returned as is.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toStandard = (text: string): string => rewriteBareTokens(text, (token) => `"${token}"`)

/**
 * Serialises a value to JSON, writing non-finite numbers as bare `NaN`, `Infinity`,
 * `-Infinity` tokens (what W&B's own clients write).
 *
 * @since 0.1.0
 * @category encoding
 */
export const stringify = (value: unknown): string => {
  let sawSpecial = false
  const text = JSON.stringify(value, (_key, v) => {
    if (typeof v === "number" && !Number.isFinite(v)) {
      sawSpecial = true
      return `${SPECIAL_PREFIX}${Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"}`
    }
    return v
  })
  if (!sawSpecial) return text
  return text.replace(/"\\u0000wandb-special:(NaN|Infinity|-Infinity)"/g, "$1")
}
