/**
 * What one request may cost the local server. Every limit has a default that the official
 * clients' real requests stay well within; pass `limits` to `LocalServer.Options` to change any
 * of them. A request over a limit is refused before it is buffered or executed: HTTP 413 for the
 * body, HTTP 400 with `{"errors":[{"message"}]}` for everything else (clients do not retry 4xx).
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  /**
   * Largest `POST /graphql` body, in bytes. Counted while the body streams in: a larger body
   * (or a larger `Content-Length`) gets 413 without being buffered, and the connection is closed.
   */
  readonly maxBodyBytes: number
  /** Largest GraphQL document, in lexical tokens (graphql-js `parse({ maxTokens })`). */
  readonly maxTokens: number
  /** Deepest field nesting of an operation (fragments expanded; the root fields are depth 1). */
  readonly maxDepth: number
  /** Most fields in one selection set, aliases and fragments' fields included. */
  readonly maxSelections: number
  /**
   * Largest estimated cost of an operation: every field counts 1, times the page size of each
   * list it is inside (`first`, default 50); `history`/`events` count their `samples` (default
   * 500), `sampledHistory` the sum of its specs' `samples`, `parquetHistory` a flat
   * `maxSamples / 10`.
   */
  readonly maxComplexity: number
  /** Largest `first` (page size) argument of any connection (runs, files, projects, sweeps). */
  readonly maxPageSize: number
  /** Largest `samples` of `history`, `events` and each `sampledHistory` spec. */
  readonly maxSamples: number
  /** Deepest nesting of a runs `filters` document, in JSON objects and arrays (`{"$or": [{…}]}` is 3). */
  readonly maxFilterDepth: number
  /**
   * Most terms in a runs `filters` document: its object members and array elements, counted
   * through every level (`{"$or": [{"a": 1}, {"b": 2}]}` has 5).
   */
  readonly maxFilterTerms: number
  /** Longest `$regex` pattern, in characters. */
  readonly maxRegexLength: number
}

/**
 * The defaults.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Limits = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxTokens: 20_000,
  maxDepth: 15,
  maxSelections: 200,
  maxComplexity: 250_000,
  maxPageSize: 1_000,
  maxSamples: 100_000,
  maxFilterDepth: 32,
  maxFilterTerms: 1_000,
  maxRegexLength: 1_000
}

/**
 * The defaults with `overrides` applied (an `undefined` member keeps its default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (overrides: Partial<{ readonly [K in keyof Limits]: Limits[K] | undefined }> = {}): Limits => {
  const limits: Record<string, number> = { ...defaults }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) limits[key] = value
  }
  return limits as unknown as Limits
}
