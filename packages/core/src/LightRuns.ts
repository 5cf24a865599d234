/**
 * Light runs listings: ids, names, state, times, tags and only the config and summary keys
 * asked for — the official client's "lazy runs" without its one request per run. A
 * {@link LightRun} is completed on demand with {@link load} (the full `Run`, cached by
 * `WandbApi`).
 *
 * Key selection: the listing asks the server for the listed keys only, with `keys` arguments
 * on `Run.config` / `Run.summaryMetrics`. No official W&B document uses those arguments (the
 * official Go sidecar sends `wandbConfig(keys: ["t"])`, a sibling field), so whether W&B has them
 * is **not confirmed**. With `keySelection: "auto"` (the default) a server that refuses them is
 * asked again for whole objects, the keys are picked on this side, and a warning says so once
 * per client; `"server"` never falls back (the refusal is the error), `"client"` never sends the
 * arguments. Every mode gives the same values.
 *
 * A run deleted while the listing goes on is simply not listed (the pages after it come as
 * usual), and a run the server's offset cursors shift onto the next page is listed once.
 *
 * @example
 * ```ts
 * import { LightRuns } from "@effect-wandb/core"
 * import { Effect, Stream } from "effect"
 *
 * // learning rate and final accuracy of every finished run, in requests of 500 runs
 * const table = LightRuns.runs("acme-ml/mnist-cnn", {
 *   filters: { state: "finished" },
 *   configKeys: ["lr"],
 *   summaryKeys: ["val_acc"],
 *   perPage: 500
 * }).pipe(
 *   Stream.map((run) => [run.id, run.config.lr, run.summary.val_acc] as const),
 *   Stream.runCollect
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
import * as Struct from "effect/Struct"
import {
  type ApiError,
  FilterRejected,
  InvalidArgument,
  type InvalidPath,
  ProjectNotFound,
  type RunNotFound,
  ServerError
} from "./Errors.js"
import * as GraphQLClient from "./GraphQLClient.js"
import { appPath, configs, decodeAll, identity, jsonObject, optionalTimestamp, timestamp } from "./internal/decode.js"
import { JsonObject } from "./Json.js"
import { Run } from "./Run.js"
import { encodeFilters, normalizeOrder, type RunFilters } from "./RunFilters.js"
import { WandbApi } from "./WandbApi.js"
import { WandbConfig } from "./WandbConfig.js"

/**
 * A run as a light listing returns it: no history keys, system metrics or notes, and only the
 * selected config (flattened, as `Run.config`) and summary keys.
 *
 * @since 0.1.0
 * @category models
 */
export class LightRun extends Schema.Class<LightRun>("@effect-wandb/core/LightRun")({
  ...Struct.pick(
    Run.fields,
    "entity",
    "project",
    "id",
    "storageId",
    "name",
    "state",
    "tags",
    "createdAt",
    "heartbeatAt",
    "group",
    "jobType",
    "sweepName",
    "readOnly",
    "historyLineCount",
    "url"
  ),
  /** The selected config keys that the run has. */
  config: JsonObject,
  /** The selected summary keys that the run has. */
  summary: JsonObject
}) {
  /**
   * `[entity, project, id]`.
   *
   * @since 0.1.0
   */
  get path(): readonly [entity: string, project: string, id: string] {
    return [this.entity, this.project, this.id]
  }
}

/**
 * How config and summary keys are selected (see the module notes).
 *
 * @since 0.1.0
 * @category models
 */
export type KeySelection = "auto" | "server" | "client"

/**
 * Options of {@link runs}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Mongo-style filter, as `WandbApi.runs` takes it. */
  readonly filters?: RunFilters | undefined
  /** `[+|-]column`, default `+created_at`. */
  readonly order?: string | undefined
  /** Runs per request, 1–1000, default 200. */
  readonly perPage?: number | undefined
  /** Config keys to return (default none). */
  readonly configKeys?: ReadonlyArray<string> | undefined
  /** Summary keys to return (default none). */
  readonly summaryKeys?: ReadonlyArray<string> | undefined
  /** Default `"auto"`. */
  readonly keySelection?: KeySelection | undefined
}

const LIGHT_FIELDS = `id
          name
          displayName
          state
          tags
          createdAt
          heartbeatAt
          group
          jobType
          sweepName
          readOnly
          historyLineCount`

const lightRunsDocument = (keyed: boolean) => {
  const keys = keyed ? ", $configKeys: [String!], $summaryKeys: [String!]" : ""
  const config = keyed ? "config(keys: $configKeys)" : "config"
  const summary = keyed ? "summaryMetrics(keys: $summaryKeys)" : "summaryMetrics"
  return `query LightRuns($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50, $order: String,
  $filters: JSONString, $withConfig: Boolean!, $withSummary: Boolean!${keys}) {
  project(name: $project, entityName: $entity) {
    runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {
      edges {
        node {
          ${LIGHT_FIELDS}
          ${config} @include(if: $withConfig)
          ${summary} @include(if: $withSummary)
        }
        cursor
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
}
`
}

const nullish = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

const LightRunNode = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  displayName: nullish(Schema.String),
  state: nullish(Schema.String),
  tags: nullish(Schema.Array(Schema.String)),
  createdAt: Schema.String,
  heartbeatAt: nullish(Schema.String),
  group: nullish(Schema.String),
  jobType: nullish(Schema.String),
  sweepName: nullish(Schema.String),
  readOnly: nullish(Schema.Boolean),
  historyLineCount: nullish(Schema.Number),
  config: nullish(Schema.Unknown),
  summaryMetrics: nullish(Schema.Unknown)
})

const LightRunsData = Schema.Struct({
  project: nullish(Schema.Struct({
    runs: nullish(Schema.Struct({
      edges: Schema.Array(Schema.Struct({ node: LightRunNode, cursor: nullish(Schema.String) })),
      pageInfo: Schema.Struct({ endCursor: nullish(Schema.String), hasNextPage: Schema.Boolean })
    }))
  }))
})

const keyedOperation = GraphQLClient.operation("LightRuns", lightRunsDocument(true), LightRunsData)
const wholeOperation = GraphQLClient.operation("LightRuns", lightRunsDocument(false), LightRunsData)

/**
 * The GraphQL documents of a light listing: with `keys` arguments, and the fallback without.
 *
 * @since 0.1.0
 * @category constants
 */
export const operations: ReadonlyArray<{ readonly name: string; readonly document: string }> = [
  keyedOperation,
  wholeOperation
]

/** A server's refusal of the `keys` arguments (an unknown-argument validation error). */
const refusesKeys = (error: ApiError): boolean =>
  error instanceof ServerError && /\bkeys\b/.test(error.reason) && /argument/i.test(error.reason)

/** The clients known to lack the arguments (so the warning is said once, and the probe made once). */
const withoutKeyArguments = new WeakSet<GraphQLClient.GraphQLClient.Service>()

const pick = (object: JsonObject, keys: ReadonlyArray<string>): JsonObject => {
  const picked: Record<string, unknown> = {}
  for (const key of keys) if (Object.hasOwn(object, key)) picked[key] = object[key]
  return picked
}

const validKeys = (argument: string, keys: ReadonlyArray<string> | undefined): Effect.Effect<ReadonlyArray<string>, InvalidArgument> =>
  keys === undefined
    ? Effect.succeed([])
    : Array.isArray(keys) && keys.every((key) => typeof key === "string" && key !== "")
    ? Effect.succeed(keys)
    : Effect.fail(new InvalidArgument({ argument, reason: "expected a list of non-empty key names" }))

/**
 * The light runs of a project (`entity/project` or `project`), one request per `perPage` runs.
 *
 * @since 0.1.0
 * @category listing
 */
export const runs = (
  path: WandbApi.Path,
  options?: Options
): Stream.Stream<
  LightRun,
  ProjectNotFound | FilterRejected | InvalidPath | InvalidArgument | ApiError,
  WandbApi | GraphQLClient.GraphQLClient | WandbConfig
> =>
  Stream.unwrap(Effect.gen(function*() {
    const perPage = options?.perPage ?? 200
    if (!Number.isSafeInteger(perPage) || perPage < 1 || perPage > 1000) {
      return yield* new InvalidArgument({ argument: "perPage", reason: `expected an integer from 1 to 1000, got ${perPage}` })
    }
    const selection = options?.keySelection ?? "auto"
    if (selection !== "auto" && selection !== "server" && selection !== "client") {
      return yield* new InvalidArgument({ argument: "keySelection", reason: `expected auto, server or client, got ${String(selection)}` })
    }
    const configKeys = yield* validKeys("configKeys", options?.configKeys)
    const summaryKeys = yield* validKeys("summaryKeys", options?.summaryKeys)
    const filters = yield* encodeFilters(options?.filters)
    const order = yield* normalizeOrder(options?.order)
    const api = yield* WandbApi
    const gql = yield* GraphQLClient.GraphQLClient
    const { appUrl } = yield* WandbConfig
    const project = yield* api.project(path)
    const at = { entity: project.entity, project: project.name }
    const variables = {
      project: at.project,
      entity: at.entity,
      perPage,
      order,
      filters,
      withConfig: configKeys.length > 0,
      withSummary: summaryKeys.length > 0,
      configKeys,
      summaryKeys
    }
    const fetchPage = (cursor: string | null) => {
      const whole = gql.execute(wholeOperation, { ...variables, cursor })
      if (selection === "client" || withoutKeyArguments.has(gql)) return whole
      return Effect.catchIf(
        gql.execute(keyedOperation, { ...variables, cursor }),
        (error) => selection === "auto" && refusesKeys(error),
        (error) =>
          Effect.zipRight(
            Effect.zipRight(
              Effect.sync(() => withoutKeyArguments.add(gql)),
              Effect.logWarning(
                `the server refuses keys arguments on Run.config/summaryMetrics (${error.reason}): light listings fetch whole configs and summaries and select the keys here`
              )
            ),
            whole
          )
      )
    }
    const decode = (node: typeof LightRunNode.Type): LightRun =>
      new LightRun({
        ...identity(node, at),
        state: node.state ?? "unknown",
        tags: node.tags ?? [],
        createdAt: timestamp("Run", "createdAt", node.createdAt),
        heartbeatAt: optionalTimestamp("Run", "heartbeatAt", node.heartbeatAt ?? null),
        group: node.group ?? null,
        jobType: node.jobType ?? null,
        sweepName: node.sweepName ?? null,
        readOnly: node.readOnly ?? false,
        historyLineCount: node.historyLineCount ?? 0,
        config: pick(configs(jsonObject("Run", "config", node.config)).config, configKeys),
        summary: pick(jsonObject("Run", "summaryMetrics", node.summaryMetrics, { quotedSpecials: true }), summaryKeys),
        url: appPath(appUrl, at.entity, at.project, "runs", node.name)
      }, true)
    const seen = new Set<string>()
    return Stream.paginateChunkEffect(null as string | null, (cursor) =>
      Effect.gen(function*() {
        const data = yield* Effect.catchIf(
          fetchPage(cursor),
          (error): error is ServerError => error instanceof ServerError && error.status === 400 && !refusesKeys(error),
          (error) => Effect.fail(new FilterRejected({ filters, reason: error.reason }))
        )
        const page = data.project?.runs
        if (page == null) return yield* new ProjectNotFound(at)
        const fresh = page.edges.filter((edge) => !seen.has(edge.node.name) && seen.add(edge.node.name).has(edge.node.name))
        const items = yield* decodeAll(fresh, (edge) => decode(edge.node))
        const last = page.edges[page.edges.length - 1]
        const next = page.pageInfo.hasNextPage && last !== undefined ? last.cursor ?? page.pageInfo.endCursor ?? null : null
        return [Chunk.unsafeFromArray(items), Option.fromNullable(next)] as const
      }).pipe(Effect.withSpan("LightRuns.page", { attributes: { entity: at.entity, project: at.project }, captureStackTrace: false })))
  }))

/**
 * The full `Run` of a light run (one request, or none when `WandbApi`'s cache has it).
 *
 * @since 0.1.0
 * @category loading
 */
export const load = (run: LightRun): Effect.Effect<Run, RunNotFound | InvalidPath | ApiError, WandbApi> =>
  Effect.flatMap(WandbApi, (api) => api.run(run.path))
