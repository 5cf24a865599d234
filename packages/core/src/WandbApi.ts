/**
 * The public-API façade (Python's `wandb.Api()`): viewer, projects, runs, sweeps, files,
 * run creation and update, and the run cache.
 *
 * Paths: runs accept `entity/project/run_id`, `entity/project/runs/run_id`,
 * `entity/project:run_id`, `project/run_id`, `project:run_id` and `run_id` (sweeps the same
 * with `/sweeps/`); projects `entity/project` or `project`. Missing parts come from the
 * configured defaults (`WandbConfig`); a missing entity falls back to the viewer's default
 * entity (fetched once). A path may also be given as an array of its parts
 * (`["entity", "project", "run_id"]`, as in Python). Anything else is an `InvalidPath`.
 *
 * Cache: `run(path)` results are cached by `entity/project/id` (bounded by
 * `runCacheCapacity`, least recently used evicted; failures are not cached). `createRun` and
 * `updateRun` refresh the entry of the run they return. Listings are never cached. `flush`
 * empties the cache.
 *
 * @example
 * ```ts
 * import { WandbApi } from "@effect-wandb/core"
 * import { Effect, Stream } from "effect"
 *
 * // the three finished runs with the best validation accuracy
 * const best = Effect.gen(function*() {
 *   const api = yield* WandbApi.WandbApi
 *   return yield* api.runs("acme-ml/mnist-cnn", {
 *     filters: { state: "finished" },
 *     order: "-summary.val_acc"
 *   }).pipe(Stream.take(3), Stream.runCollect)
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Cache from "effect/Cache"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type * as HttpClient from "@effect/platform/HttpClient"
import {
  type ApiError,
  EntityNotFound,
  FileNotFound,
  FilterRejected,
  InvalidArgument,
  InvalidPath,
  ProjectNotFound,
  RunNotFound,
  ServerError,
  SweepNotFound,
  Unauthorized
} from "./Errors.js"
import * as GraphQLClient from "./GraphQLClient.js"
import {
  type Coordinates,
  decodeAll,
  decodeFileNode,
  decodeOne,
  decodeProject,
  decodeProjectNode,
  decodeRun,
  decodeRunNode,
  decodeSweep,
  decodeViewer
} from "./internal/decode.js"
import * as documents from "./internal/documents.js"
import { paginate, sentPage } from "./internal/pagination.js"
import { parseObjectPath, parseProjectPath, pathText } from "./internal/paths.js"
import type { JsonObject } from "./Json.js"
import * as LenientJson from "./LenientJson.js"
import type { Project } from "./Project.js"
import type { Run } from "./Run.js"
import type { RunFile } from "./RunFile.js"
import { encodeFilters, normalizeOrder, type RunFilters } from "./RunFilters.js"
import type { Sweep } from "./Sweep.js"
import type { Viewer } from "./Viewer.js"
import * as WandbConfig from "./WandbConfig.js"
import * as WandbHttpClient from "./WandbHttpClient.js"

/**
 * The client service; {@link layer} (or `NodeWandb.layer` / `BrowserWandb.layer`) provides it.
 *
 * @since 0.1.0
 * @category tags
 */
export class WandbApi extends Context.Tag("@effect-wandb/core/WandbApi")<WandbApi, WandbApi.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace WandbApi {
  /**
   * A path as the functions take it: a string (`"entity/project/run_id"`, …) or its parts as an
   * array (`["entity", "project", "run_id"]`, as Python accepts), each part a non-empty string
   * without `/`. Anything else fails with `InvalidPath`.
   *
   * @since 0.1.0
   * @category models
   */
  export type Path = string | ReadonlyArray<string>

  /**
   * Options of {@link Service.runs}.
   *
   * @since 0.1.0
   * @category models
   */
  export interface RunsOptions {
    /** Mongo-style filter; `summary.x` / `config.x` spellings are accepted (see `RunFilters`). */
    readonly filters?: RunFilters | undefined
    /** `[+|-]column`, default `+created_at`. */
    readonly order?: string | undefined
    /** Runs per request, 1–1000, default 50. */
    readonly perPage?: number | undefined
  }

  /**
   * Options of {@link Service.files}.
   *
   * @since 0.1.0
   * @category models
   */
  export interface FilesOptions {
    /** Only these exact file names. */
    readonly names?: ReadonlyArray<string> | undefined
    /** SQL `LIKE` pattern (`%.json`); cannot be combined with `names`. */
    readonly pattern?: string | undefined
    /** Files per request, 1–1000, default 50. */
    readonly perPage?: number | undefined
  }

  /**
   * Options of {@link Service.createRun}.
   *
   * @since 0.1.0
   * @category models
   */
  export interface CreateRunOptions {
    /** Default: 8 random characters from `[a-z0-9]`. */
    readonly runId?: string | undefined
    /** Default: configured project, else `uncategorized`. */
    readonly project?: string | undefined
    /** Default: configured entity, else the viewer's default entity. */
    readonly entity?: string | undefined
    /** Default `running`. */
    readonly state?: "running" | "pending" | undefined
  }

  /**
   * Changes applied by {@link Service.updateRun}. Omitted fields keep the run's current
   * value; `tags`, `config` and `summary` replace the whole value (spread `run.config` to
   * add one key). `config` is the flattened user config; `_wandb` is carried over from
   * `run.rawConfig`.
   *
   * @since 0.1.0
   * @category models
   */
  export interface RunChanges {
    readonly name?: string | null | undefined
    readonly notes?: string | null | undefined
    readonly description?: string | null | undefined
    readonly tags?: ReadonlyArray<string> | undefined
    readonly config?: JsonObject | undefined
    readonly summary?: JsonObject | undefined
    readonly group?: string | null | undefined
    readonly jobType?: string | null | undefined
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** The owner of the API key. */
    readonly viewer: Effect.Effect<Viewer, ApiError>
    /** Configured entity, else the viewer's default entity (fetched once, then remembered). */
    readonly defaultEntity: Effect.Effect<string, ApiError | InvalidPath>
    /** Projects of an entity (default: {@link defaultEntity}); `perPage` default 200. */
    readonly projects: (
      entity?: string,
      options?: { readonly perPage?: number | undefined }
    ) => Stream.Stream<Project, ApiError | EntityNotFound | InvalidArgument | InvalidPath>
    /** One project, `entity/project` or `project`. */
    readonly project: (path: WandbApi.Path) => Effect.Effect<Project, ProjectNotFound | InvalidPath | ApiError>
    /** Runs of a project (`entity/project` or `project`), pages prefetched. */
    readonly runs: (
      path: WandbApi.Path,
      options?: RunsOptions
    ) => Stream.Stream<Run, ProjectNotFound | FilterRejected | InvalidPath | InvalidArgument | ApiError>
    /** How many runs match the filters (the server's `runCount`). */
    readonly countRuns: (
      path: WandbApi.Path,
      options?: { readonly filters?: RunFilters | undefined }
    ) => Effect.Effect<number, ProjectNotFound | FilterRejected | InvalidPath | InvalidArgument | ApiError>
    /** One run (cached until {@link flush}). */
    readonly run: (path: WandbApi.Path) => Effect.Effect<Run, RunNotFound | InvalidPath | ApiError>
    /** One sweep, `entity/project/sweep_id` (also `…/sweeps/id`, `project/id`, `id`). */
    readonly sweep: (path: WandbApi.Path) => Effect.Effect<Sweep, SweepNotFound | InvalidPath | ApiError>
    /** The runs of a sweep (a runs listing filtered by `{"sweep": id}`). */
    readonly sweepRuns: (
      sweep: Sweep,
      options?: Omit<RunsOptions, "filters">
    ) => Stream.Stream<Run, ProjectNotFound | FilterRejected | InvalidPath | InvalidArgument | ApiError>
    /** Files of a run (a `Run` or a run path). */
    readonly files: (
      run: Run | WandbApi.Path,
      options?: FilesOptions
    ) => Stream.Stream<RunFile, RunNotFound | InvalidPath | InvalidArgument | ApiError>
    /** One file of a run by exact name. */
    readonly file: (
      run: Run | WandbApi.Path,
      name: string
    ) => Effect.Effect<RunFile, FileNotFound | RunNotFound | InvalidPath | InvalidArgument | ApiError>
    /** Creates a run (or returns the existing one with that id) and reads it back. */
    readonly createRun: (
      options?: CreateRunOptions
    ) => Effect.Effect<Run, InvalidPath | InvalidArgument | RunNotFound | ApiError>
    /** Applies changes to a run and returns the run as re-read from the server. */
    readonly updateRun: (
      run: Run,
      changes: RunChanges
    ) => Effect.Effect<Run, RunNotFound | InvalidArgument | ApiError>
    /** Empties the run cache. */
    readonly flush: Effect.Effect<void>
  }
}

/**
 * Every GraphQL operation the service can send (e.g. to validate them against a server's
 * schema, or to build an allow-list).
 *
 * @since 0.1.0
 * @category constants
 */
export const operations: ReadonlyArray<{ readonly name: string; readonly document: string }> = Object.values(
  documents.operations
)

/** Largest page size accepted by listings. */
const MAX_PAGE_SIZE = 1000

const RUN_ID = /^[A-Za-z0-9_.-]{1,128}$/

/** The cursor to continue from, or `null` when the listing is complete. */
const nextCursor = (
  connection: {
    readonly edges: ReadonlyArray<{ readonly cursor?: string | null | undefined }>
    readonly pageInfo: { readonly endCursor?: string | null | undefined; readonly hasNextPage: boolean }
  },
  use: "lastEdge" | "endCursor"
): string | null => {
  if (!connection.pageInfo.hasNextPage || connection.edges.length === 0) return null
  const cursor = use === "endCursor"
    ? connection.pageInfo.endCursor
    : connection.edges[connection.edges.length - 1]!.cursor ?? connection.pageInfo.endCursor
  return cursor ?? null
}

const pageSize = (value: number | undefined, fallback: number): Effect.Effect<number, InvalidArgument> => {
  const size = value ?? fallback
  return Number.isSafeInteger(size) && size >= 1 && size <= MAX_PAGE_SIZE
    ? Effect.succeed(size)
    : Effect.fail(
      new InvalidArgument({ argument: "perPage", reason: `expected an integer from 1 to ${MAX_PAGE_SIZE}, got ${size}` })
    )
}

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> =>
  Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

/** A 400 on a runs query means the server refused the filter or order. */
const rejectedFilter = (filters: string) => <A, E, R>(effect: Effect.Effect<A, E | ServerError, R>) =>
  Effect.catchIf(
    effect,
    (error): error is ServerError => error instanceof ServerError && error.status === 400,
    (error) => Effect.fail(new FilterRejected({ filters, reason: error.reason }))
  )

const RunKey = Data.case<RunKey>()
interface RunKey extends Coordinates {
  readonly id: string
}

const runNotFound = (at: RunKey) => new RunNotFound({ entity: at.entity, project: at.project, runId: at.id })

const noViewer = new Unauthorized({ reason: "the API key is not valid (the server knows no viewer for it)" })

/** The config sent on update: `{k: {value, desc: null}}`, with `_wandb` carried over first. */
const wrapConfig = (config: JsonObject, rawConfig: JsonObject): string => {
  const wrapped: Record<string, unknown> = {}
  if ("_wandb" in rawConfig) wrapped._wandb = { value: rawConfig._wandb, desc: null }
  for (const [key, value] of Object.entries(config)) wrapped[key] = { value, desc: null }
  return LenientJson.stringify(wrapped)
}

const isPlainObject = (value: unknown): boolean => value !== null && typeof value === "object" && !Array.isArray(value)

const validateChanges = (changes: WandbApi.RunChanges): Effect.Effect<void, InvalidArgument> => {
  if (changes.tags !== undefined && !changes.tags.every((tag) => typeof tag === "string" && tag !== "")) {
    return Effect.fail(new InvalidArgument({ argument: "tags", reason: "expected non-empty strings" }))
  }
  for (const key of ["config", "summary"] as const) {
    if (changes[key] !== undefined && !isPlainObject(changes[key])) {
      return Effect.fail(new InvalidArgument({ argument: key, reason: "expected an object" }))
    }
  }
  return Effect.void
}

const randomRunId: Effect.Effect<string> = Effect.map(
  Effect.all(Array.from({ length: 8 }, () => Random.nextIntBetween(0, 36))),
  (digits) => digits.map((digit) => digit.toString(36)).join("")
)

const validName = (argument: string, value: string): Effect.Effect<string, InvalidArgument> =>
  typeof value !== "string" || value.trim() === "" || value.includes("/")
    ? Effect.fail(new InvalidArgument({ argument, reason: `expected a name without '/', got ${JSON.stringify(value)}` }))
    : Effect.succeed(value)

/**
 * Builds the service on a {@link GraphQLClient.GraphQLClient} and the configuration.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<WandbApi.Service, never, GraphQLClient.GraphQLClient | WandbConfig.WandbConfig> = Effect
  .gen(function*() {
    const config = yield* WandbConfig.WandbConfig
    const gql = yield* GraphQLClient.GraphQLClient
    const appUrl = config.appUrl
    const viewerEntity = yield* Ref.make(Option.none<string>())

    const viewer = Effect.gen(function*() {
      const { viewer } = yield* gql.execute(documents.operations.viewer)
      return viewer == null ? yield* noViewer : decodeViewer(viewer)
    }).pipe(Effect.withSpan("WandbApi.viewer"))

    const fetchViewerEntity = Effect.gen(function*() {
      const { viewer } = yield* gql.execute(documents.operations.defaultEntity)
      if (viewer == null) return yield* noViewer
      if (viewer.entity == null) {
        return yield* new InvalidPath({
          input: "",
          reason: "no entity given or configured, and the viewer has no default entity"
        })
      }
      yield* Ref.set(viewerEntity, Option.some(viewer.entity))
      return viewer.entity
    })

    const defaultEntity: Effect.Effect<string, ApiError | InvalidPath> = Option.match(config.entity, {
      onSome: Effect.succeed,
      onNone: () =>
        Effect.flatMap(Ref.get(viewerEntity), Option.match({ onSome: Effect.succeed, onNone: () => fetchViewerEntity }))
    }).pipe(Effect.withSpan("WandbApi.defaultEntity"))

    const entityFor = (input: string, entity: string | undefined) =>
      entity !== undefined
        ? Effect.succeed(entity)
        : Effect.catchTag(defaultEntity, "InvalidPath", (error) => Effect.fail(new InvalidPath({ input, reason: error.reason })))

    const projectAt = (path: WandbApi.Path): Effect.Effect<Coordinates, InvalidPath | ApiError> =>
      Effect.gen(function*() {
        const input = yield* fromEither(pathText(path))
        const parts = yield* fromEither(parseProjectPath(input))
        const project = parts.project ?? Option.getOrUndefined(config.project)
        if (project === undefined) {
          return yield* new InvalidPath({ input, reason: "no project in the path and no default project configured" })
        }
        return { entity: yield* entityFor(input, parts.entity), project }
      })

    const objectAt = (path: WandbApi.Path, kind: "runs" | "sweeps"): Effect.Effect<RunKey, InvalidPath | ApiError> =>
      Effect.gen(function*() {
        const input = yield* fromEither(pathText(path))
        const parts = yield* fromEither(parseObjectPath(input, kind))
        const id = parts.id ?? (kind === "runs" ? Option.getOrUndefined(config.run) : undefined)
        if (id === undefined) {
          return yield* new InvalidPath({ input, reason: `no ${kind === "runs" ? "run" : "sweep"} id in the path` })
        }
        const project = parts.project ?? Option.getOrUndefined(config.project)
        if (project === undefined) {
          return yield* new InvalidPath({ input, reason: "no project in the path and no default project configured" })
        }
        return RunKey({ entity: yield* entityFor(input, parts.entity), project, id })
      })

    const fetchRun = (at: RunKey): Effect.Effect<Run, RunNotFound | ApiError> =>
      Effect.gen(function*() {
        const { project } = yield* gql.execute(documents.operations.run, { project: at.project, entity: at.entity, name: at.id })
        if (project?.run == null) return yield* runNotFound(at)
        return yield* decodeOne(project.run, (node) => decodeRun(node, at, appUrl))
      })

    const cache = yield* Cache.make({ capacity: config.runCacheCapacity, timeToLive: Duration.infinity, lookup: fetchRun })

    /** Reads a run from the server and stores it in the cache. */
    const refreshRun = (at: RunKey) => Effect.tap(fetchRun(at), (run) => cache.set(at, run))

    const runsAt = (at: Coordinates, options: WandbApi.RunsOptions | undefined) =>
      Stream.unwrap(Effect.gen(function*() {
        const perPage = yield* pageSize(options?.perPage, 50)
        const filters = yield* encodeFilters(options?.filters)
        const order = yield* normalizeOrder(options?.order)
        // W&B's cursor is an offset: a run created or deleted between two pages can shift a run
        // already returned onto the next page. Each listing returns a run (by id) at most once.
        const seen = new Set<string>()
        const firstTime = (run: Run) => !seen.has(run.id) && seen.add(run.id).has(run.id)
        return paginate(
          (cursor) =>
            sentPage(
              // a 400 can come with the head or, asked for again, with the answer
              Effect.map(
                rejectedFilter(filters)(
                  gql.send(documents.operations.runs, { project: at.project, entity: at.entity, cursor, perPage, order, filters })
                ),
                rejectedFilter(filters)
              ),
              ({ project }) =>
                project?.runs == null
                  ? Effect.fail(new ProjectNotFound({ entity: at.entity, project: at.project }))
                  : Effect.succeed({ items: project.runs.edges, next: nextCursor(project.runs, "lastEdge") })
            ),
          (edges) =>
            Effect.map(decodeAll(edges, (edge) => decodeRunNode(edge.node, at, appUrl)), (runs) => runs.filter(firstTime))
        )
      }))

    const runs = (path: WandbApi.Path, options?: WandbApi.RunsOptions) =>
      Stream.unwrap(Effect.map(projectAt(path), (at) => runsAt(at, options)))

    const countRuns = Effect.fn("WandbApi.countRuns")(function*(
      path: WandbApi.Path,
      options?: { readonly filters?: RunFilters | undefined }
    ) {
      const filters = yield* encodeFilters(options?.filters)
      const at = yield* projectAt(path)
      const { project } = yield* rejectedFilter(filters)(
        gql.execute(documents.operations.runsCount, { project: at.project, entity: at.entity, filters })
      )
      if (project == null) return yield* new ProjectNotFound({ entity: at.entity, project: at.project })
      return project.runCount ?? 0
    })

    const projects = (entity?: string, options?: { readonly perPage?: number | undefined }) =>
      Stream.unwrap(Effect.gen(function*() {
        const perPage = yield* pageSize(options?.perPage, 200)
        const name = entity === undefined ? yield* defaultEntity : yield* validName("entity", entity)
        return paginate(
          (cursor) =>
            sentPage(gql.send(documents.operations.projects, { entity: name, cursor, perPage }), ({ models }) =>
              models == null
                ? Effect.fail(new EntityNotFound({ entity: name }))
                : Effect.succeed({ items: models.edges, next: nextCursor(models, "endCursor") })),
          (edges) => decodeAll(edges, (edge) => decodeProjectNode(edge.node, appUrl))
        )
      }))

    const project = Effect.fn("WandbApi.project")(function*(path: WandbApi.Path) {
      const at = yield* projectAt(path)
      const { project } = yield* gql.execute(documents.operations.project, { name: at.project, entity: at.entity })
      if (project == null) return yield* new ProjectNotFound({ entity: at.entity, project: at.project })
      return yield* decodeOne(project, (node) => decodeProject(node, appUrl))
    })

    const run = Effect.fn("WandbApi.run")(function*(path: WandbApi.Path) {
      const at = yield* objectAt(path, "runs")
      // only successes stay cached
      return yield* Effect.tapError(cache.get(at), () => cache.invalidate(at))
    })

    const sweep = Effect.fn("WandbApi.sweep")(function*(path: WandbApi.Path) {
      const at = yield* objectAt(path, "sweeps")
      const { project } = yield* gql.execute(documents.operations.sweep, { name: at.id, project: at.project, entity: at.entity })
      if (project?.sweep == null) {
        return yield* new SweepNotFound({ entity: at.entity, project: at.project, sweepId: at.id })
      }
      return yield* decodeOne(project.sweep, (node) => decodeSweep(node, at, appUrl))
    })

    const sweepRuns = (sweep: Sweep, options?: Omit<WandbApi.RunsOptions, "filters">) =>
      runsAt(sweep, { ...options, filters: { $and: [{ sweep: sweep.id }] } })

    // a Run is an object that is not an array; anything else is a path (checked by objectAt)
    const isRun = (run: Run | WandbApi.Path): run is Run =>
      run !== null && typeof run === "object" && !Array.isArray(run) && typeof (run as Run).entity === "string" &&
      typeof (run as Run).project === "string" && typeof (run as Run).id === "string"
    const runKeyOf = (run: Run | WandbApi.Path) =>
      isRun(run)
        ? Effect.succeed(RunKey({ entity: run.entity, project: run.project, id: run.id }))
        : objectAt(run, "runs")

    const filesAt = (at: RunKey, options: WandbApi.FilesOptions | undefined) =>
      Stream.unwrap(Effect.gen(function*() {
        const fileLimit = yield* pageSize(options?.perPage, 50)
        const names = options?.names ?? []
        if (!names.every((name) => typeof name === "string" && name !== "")) {
          return yield* new InvalidArgument({ argument: "names", reason: "expected non-empty file names" })
        }
        if (names.length > 0 && options?.pattern !== undefined) {
          return yield* new InvalidArgument({ argument: "pattern", reason: "cannot be combined with names" })
        }
        return paginate(
          (fileCursor) =>
            sentPage(
              gql.send(documents.operations.runFiles, {
                project: at.project,
                entity: at.entity,
                name: at.id,
                fileCursor,
                fileLimit,
                fileNames: names,
                upload: false,
                pattern: options?.pattern ?? null
              }),
              ({ project }) => {
                if (project?.run == null) return Effect.fail(runNotFound(at))
                const files = project.run.files
                return Effect.succeed(
                  files == null ? { items: [], next: null } : { items: files.edges, next: nextCursor(files, "lastEdge") }
                )
              }
            ),
          (edges) => decodeAll(edges, (edge) => decodeFileNode(edge.node, { ...at, runId: at.id }))
        )
      }))

    const files = (run: Run | WandbApi.Path, options?: WandbApi.FilesOptions) =>
      Stream.unwrap(Effect.map(runKeyOf(run), (at) => filesAt(at, options)))

    const file = Effect.fn("WandbApi.file")(function*(run: Run | WandbApi.Path, name: string) {
      if (typeof name !== "string" || name === "") {
        return yield* new InvalidArgument({ argument: "name", reason: "expected a non-empty file name" })
      }
      const at = yield* runKeyOf(run)
      const found = yield* filesAt(at, { names: [name] }).pipe(
        Stream.filter((file) => file.name === name),
        Stream.runHead
      )
      if (Option.isNone(found)) {
        return yield* new FileNotFound({ runPath: `${at.entity}/${at.project}/${at.id}`, name })
      }
      return found.value
    })

    const createRun = Effect.fn("WandbApi.createRun")(function*(options?: WandbApi.CreateRunOptions) {
      const runId = options?.runId ?? (yield* randomRunId)
      if (!RUN_ID.test(runId)) {
        return yield* new InvalidArgument({
          argument: "runId",
          reason: `expected 1-128 characters from [A-Za-z0-9_.-], got ${JSON.stringify(runId)}`
        })
      }
      const state = options?.state ?? "running"
      if (state !== "running" && state !== "pending") {
        return yield* new InvalidArgument({ argument: "state", reason: `expected "running" or "pending", got ${JSON.stringify(state)}` })
      }
      const entity = yield* validName("entity", options?.entity ?? (yield* defaultEntity))
      const project = yield* validName("project", options?.project ?? Option.getOrElse(config.project, () => "uncategorized"))
      const { upsertBucket } = yield* gql.execute(documents.operations.createRun, { entity, project, name: runId, state })
      const bucket = upsertBucket?.bucket
      if (bucket == null) {
        return yield* new ServerError({ status: 200, attempts: 1, reason: "upsertBucket returned no run" })
      }
      return yield* refreshRun(RunKey({
        entity: bucket.project?.entity?.name ?? entity,
        project: bucket.project?.name ?? project,
        id: bucket.name
      }))
    })

    const updateRun = Effect.fn("WandbApi.updateRun")(function*(run: Run, changes: WandbApi.RunChanges) {
      yield* validateChanges(changes)
      const at = RunKey({ entity: run.entity, project: run.project, id: run.id })
      const notFound = runNotFound(at)
      const { upsertBucket } = yield* gql.execute(documents.operations.updateRun, {
        id: run.storageId,
        entity: run.entity,
        project: run.project,
        name: run.id,
        description: changes.description !== undefined ? changes.description : run.description,
        display_name: changes.name !== undefined ? changes.name : run.name,
        notes: changes.notes !== undefined ? changes.notes : run.notes,
        tags: changes.tags ?? run.tags,
        config: wrapConfig(changes.config ?? run.config, run.rawConfig),
        groupName: changes.group !== undefined ? changes.group : run.group,
        jobType: changes.jobType !== undefined ? changes.jobType : run.jobType
      })
      if (upsertBucket?.bucket == null) return yield* notFound
      if (changes.summary !== undefined) {
        const summary = yield* gql.execute(documents.operations.updateSummary, {
          id: run.storageId,
          summaryMetrics: LenientJson.stringify(changes.summary)
        })
        if (summary.upsertBucket?.bucket == null) return yield* notFound
      }
      return yield* refreshRun(at)
    })

    return WandbApi.of({
      viewer,
      defaultEntity,
      projects,
      project,
      runs,
      countRuns,
      run,
      sweep,
      sweepRuns,
      files,
      file,
      createRun,
      updateRun,
      flush: cache.invalidateAll
    })
  })

/**
 * The service alone, on an existing transport and configuration.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerService: Layer.Layer<WandbApi, never, GraphQLClient.GraphQLClient | WandbConfig.WandbConfig> = Layer
  .effect(WandbApi, make)

/**
 * The whole client (API service, GraphQL transport, authenticated HTTP client) on a given
 * configuration layer; needs only an `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFrom = <E, R>(
  config: Layer.Layer<WandbConfig.WandbConfig, E, R>
): Layer.Layer<
  WandbApi | GraphQLClient.GraphQLClient | WandbHttpClient.WandbHttpClient | WandbConfig.WandbConfig,
  E,
  HttpClient.HttpClient | R
> =>
  layerService.pipe(
    Layer.provideMerge(GraphQLClient.layer),
    Layer.provideMerge(WandbHttpClient.layer),
    Layer.provideMerge(config)
  )

/**
 * The whole client with settings from the environment, `options` taking precedence; needs
 * only an `HttpClient`.
 *
 * @example
 * ```ts
 * import { WandbApi } from "@effect-wandb/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const api = yield* WandbApi.WandbApi
 *   const run = yield* api.run("mnist-cnn/3k9x0q2f") // entity from the options
 *   console.log(run.name, run.summary.val_acc)
 * })
 *
 * // WANDB_API_KEY from the environment, requests through fetch
 * const main = () =>
 *   program.pipe(
 *     Effect.provide(WandbApi.layer({ entity: "acme-ml" }).pipe(Layer.provide(FetchHttpClient.layer))),
 *     Effect.runPromise
 *   )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: WandbConfig.Options
): Layer.Layer<
  WandbApi | GraphQLClient.GraphQLClient | WandbHttpClient.WandbHttpClient | WandbConfig.WandbConfig,
  InvalidArgument | ConfigError.ConfigError,
  HttpClient.HttpClient
> => layerFrom(WandbConfig.layer(options))
