/**
 * The history GraphQL operations (protocol §4.11, §4.12), sent as the current Python client
 * sends them, and the requests that run them. Each request fails with `ProjectNotFound` /
 * `RunNotFound` when the server answers `null` for the project / run.
 *
 * Row fields are decoded as `Schema.Unknown` and checked by hand in `historyRows.ts`: a
 * Schema pass over every row of a million-row scan would cost more than the JSON parsing.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { DecodeError, ProjectNotFound, RunNotFound } from "../Errors.js"
import type { ApiError } from "../Errors.js"
import * as GraphQLClient from "../GraphQLClient.js"
import { historyPageRows } from "./historyPageBody.js"

/**
 * Which run a request is about.
 *
 * @internal
 */
export interface RunCoordinates {
  readonly entity: string
  readonly project: string
  readonly id: string
}

/** @internal */
export type QueryError = ApiError | ProjectNotFound | RunNotFound

/** `data` of a query selecting `project { run { … } }`, with `run` holding `fields`. */
const runResponse = <F extends Schema.Struct.Fields>(fields: F) =>
  Schema.Struct({ project: Schema.NullOr(Schema.Struct({ run: Schema.NullOr(Schema.Struct(fields)) })) }) as unknown as Schema.Schema<
    { readonly project: { readonly run: Schema.Struct.Type<F> | null } | null },
    unknown
  >

/** A query on one run: `query name(variables) { project { run(name: runVariable) { selection } } }`. */
const runOperation = <F extends Schema.Struct.Fields>(
  name: string,
  variables: string,
  runVariable: "$name" | "$run",
  selection: string,
  fields: F
) =>
  GraphQLClient.operation(
    name,
    `query ${name}(${variables}) {
  project(name: $project, entityName: $entity) {
    run(name: ${runVariable}) { ${selection} }
  }
}`,
    runResponse(fields)
  )

const byName = "$project: String!, $entity: String!, $name: String!"
const byRun = "$entity: String!, $project: String!, $run: String!"

/** `RunFullHistory` selecting `history(samples)` (default stream) or `events(samples)` (system stream). */
const fullOperation = <F extends "history" | "events">(field: F) =>
  runOperation("RunFullHistory", `${byName}, $samples: Int`, "$name", `${field}(samples: $samples)`, {
    [field]: Schema.Unknown
  } as { readonly [K in F]: typeof Schema.Unknown })

/** @internal */
export const RunFullHistory = fullOperation("history")

/** @internal */
export const RunFullEvents = fullOperation("events")

/** @internal */
export const RunSampledHistory = runOperation(
  "RunSampledHistory",
  `${byName}, $specs: [JSONString!]!`,
  "$name",
  "sampledHistory(specs: $specs)",
  { sampledHistory: Schema.Unknown }
)

const historyPageOperation = runOperation(
  "HistoryPage",
  `${byRun}, $minStep: Int64!, $maxStep: Int64!, $pageSize: Int!`,
  "$run",
  "history(minStep: $minStep, maxStep: $maxStep, samples: $pageSize)",
  { history: Schema.Unknown }
)

/**
 * A page of a full scan; its answers are read by {@link historyPageRows} when they have the exact
 * compact form (see `historyPageBody.ts`), otherwise the generic way.
 *
 * @internal
 */
export const HistoryPage: typeof historyPageOperation = {
  ...historyPageOperation,
  readAnswer: (body) => {
    const history = historyPageRows(body)
    return history === undefined ? undefined : { project: { run: { history } } }
  }
}

/** @internal */
export const SampledHistoryPage = runOperation(
  "SampledHistoryPage",
  `${byRun}, $spec: JSONString!`,
  "$run",
  "sampledHistory(specs: [$spec])",
  { sampledHistory: Schema.Unknown }
)

/** @internal */
export const RunHistoryKeys = runOperation("RunHistoryKeys", byName, "$name", "historyKeys historyLineCount", {
  historyKeys: Schema.Unknown,
  historyLineCount: Schema.NullOr(Schema.Number)
})

/**
 * A request already sent whose answer is read and decoded only when the inner effect runs (see
 * `GraphQLClient.send`): a scan leaves pages fetched ahead in their connections until it reaches them.
 *
 * @internal
 */
export type Sent<A> = Effect.Effect<Effect.Effect<A, QueryError>, QueryError, GraphQLClient.GraphQLClient | Scope.Scope>

/**
 * The answer of `sent`, read right away (its request's scope closed then).
 *
 * @internal
 */
export const read = <A>(sent: Sent<A>): Effect.Effect<A, QueryError, GraphQLClient.GraphQLClient> =>
  Effect.scoped(Effect.flatten(sent))

/** The sent answer, then `f` on it. */
const thenDecode = <A, B>(sent: Sent<A>, f: (a: A) => Effect.Effect<B, QueryError>): Sent<B> =>
  Effect.map(sent, (answer) => Effect.flatMap(answer, f))

/**
 * Sends `operation`; its answer is the run object, or the not-found error of a `null` project
 * or run.
 */
const sendRunQuery = <R>(
  operation: GraphQLClient.GraphQLOperation<{ readonly project: { readonly run: R | null } | null }>,
  run: RunCoordinates,
  variables: Record<string, unknown>
): Sent<R> =>
  thenDecode(
    Effect.flatMap(GraphQLClient.GraphQLClient, (client) => client.send(operation, variables)),
    (data): Effect.Effect<R, ProjectNotFound | RunNotFound> =>
      data.project === null
        ? Effect.fail(new ProjectNotFound({ entity: run.entity, project: run.project }))
        : data.project.run === null
        ? Effect.fail(new RunNotFound({ entity: run.entity, project: run.project, runId: run.id }))
        : Effect.succeed(data.project.run)
  )

/** Runs `operation` and returns the run object (see {@link sendRunQuery}). */
const runOf = <R>(
  operation: GraphQLClient.GraphQLOperation<{ readonly project: { readonly run: R | null } | null }>,
  run: RunCoordinates,
  variables: Record<string, unknown>
): Effect.Effect<R, QueryError, GraphQLClient.GraphQLClient> => read(sendRunQuery(operation, run, variables))

const expectArray = <A>(
  value: unknown,
  operation: string,
  field: string,
  element: (item: unknown) => item is A,
  expected: string
): Either.Either<ReadonlyArray<A>, DecodeError> => {
  if (value === null || value === undefined) return Either.right([])
  if (Array.isArray(value)) {
    let ok = true
    for (let i = 0; i < value.length && ok; i++) ok = element(value[i])
    if (ok) return Either.right(value as ReadonlyArray<A>)
  }
  return Either.left(new DecodeError({ entity: operation, field, reason: `expected ${expected}` }))
}

const isString = (item: unknown): item is string => typeof item === "string"
const isAny = (_: unknown): _ is unknown => true

const textRows = (operation: string, field: string) => (value: unknown) =>
  expectArray(value, operation, field, isString, "a list of JSON strings")

/**
 * `history(samples)` (default stream) or `events(samples)` (system stream) over the whole run:
 * rows as JSON text.
 *
 * @internal
 */
export const fullRows = (run: RunCoordinates, stream: "default" | "system", samples: number) => {
  const variables = { project: run.project, entity: run.entity, name: run.id, samples }
  return stream === "system"
    ? Effect.flatMap(runOf(RunFullEvents, run, variables), (r) => textRows("RunFullHistory", "events")(r.events))
    : Effect.flatMap(runOf(RunFullHistory, run, variables), (r) => textRows("RunFullHistory", "history")(r.history))
}

/**
 * `history(minStep, maxStep, samples: pageSize)`: the first `pageSize` rows with
 * `minStep <= _step < maxStep`, as JSON text.
 *
 * @internal
 */
export const historyPage = (
  run: RunCoordinates,
  minStep: number,
  maxStep: number,
  pageSize: number
): Sent<ReadonlyArray<string>> =>
  thenDecode(
    sendRunQuery(HistoryPage, run, { entity: run.entity, project: run.project, run: run.id, minStep, maxStep, pageSize }),
    (r) => textRows("HistoryPage", "history")(r.history)
  )

/**
 * A `sampledHistory` spec (`maxStep` inclusive, as the server reads it).
 *
 * @internal
 */
export interface SampledSpec {
  readonly keys: ReadonlyArray<string>
  readonly samples: number
  readonly minStep?: number
  readonly maxStep?: number
}

const specLists = (operation: string) => (value: unknown) =>
  Either.flatMap(
    expectArray(value, operation, "sampledHistory", Array.isArray, "one list of rows per spec"),
    (lists) => Either.right(lists as ReadonlyArray<ReadonlyArray<unknown>>)
  )

/**
 * `sampledHistory(specs)`: one list of row objects per spec.
 *
 * @internal
 */
export const sampledHistory = (
  run: RunCoordinates,
  specs: ReadonlyArray<SampledSpec>
): Sent<ReadonlyArray<ReadonlyArray<unknown>>> =>
  thenDecode(
    sendRunQuery(RunSampledHistory, run, {
      project: run.project,
      entity: run.entity,
      name: run.id,
      specs: specs.map((spec) => JSON.stringify(spec))
    }),
    (r) => specLists("RunSampledHistory")(r.sampledHistory)
  )

/**
 * `sampledHistory(specs: [spec])` as `SampledHistoryPage`: the rows of the one spec.
 *
 * @internal
 */
export const sampledHistoryPage = (run: RunCoordinates, spec: SampledSpec): Sent<ReadonlyArray<unknown>> =>
  thenDecode(
    sendRunQuery(SampledHistoryPage, run, {
      entity: run.entity,
      project: run.project,
      run: run.id,
      spec: JSON.stringify(spec)
    }),
    (r) =>
      Either.flatMap(
        specLists("SampledHistoryPage")(r.sampledHistory),
        (lists) => expectArray(lists[0], "SampledHistoryPage", "sampledHistory[0]", isAny, "a list of rows")
      )
  )

/**
 * What bounds and sizes a scan: the run's largest `_step` (`historyKeys.lastStep`, `null` when
 * nothing was logged) and its number of history rows.
 *
 * @internal
 */
export interface HistoryExtent {
  readonly lastStep: number | null
  readonly rowCount: number
}

/** @internal */
export const historyExtent = (run: RunCoordinates) =>
  runOf(RunHistoryKeys, run, { project: run.project, entity: run.entity, name: run.id }).pipe(
    Effect.flatMap(({ historyKeys, historyLineCount }): Either.Either<HistoryExtent, DecodeError> => {
      const step = typeof historyKeys === "object" && historyKeys !== null
        ? (historyKeys as { lastStep?: unknown }).lastStep
        : undefined
      return step === undefined || step === null || Number.isInteger(step)
        ? Either.right({ lastStep: (step as number | null | undefined) ?? null, rowCount: historyLineCount ?? 0 })
        : Either.left(
          new DecodeError({ entity: "RunHistoryKeys", field: "historyKeys.lastStep", reason: "expected an integer" })
        )
    })
  )
