/**
 * Deterministic fault injection for the local server: make it behave like a flaky W&B
 * deployment — error statuses, rate limits, dropped connections, truncated bodies, stalls,
 * proxy error pages, GraphQL `errors` answers and corrupted file bytes — to test that a client
 * survives them.
 *
 * A plan lists rules `kind[@route]=rate`:
 *
 * | kind | what the client sees | routes |
 * | --- | --- | --- |
 * | `500`, `502` | that status with a JSON `errors` body | graphql, files |
 * | `503`, `429` | that status with `Retry-After: {retryAfterSeconds}` | graphql, files |
 * | `drop` | the connection is destroyed before any answer | graphql, files |
 * | `truncate` | `Content-Length` promises more than is sent, then the connection closes (files: part of the real bytes) | graphql, files |
 * | `slow` | the answer comes only after `slowMs` (beyond the client's timeout) | graphql, files |
 * | `html` | 502 with an nginx-style HTML page (not JSON) | graphql, files |
 * | `graphql-errors` | HTTP 200 with `{"data": null, "errors": [...]}` | graphql |
 * | `corrupt` | the file with one byte flipped (same length; only the md5 tells) | files |
 * | `stall` | the file's body pauses for `slowMs` after its first bytes (beyond the client's timeout) | files |
 *
 * Routes: `graphql` (`POST /graphql`), `files` (`GET /files/…`) or `graphql:<OperationName>`
 * for one GraphQL operation; without a route a rule applies wherever its kind makes sense.
 *
 * Decisions are deterministic: the fault of a request depends only on the seed, the request
 * (GraphQL body, or file path) and how many times that same request was seen before — not on
 * timing or on how concurrent requests interleave. After `maxConsecutive` faults in a row for
 * the same request, the next one goes through, so a client that retries always makes progress.
 *
 * ```ts
 * const faults = yield* FaultInjection.make("503=0.3,drop@files=0.2,max-consecutive=2")
 * const { server } = yield* LocalServer.make({ faults })
 * // … run the client …
 * const { injected, repeated } = yield* faults.counters
 * ```
 *
 * On the command line: `effect-wandb-server --faults "429=0.5,retry-after=0" --fault-seed 7`.
 *
 * @since 0.1.0
 */
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { FaultInjection as Hook } from "./internal/app.js"
import { Decider } from "./internal/faultDecision.js"
import * as Plan from "./internal/faultPlan.js"
import { respond, rewriteBody } from "./internal/faultResponses.js"
import type { FileBodyTransform } from "./internal/fileHandler.js"
import { readBodyText } from "./internal/requestBody.js"

/**
 * @since 0.1.0
 * @category models
 */
export type FaultKind = Plan.FaultKind

/**
 * @since 0.1.0
 * @category models
 */
export type FaultRoute = Plan.FaultRoute

/**
 * @since 0.1.0
 * @category models
 */
export type FaultRule = Plan.FaultRule

/**
 * Rules plus settings: `seed` (default 1), `maxConsecutive` (default 3), `slowMs` (default
 * 5000, for `slow` and `stall`), `retryAfterSeconds` (default 1).
 *
 * @since 0.1.0
 * @category models
 */
export type FaultPlan = Plan.FaultPlan

/**
 * @since 0.1.0
 * @category errors
 */
export const FaultSpecError = Plan.FaultSpecError

/**
 * @since 0.1.0
 * @category errors
 */
export type FaultSpecError = Plan.FaultSpecError

/**
 * Every fault kind.
 *
 * @since 0.1.0
 * @category constants
 */
export const kinds: ReadonlyArray<FaultKind> = Plan.faultKinds

/**
 * What the injector did since it was made (or last reset).
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultCounters {
  /** Requests seen, on every route. */
  readonly requests: number
  /** Requests identical to one seen before (same GraphQL body or file path): the client's retries. */
  readonly repeated: number
  /** Faults injected, all kinds. */
  readonly injected: number
  readonly byKind: Readonly<Record<FaultKind, number>>
}

/**
 * A fault injector: pass it as `faults` to `LocalServer.make` / `LocalServer.layer`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultInjector {
  readonly _tag: "FaultInjector"
  /** The plan in force, defaults filled in. */
  readonly plan: Effect.Effect<FaultPlan>
  readonly counters: Effect.Effect<FaultCounters>
  /** Switches to another plan and starts over (counters and per-request history cleared). */
  readonly setPlan: (plan: FaultPlan | string) => Effect.Effect<void, FaultSpecError>
  /** Clears the counters and the per-request history, keeping the plan. */
  readonly reset: Effect.Effect<void>
  /** The server's request hook (runs before authentication). */
  readonly onRequest: Hook
  /** The server's file-body hook. */
  readonly transformFileBody: FileBodyTransform
}

/**
 * Parses the text form of a plan: comma-separated `kind[@route]=rate` rules and
 * `setting=value` items (`seed`, `max-consecutive`, `slow-ms`, `retry-after`), e.g.
 * `"503=0.2,drop@files=0.1,truncate@graphql:ProjectRuns=0.3,max-consecutive=2"`. Fails when a
 * kind, route or number is unknown or out of range, or when the rates that can hit one request
 * add up to more than 1.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (spec: string): Either.Either<FaultPlan, FaultSpecError> => Plan.parse(spec)

const resolvePlan = (plan: FaultPlan | string) =>
  typeof plan === "string" ? Plan.parse(plan) : Plan.resolve(plan)

const emptyCounts = (): Record<FaultKind, number> =>
  Object.fromEntries(Plan.faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>

/** `graphql`, `files` or neither, from the request path. */
const familyOf = (path: string): "graphql" | "files" | undefined =>
  path === "/graphql" || path === "/graphql/" ? "graphql" : path.startsWith("/files/") ? "files" : undefined

const operationNameOf = (body: string): string | undefined => {
  try {
    const parsed: unknown = JSON.parse(body)
    return typeof parsed === "object" && parsed !== null && "operationName" in parsed &&
        typeof parsed.operationName === "string"
      ? parsed.operationName
      : undefined
  } catch {
    return undefined
  }
}

/** `entity/project/run/name` of a `/files/…` path (decoded), the identity of a file request. */
const fileIdentity = (path: string): string => {
  const rest = path.slice("/files/".length)
  try {
    return rest.split("/").map(decodeURIComponent).join("/")
  } catch {
    return rest
  }
}

/**
 * Builds an injector from a plan or its text form (see {@link parse}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (plan: FaultPlan | string): Effect.Effect<FaultInjector, FaultSpecError> =>
  Effect.map(resolvePlan(plan), (initial) => {
    let decider = new Decider(initial)
    let requests = 0
    let repeated = 0
    let byKind = emptyCounts()
    const restart = (next: Plan.ResolvedPlan) => {
      decider = new Decider(next)
      requests = 0
      repeated = 0
      byKind = emptyCounts()
    }

    const onRequest: Hook = (request) =>
      Effect.gen(function*() {
        requests++
        const path = request.url.split("?")[0]!
        const family = familyOf(path)
        if (family === undefined) return Option.none<HttpServerResponse.HttpServerResponse>()
        const body = family === "graphql" ? yield* readBodyText(request) : ""
        const identity = family === "graphql" ? `graphql ${body}` : `files ${fileIdentity(path)}`
        const operation = family === "graphql" ? operationNameOf(body) : undefined
        const plan = decider.plan
        const { attempt, kind } = decider.decideRequest(identity, family, operation)
        if (attempt > 1) repeated++
        if (kind === undefined) return Option.none()
        byKind[kind]++
        return yield* respond(kind, request, plan)
      })

    const transformFileBody: FileBodyTransform = (file, body) => {
      if (file.sizeBytes === 0) return body
      const kind = decider.decideBody(`files ${file.entity}/${file.project}/${file.run}/${file.name}`)
      if (kind === undefined) return body
      byKind[kind]++
      return rewriteBody(kind, body, decider.plan)
    }

    return {
      _tag: "FaultInjector",
      plan: Effect.sync(() => decider.plan),
      counters: Effect.sync(() => ({
        requests,
        repeated,
        injected: Object.values(byKind).reduce((n, c) => n + c, 0),
        byKind: { ...byKind }
      })),
      setPlan: (next) => Effect.map(resolvePlan(next), restart),
      reset: Effect.sync(() => restart(decider.plan)),
      onRequest,
      transformFileBody
    } satisfies FaultInjector
  })

/**
 * Whether a value is a {@link FaultInjector} (rather than a plan).
 *
 * @since 0.1.0
 * @category guards
 */
export const isFaultInjector = (value: unknown): value is FaultInjector =>
  typeof value === "object" && value !== null && "_tag" in value && value._tag === "FaultInjector"
