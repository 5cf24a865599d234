/**
 * The public-API façade (Python's `wandb.Api()`): viewer, projects, runs, sweeps, files,
 * run creation and update, and the run cache.
 *
 * Paths: runs accept `entity/project/run_id`, `entity/project/runs/run_id`,
 * `entity/project:run_id`, `project/run_id`, `project:run_id` and `run_id` (sweeps the same
 * with `/sweeps/`); projects `entity/project` or `project`. Missing parts come from the
 * configured defaults (`WandbConfig`); a missing entity falls back to the viewer's default
 * entity (fetched once). Anything else is an `InvalidPath`.
 *
 * Cache: `run(path)` results are cached by `entity/project/id` (bounded by
 * `runCacheCapacity`, least recently used evicted; failures are not cached). `createRun` and
 * `updateRun` refresh the entry of the run they return. Listings are never cached. `flush`
 * empties the cache.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type {
  ApiError,
  EntityNotFound,
  FileNotFound,
  FilterRejected,
  InvalidArgument,
  InvalidPath,
  ProjectNotFound,
  RunNotFound,
  SweepNotFound
} from "./Errors.js"
import type { JsonObject } from "./Json.js"
import type { Project } from "./Project.js"
import type { Run } from "./Run.js"
import type { RunFile } from "./RunFile.js"
import type { RunFilters } from "./RunFilters.js"
import type { Sweep } from "./Sweep.js"
import type { Viewer } from "./Viewer.js"

/**
 * @since 0.1.0
 * @category tags
 */
export class WandbApi extends Context.Tag("@effect-wandb/core/WandbApi")<WandbApi, WandbApi.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace WandbApi {
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
    readonly project: (path: string) => Effect.Effect<Project, ProjectNotFound | InvalidPath | ApiError>
    /** Runs of a project (`entity/project` or `project`), pages prefetched. */
    readonly runs: (
      path: string,
      options?: RunsOptions
    ) => Stream.Stream<Run, ProjectNotFound | FilterRejected | InvalidPath | InvalidArgument | ApiError>
    /** How many runs match the filters (the server's `runCount`). */
    readonly countRuns: (
      path: string,
      options?: { readonly filters?: RunFilters | undefined }
    ) => Effect.Effect<number, ProjectNotFound | FilterRejected | InvalidPath | InvalidArgument | ApiError>
    /** One run (cached until {@link flush}). */
    readonly run: (path: string) => Effect.Effect<Run, RunNotFound | InvalidPath | ApiError>
    /** One sweep, `entity/project/sweep_id` (also `…/sweeps/id`, `project/id`, `id`). */
    readonly sweep: (path: string) => Effect.Effect<Sweep, SweepNotFound | InvalidPath | ApiError>
    /** The runs of a sweep (a runs listing filtered by `{"sweep": id}`). */
    readonly sweepRuns: (
      sweep: Sweep,
      options?: Omit<RunsOptions, "filters">
    ) => Stream.Stream<Run, ProjectNotFound | FilterRejected | InvalidPath | InvalidArgument | ApiError>
    /** Files of a run (a `Run` or a run path). */
    readonly files: (
      run: Run | string,
      options?: FilesOptions
    ) => Stream.Stream<RunFile, RunNotFound | InvalidPath | InvalidArgument | ApiError>
    /** One file of a run by exact name. */
    readonly file: (
      run: Run | string,
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
