/**
 * Rendering of command results: a readable table for people, and `json`, `ndjson` or `csv` for
 * programs. Every renderer is a pure function from rows to text, so the commands can stream rows
 * (`ndjson`, `csv`, `json`) without holding them all in memory; only `table` needs every row to
 * size its columns.
 *
 * Non-finite numbers have no JSON spelling: `json`/`ndjson` write them as the strings `"NaN"`,
 * `"Infinity"` and `"-Infinity"` (the form W&B itself uses in JSON-typed fields); `csv` and
 * `table` write `NaN`, `Infinity`, `-Infinity`.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"

/**
 * The output formats of every command.
 *
 * @since 0.1.0
 * @category models
 */
export type Format = "table" | "json" | "ndjson" | "csv"

/**
 * @since 0.1.0
 * @category models
 */
export const formats: ReadonlyArray<Format> = ["table", "json", "ndjson", "csv"]

/**
 * The format used when `--format` is not given: `table` when stdout is a terminal, `ndjson`
 * otherwise (one JSON value per line streams well and suits `jq`, `grep` and `head`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultFormat = (stdoutIsTty: boolean): Format => (stdoutIsTty ? "table" : "ndjson")

/**
 * A row of output: column name → value.
 *
 * @since 0.1.0
 * @category models
 */
export type Row = Readonly<Record<string, unknown>>

const nonFinite = (n: number): string => (Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity")

/**
 * Converts any value the client returns (class instances, `Date`, `Option`, non-finite numbers,
 * nested records) into plain JSON data.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toJson = (value: unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "number") return Number.isFinite(value) ? value : nonFinite(value)
  if (typeof value === "bigint") return value.toString()
  if (typeof value !== "object") return typeof value === "function" || typeof value === "symbol" ? null : value
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (Option.isOption(value)) return Option.isSome(value) ? toJson(value.value) : null
  if (Array.isArray(value)) return value.map(toJson)
  if (value instanceof Uint8Array) return `<${value.length} bytes>`
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    if (inner !== undefined && typeof inner !== "function") out[key] = toJson(inner)
  }
  return out
}

/**
 * Whether `JSON.stringify` already writes `value` as {@link toJson} would convert it: finite
 * numbers, strings, booleans and null in plain objects and arrays (history rows are). Such values
 * skip the copy `toJson` makes.
 */
const isPlainJson = (value: unknown): boolean => {
  switch (typeof value) {
    case "number":
      return Number.isFinite(value)
    case "string":
    case "boolean":
      return true
    case "object": {
      if (value === null) return true
      if (Array.isArray(value)) return value.every(isPlainJson)
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return false
      for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key])) return false
      return true
    }
    default:
      return false
  }
}

/**
 * One JSON text for a value (see {@link toJson}). JSON escapes C0 controls itself; DEL, the C1
 * controls (which `JSON.stringify` leaves raw, and some terminals act on) and the bidirectional
 * formatting characters (which reorder what the terminal shows) are written as `\uXXXX` escapes
 * too — the same JSON value, nothing a terminal acts on.
 *
 * @since 0.1.0
 * @category conversions
 */
export const jsonText = (value: unknown, indent?: number): string =>
  JSON.stringify(isPlainJson(value) ? value : toJson(value), null, indent).replace(RAW_IN_JSON, unicodeEscape)

/**
 * The text of one cell (table or CSV): empty for null, the number's shortest form, ISO dates,
 * comma-joined arrays of scalars, JSON for anything nested.
 *
 * @since 0.1.0
 * @category conversions
 */
export const cellText = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : nonFinite(value)
  if (typeof value === "string") return value
  if (typeof value === "boolean" || typeof value === "bigint") return String(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString()
  if (Option.isOption(value)) return Option.isSome(value) ? cellText(value.value) : ""
  if (Array.isArray(value) && value.every((v) => !Predicate.isObject(v))) return value.map(cellText).join(",")
  return jsonText(value)
}

/**
 * Reads a dotted path (`summary.loss`, `config.optimizer.name`) from a value. A key that itself
 * contains dots (`system.gpu.0.gpu`) is found too: the longest matching key wins.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getPath = (value: unknown, path: string): unknown => {
  if (path === "") return value
  if (!Predicate.isObject(value)) return undefined
  const record = value as Record<string, unknown>
  if (path in record) return record[path]
  const parts = path.split(".")
  for (let i = parts.length - 1; i >= 1; i--) {
    const head = parts.slice(0, i).join(".")
    if (head in record) {
      const found = getPath(record[head], parts.slice(i).join("."))
      if (found !== undefined) return found
    }
  }
  return undefined
}

/**
 * Projects a value onto the given columns (each a dotted path, see {@link getPath}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const project = (value: unknown, columns: ReadonlyArray<string>): Row => {
  const row: Record<string, unknown> = {}
  for (const column of columns) row[column] = getPath(value, column)
  return row
}

/**
 * Bidirectional formatting characters (ALM, LRM, RLM, the embeddings, overrides and isolates):
 * they reorder the text a terminal shows ("Trojan Source"), so a name can display as another.
 */
const BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
/** C0 controls, DEL and C1 controls (ESC, BEL, CSI, … — what a terminal acts on), and {@link BIDI}. */
const CONTROLS = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}]`, "g")
/** The same without tab, line feed and carriage return (CSV keeps those inside quoted fields). */
const CONTROLS_BUT_LINE_BREAKS = new RegExp(`[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f${BIDI}]`, "g")
/** What `JSON.stringify` leaves raw of the above (it escapes C0 controls itself). */
const RAW_IN_JSON = new RegExp(`[\\u007f-\\u009f${BIDI}]`, "g")

/** `\uXXXX` for a character of the Basic Multilingual Plane (a valid JSON escape). */
const unicodeEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`

const visible = (c: string): string => {
  const code = c.charCodeAt(0)
  return code <= 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : unicodeEscape(c)
}

/**
 * `text` with every control character (C0, DEL, C1) and bidirectional formatting character
 * written as a visible escape — `\x1b`, `\x07`, `\x7f`, `\u009b`, `\u202e` — so that
 * server-controlled text (run names, tags, config keys and values, file names) cannot move the
 * cursor, clear the screen, set the terminal title or display as other text.
 * `keepLineBreaks` leaves tab, LF and CR alone (CSV quotes them). A literal backslash is left
 * as it is, so the escape of a control character and the same text typed literally look alike.
 *
 * @since 0.1.0
 * @category conversions
 */
export const escapeControls = (text: string, keepLineBreaks = false): string =>
  text.replace(keepLineBreaks ? CONTROLS_BUT_LINE_BREAKS : CONTROLS, visible)

const MAX_CELL = 64

const truncate = (text: string): string => {
  const oneLine = escapeControls(text.replace(/\s+/g, " "))
  return oneLine.length > MAX_CELL ? oneLine.slice(0, MAX_CELL - 1) + "…" : oneLine
}

/**
 * A plain-text table: a header, a rule, and one line per row; numbers right-aligned, long or
 * multi-line cells shortened to one line of at most 64 characters, control characters escaped
 * (see {@link escapeControls}). Returns `"(no rows)\n"` when there are none.
 *
 * @since 0.1.0
 * @category renderers
 */
export const table = (columns: ReadonlyArray<string>, rows: ReadonlyArray<Row>): string => {
  if (rows.length === 0) return "(no rows)\n"
  const cells = rows.map((row) => columns.map((c) => truncate(cellText(row[c]))))
  const numeric = columns.map((c) => rows.every((row) => row[c] == null || typeof row[c] === "number"))
  const header = columns.map((c) => escapeControls(c))
  const widths = header.map((c, i) => Math.max(c.length, ...cells.map((line) => line[i]!.length)))
  const line = (values: ReadonlyArray<string>) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd()
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...cells.map(line)].join("\n") + "\n"
}

/**
 * A two-column (field, value) table for one record, e.g. `run` and `sweep`. Nested records are
 * flattened into dotted field names.
 *
 * @since 0.1.0
 * @category renderers
 */
export const verticalTable = (record: Row): string => {
  const rows: Array<Row> = []
  const walk = (prefix: string, value: unknown) => {
    const plain = toJson(value)
    if (Predicate.isObject(plain) && !Array.isArray(plain) && Object.keys(plain).length > 0 && !("_type" in plain)) {
      for (const [k, v] of Object.entries(plain)) walk(prefix === "" ? k : `${prefix}.${k}`, v)
    } else {
      rows.push({ field: prefix, value: plain })
    }
  }
  for (const [k, v] of Object.entries(record)) walk(k, v)
  return table(["field", "value"], rows)
}

const csvField = (raw: string): string => {
  const text = escapeControls(raw, true)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, "\"\"")}"` : text
}

/**
 * One CSV line (RFC 4180 quoting, `\n` line end; control characters other than tab and line
 * breaks escaped, see {@link escapeControls}).
 *
 * @since 0.1.0
 * @category renderers
 */
export const csvLine = (values: ReadonlyArray<unknown>): string => values.map((v) => csvField(cellText(v))).join(",") + "\n"

/**
 * Renders a stream of values as text chunks in the given format, projected onto `columns`
 * (dotted paths). With `wholeRecords`, `json` and `ndjson` write each value whole instead.
 * Only `table` collects the rows first. `json` writes nothing until the first row, and closes
 * the array when the rows fail after it (valid JSON or nothing).
 *
 * @since 0.1.0
 * @category renderers
 */
export const render = <E, R>(
  format: Format,
  columns: ReadonlyArray<string>,
  rows: Stream.Stream<unknown, E, R>,
  options?: { readonly wholeRecords?: boolean }
): Stream.Stream<string, E, R> => {
  const projected = Stream.map(rows, (row) => project(row, columns))
  const records = options?.wholeRecords ? rows : projected
  switch (format) {
    case "ndjson":
      return Stream.map(records, (row) => jsonText(row) + "\n")
    case "json":
      // Nothing before the first row, and the array closed when the rows fail after some were
      // written: stdout holds valid JSON or nothing (the error goes to stderr).
      return Stream.suspend(() => {
        let started = false
        return Stream.map(records, (row) => {
          const prefix = started ? ",\n  " : "[\n  "
          started = true
          return prefix + jsonText(row)
        }).pipe(
          Stream.concat(Stream.sync(() => (started ? "\n]\n" : "[\n]\n"))),
          Stream.catchAllCause((cause) =>
            started ? Stream.concat(Stream.succeed("\n]\n"), Stream.failCause(cause)) : Stream.failCause(cause)
          )
        )
      })
    case "csv":
      return Stream.concat(Stream.succeed(csvLine(columns)), Stream.map(projected, (row) => csvLine(columns.map((c) => row[c]))))
    case "table":
      return Stream.fromEffect(
        Effect.map(Stream.runCollect(projected), (collected) => table(columns, Chunk.toReadonlyArray(collected)))
      )
  }
}

/**
 * Renders one record (not a list): `table` is a field/value table, `json` is indented,
 * `ndjson` is one line, `csv` is a header line and one row of the record's top-level fields.
 *
 * @since 0.1.0
 * @category renderers
 */
export const renderOne = (format: Format, record: Row): string => {
  switch (format) {
    case "table":
      return verticalTable(record)
    case "json":
      return jsonText(record, 2) + "\n"
    case "ndjson":
      return jsonText(record) + "\n"
    case "csv": {
      const columns = Object.keys(record)
      return csvLine(columns) + csvLine(columns.map((c) => record[c]))
    }
  }
}
