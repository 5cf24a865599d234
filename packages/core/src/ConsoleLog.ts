/**
 * A run's console log (Python's `Run.console_logs()`): what the run's process wrote to stdout
 * and stderr, as W&B shows it in the run's "Logs" tab, one {@link ConsoleLine} per line.
 *
 * @example
 * ```ts
 * import { ConsoleLog, WandbApi } from "@effect-wandb/core"
 * import { Effect, Stream } from "effect"
 *
 * // the last 20 lines of a run that crashed
 * const tail = Effect.gen(function*() {
 *   const api = yield* WandbApi.WandbApi
 *   const run = yield* api.run("acme-ml/mnist-cnn/3k9x0q2f")
 *   const lines = yield* ConsoleLog.lines(run, { last: 20 }).pipe(Stream.runCollect)
 *   for (const line of lines) console.log(line.level === "error" ? "!" : " ", line.content)
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ApiError, InvalidArgument, RunNotFound } from "./Errors.js"
import * as GraphQLClient from "./GraphQLClient.js"
import { decodeAll, optionalTimestamp } from "./internal/decode.js"
import { type LogLineNode, operations } from "./internal/lifecycleDocuments.js"

/**
 * One line of a console log.
 *
 * @since 0.1.0
 * @category models
 */
export class ConsoleLine extends Schema.Class<ConsoleLine>("@effect-wandb/core/ConsoleLine")({
  /** Position in the log, from 0. */
  number: Schema.Number,
  /** When the line was written, if the server recorded it. */
  timestamp: Schema.NullOr(Schema.Date),
  /** `"error"` for a line written to stderr, `""` otherwise. */
  level: Schema.String,
  /** Which process wrote it when several write to one run (W&B's `x_label`), else `""`. */
  label: Schema.String,
  /** The text of the line. */
  content: Schema.String
}) {}

/**
 * Options of {@link lines}.
 *
 * @since 0.1.0
 * @category models
 */
export interface LinesOptions {
  /** Only the last `last` lines, in one request (the server may cap it). */
  readonly last?: number | undefined
  /** Lines per request when reading from the start, 1–10000, default 1000. */
  readonly perPage?: number | undefined
}

const positive = (argument: string, value: number, max: number): Effect.Effect<number, InvalidArgument> =>
  Number.isSafeInteger(value) && value >= 1 && value <= max
    ? Effect.succeed(value)
    : Effect.fail(new InvalidArgument({ argument, reason: `expected an integer from 1 to ${max}, got ${value}` }))

/**
 * The lines of a run's console log, oldest first: the whole log page by page, or its tail
 * with `last`.
 *
 * @since 0.1.0
 * @category reading
 */
export const lines = (
  run: { readonly entity: string; readonly project: string; readonly id: string },
  options?: LinesOptions
): Stream.Stream<ConsoleLine, RunNotFound | InvalidArgument | ApiError, GraphQLClient.GraphQLClient> =>
  Stream.unwrap(Effect.gen(function*() {
    const gql = yield* GraphQLClient.GraphQLClient
    const at = { entity: run.entity, project: run.project, runName: run.id }
    const notFound = new RunNotFound({ entity: run.entity, project: run.project, runId: run.id })
    const toLines = (edges: ReadonlyArray<{ readonly node: typeof LogLineNode.Type }>) =>
      decodeAll(edges, ({ node }) =>
        new ConsoleLine({
          number: node.number,
          timestamp: optionalTimestamp("ConsoleLine", "timestamp", node.timestamp ?? null),
          level: node.level ?? "",
          label: node.label ?? "",
          content: node.line
        }))
    if (options?.last !== undefined) {
      const last = yield* positive("last", options.last, 100_000)
      return Stream.fromIterableEffect(Effect.gen(function*() {
        const { project } = yield* gql.execute(operations.consoleLogTail, { ...at, last })
        if (project?.run == null) return yield* notFound
        return yield* toLines(project.run.logLines?.edges ?? [])
      }))
    }
    const first = yield* positive("perPage", options?.perPage ?? 1000, 10_000)
    return Stream.paginateChunkEffect(null as string | null, (after) =>
      Effect.gen(function*() {
        const { project } = yield* gql.execute(operations.consoleLogPage, { ...at, first, after })
        if (project?.run == null) return yield* notFound
        const page = project.run.logLines
        const items = yield* toLines(page?.edges ?? [])
        const next = page?.pageInfo?.hasNextPage === true && items.length > 0 ? page.pageInfo.endCursor ?? null : null
        return [Chunk.unsafeFromArray(items), Option.fromNullable(next)] as const
      }))
  }))
