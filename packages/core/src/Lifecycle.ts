/**
 * Changing what exists on W&B (Python's `Run.delete`, `Run.stop`, `Run.update_state`,
 * `File.delete`, `Api.create_project`), with the official client's documents.
 *
 * Before a run is changed, its current state is read (one small request): a run given as a
 * `Run` value that is gone fails with `RunDeleted` (a path that names no run with
 * `RunNotFound`), a read-only run with `RunReadOnly` — nothing is sent then. A server that
 * refuses the change for lack of rights gives `PermissionDenied`. A run deleted between that
 * read and the change is a `RunDeleted` too. The run cache of `WandbApi` is emptied after a
 * deletion.
 *
 * @example
 * ```ts
 * import { Lifecycle, WandbApi } from "@effect-wandb/core"
 * import { Effect, Stream } from "effect"
 *
 * // ask every run of a project that is still running to stop
 * const stopAll = Effect.gen(function*() {
 *   const api = yield* WandbApi.WandbApi
 *   yield* api.runs("acme-ml/mnist-cnn", { filters: { state: "running" } }).pipe(
 *     Stream.runForEach((run) => Lifecycle.stopRun(run))
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import {
  type ApiError,
  InvalidArgument,
  type InvalidPath,
  ProjectNotFound,
  RunDeleted,
  RunNotFound,
  RunReadOnly,
  ServerError
} from "./Errors.js"
import * as GraphQLClient from "./GraphQLClient.js"
import { operations } from "./internal/lifecycleDocuments.js"
import type { Project } from "./Project.js"
import type { Run } from "./Run.js"
import type { RunFile } from "./RunFile.js"
import { WandbApi } from "./WandbApi.js"

/**
 * A run to change: a `Run` value, or its path (as `WandbApi.run` takes it).
 *
 * @since 0.1.0
 * @category models
 */
export type RunRef = Run | WandbApi.Path

/**
 * The errors of a change to a run.
 *
 * @since 0.1.0
 * @category models
 */
export type RunChangeError = RunNotFound | RunDeleted | RunReadOnly | InvalidPath | ApiError

/**
 * The states {@link setRunState} can set (W&B allows `pending` from running, failed, crashed or
 * preempted, and `failed` from pending or running).
 *
 * @since 0.1.0
 * @category models
 */
export type SettableState = "pending" | "failed"

interface Changeable {
  readonly run: Run
  readonly storageId: string
  readonly projectId: number | null
}

const isRun = (ref: RunRef): ref is Run => typeof ref === "object" && ref !== null && !Array.isArray(ref)

/** The run, re-read: gone, read-only, or changeable (with its current storage and project ids). */
const changeable = (ref: RunRef): Effect.Effect<Changeable, RunChangeError, WandbApi | GraphQLClient.GraphQLClient> =>
  Effect.gen(function*() {
    const run = isRun(ref) ? ref : yield* Effect.flatMap(WandbApi, (api) => api.run(ref))
    const gql = yield* GraphQLClient.GraphQLClient
    const { project } = yield* gql.execute(operations.runStatus, {
      project: run.project,
      entity: run.entity,
      name: run.id
    })
    const where = { entity: run.entity, project: run.project, runId: run.id }
    if (project?.run == null) return yield* isRun(ref) ? new RunDeleted(where) : new RunNotFound(where)
    if (project.run.readOnly === true) return yield* new RunReadOnly(where)
    return { run, storageId: project.run.id, projectId: project.run.projectId ?? null }
  })

/**
 * Runs a change; when it fails because the run is gone by then (the server's answer for an
 * unknown run is not specified: a 400, a 404 or a GraphQL error), the failure is `RunDeleted`.
 */
const change = <A>(
  target: Changeable,
  send: Effect.Effect<A, ApiError>
): Effect.Effect<A, RunChangeError, GraphQLClient.GraphQLClient | WandbApi> =>
  Effect.catchIf(
    send,
    (error): error is ServerError => error instanceof ServerError,
    (error) =>
      Effect.flatMap(
        Effect.either(changeable(target.run)),
        (status): Effect.Effect<never, RunChangeError> =>
          status._tag === "Left" && status.left._tag === "RunDeleted" ? Effect.fail(status.left) : Effect.fail(error)
      )
  )

/**
 * Deletes a run with its history and files; `deleteArtifacts` also deletes the artifacts it
 * logged (W&B's `delete_artifacts`).
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const deleteRun = (
  run: RunRef,
  options?: { readonly deleteArtifacts?: boolean | undefined }
): Effect.Effect<void, RunChangeError, WandbApi | GraphQLClient.GraphQLClient> =>
  Effect.gen(function*() {
    const target = yield* changeable(run)
    const gql = yield* GraphQLClient.GraphQLClient
    yield* change(
      target,
      gql.execute(operations.deleteRun, { id: target.storageId, deleteArtifacts: options?.deleteArtifacts ?? false })
    )
    yield* Effect.flatMap(WandbApi, (api) => api.flush)
  }).pipe(Effect.withSpan("Lifecycle.deleteRun"))

/**
 * Asks a run to stop (W&B's "Stop run": the process running it sees the flag at its next
 * heartbeat and finishes). Returns once the server has recorded the request.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const stopRun = (run: RunRef): Effect.Effect<void, RunChangeError, WandbApi | GraphQLClient.GraphQLClient> =>
  Effect.gen(function*() {
    const target = yield* changeable(run)
    const gql = yield* GraphQLClient.GraphQLClient
    const { stopRun } = yield* change(target, gql.execute(operations.stopRun, { id: target.storageId }))
    if (stopRun?.success !== true) {
      return yield* new ServerError({ status: 200, attempts: 1, reason: "stopRun did not succeed" })
    }
  }).pipe(Effect.withSpan("Lifecycle.stopRun"))

/**
 * Sets a run's state (W&B's `Run.update_state`) and returns the run as re-read.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const setRunState = (
  run: RunRef,
  state: SettableState
): Effect.Effect<Run, RunChangeError | InvalidArgument, WandbApi | GraphQLClient.GraphQLClient> =>
  Effect.gen(function*() {
    if (state !== "pending" && state !== "failed") {
      return yield* new InvalidArgument({ argument: "state", reason: `expected "pending" or "failed", got ${String(state)}` })
    }
    const target = yield* changeable(run)
    const gql = yield* GraphQLClient.GraphQLClient
    const { updateRunState } = yield* change(
      target,
      gql.execute(operations.updateRunState, { input: { id: target.storageId, state } })
    )
    if (updateRunState?.success !== true) {
      return yield* new ServerError({ status: 200, attempts: 1, reason: `the server refused the state ${state}` })
    }
    const api = yield* WandbApi
    yield* api.flush
    return yield* api.run(target.run.path)
  }).pipe(Effect.withSpan("Lifecycle.setRunState"))

/**
 * Deletes one file of a run.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const deleteFile = (file: RunFile): Effect.Effect<void, RunChangeError, WandbApi | GraphQLClient.GraphQLClient> =>
  Effect.gen(function*() {
    const target = yield* changeable([file.entity, file.project, file.runId])
    const gql = yield* GraphQLClient.GraphQLClient
    yield* change(target, gql.execute(operations.deleteFiles, { files: [file.id], projectId: target.projectId }))
  }).pipe(Effect.withSpan("Lifecycle.deleteFile"))

/**
 * Creates a project (or leaves an existing one as it is) and reads it back. `entity` defaults to
 * the configured or the viewer's default entity.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const createProject = (
  name: string,
  options?: { readonly entity?: string | undefined; readonly description?: string | undefined }
): Effect.Effect<Project, ProjectNotFound | InvalidArgument | InvalidPath | ApiError, WandbApi | GraphQLClient.GraphQLClient> =>
  Effect.gen(function*() {
    const api = yield* WandbApi
    const entity = options?.entity ?? (yield* api.defaultEntity)
    for (const [argument, value] of [["name", name], ["entity", entity]] as const) {
      if (typeof value !== "string" || !/^[A-Za-z0-9_.-]{1,128}$/.test(value)) {
        return yield* new InvalidArgument({
          argument,
          reason: `expected 1-128 characters from [A-Za-z0-9_.-], got ${JSON.stringify(value)}`
        })
      }
    }
    const gql = yield* GraphQLClient.GraphQLClient
    const input: Record<string, string> = { name, entityName: entity }
    if (options?.description !== undefined) input.description = options.description
    yield* gql.execute(operations.createProject, { input })
    return yield* api.project([entity, name])
  }).pipe(Effect.withSpan("Lifecycle.createProject"))
