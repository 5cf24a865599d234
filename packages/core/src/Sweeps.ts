/**
 * A project's sweeps (Python's `Project.sweeps()`) and a sweep's best run
 * (`Sweep.best_run()`).
 *
 * @example
 * ```ts
 * import { Sweeps } from "@effect-wandb/core"
 * import { Effect, Option, Stream } from "effect"
 *
 * // the best run of every sweep of a project, by the metric each sweep optimises
 * const best = Sweeps.sweeps("acme-ml/mnist-cnn").pipe(
 *   Stream.mapEffect((sweep) => Sweeps.bestRun(sweep)),
 *   Stream.runForEach((run) => Effect.log(Option.map(run, (r) => r.id)))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ApiError, type FilterRejected, InvalidArgument, type InvalidPath, ProjectNotFound } from "./Errors.js"
import * as GraphQLClient from "./GraphQLClient.js"
import { decodeAll, decodeSweep } from "./internal/decode.js"
import { operations as lifecycleOperations } from "./internal/lifecycleDocuments.js"
import { SweepNode } from "./internal/wire.js"
import type { Run } from "./Run.js"
import type { Sweep } from "./Sweep.js"
import { WandbApi } from "./WandbApi.js"
import { WandbConfig } from "./WandbConfig.js"

/**
 * The GraphQL documents of {@link sweeps} (besides `WandbApi`'s project and runs queries).
 *
 * @since 0.1.0
 * @category constants
 */
export const operations: ReadonlyArray<{ readonly name: string; readonly document: string }> = [
  lifecycleOperations.sweeps
]

/**
 * The sweeps of a project (`entity/project` or `project`), oldest first.
 *
 * @since 0.1.0
 * @category listing
 */
export const sweeps = (
  path: WandbApi.Path,
  options?: { readonly perPage?: number | undefined }
): Stream.Stream<
  Sweep,
  ProjectNotFound | InvalidPath | InvalidArgument | ApiError,
  WandbApi | GraphQLClient.GraphQLClient | WandbConfig
> =>
  Stream.unwrap(Effect.gen(function*() {
    const perPage = options?.perPage ?? 50
    if (!Number.isSafeInteger(perPage) || perPage < 1 || perPage > 1000) {
      return yield* new InvalidArgument({ argument: "perPage", reason: `expected an integer from 1 to 1000, got ${perPage}` })
    }
    const project = yield* Effect.flatMap(WandbApi, (api) => api.project(path))
    const at = { entity: project.entity, project: project.name }
    const gql = yield* GraphQLClient.GraphQLClient
    const { appUrl } = yield* WandbConfig
    const decodeNode = Schema.decodeUnknownSync(SweepNode)
    return Stream.paginateChunkEffect(null as string | null, (cursor) =>
      Effect.gen(function*() {
        const data = yield* gql.execute(lifecycleOperations.sweeps, { ...at, filters: "{}", cursor, perPage })
        const page = data.project?.sweeps
        if (page == null) return yield* new ProjectNotFound(at)
        const items = yield* decodeAll(page.edges, (edge) => decodeSweep(decodeNode(edge.node), at, appUrl))
        const next = page.pageInfo.hasNextPage && items.length > 0 ? page.pageInfo.endCursor ?? null : null
        return [Chunk.unsafeFromArray(items), Option.fromNullable(next)] as const
      }))
  }))

/**
 * The order that ranks a sweep's runs best first: its config's `metric` (`goal: maximize` →
 * descending, anything else → ascending, on `summary_metrics.<name>`), as the official client
 * derives it; `undefined` when the config names no metric.
 *
 * @since 0.1.0
 * @category ranking
 */
export const metricOrder = (sweep: Sweep): string | undefined => {
  const metric = sweep.config.metric
  if (metric === null || typeof metric !== "object" || Array.isArray(metric)) return undefined
  const { goal, name } = metric as { readonly goal?: unknown; readonly name?: unknown }
  if (typeof name !== "string" || name === "") return undefined
  return `${goal === "maximize" ? "-" : "+"}summary_metrics.${name}`
}

/**
 * The sweep's best run by `order` (default {@link metricOrder}; without a metric, the newest
 * run), or `None` for a sweep without runs.
 *
 * @since 0.1.0
 * @category ranking
 */
export const bestRun = (
  sweep: Sweep,
  options?: { readonly order?: string | undefined }
): Effect.Effect<
  Option.Option<Run>,
  ProjectNotFound | FilterRejected | InvalidPath | InvalidArgument | ApiError,
  WandbApi
> =>
  Effect.flatMap(WandbApi, (api) =>
    api.sweepRuns(sweep, { order: options?.order ?? metricOrder(sweep) ?? "-created_at", perPage: 1 }).pipe(
      Stream.runHead
    ))
