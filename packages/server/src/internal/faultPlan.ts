/**
 * The fault plan: which faults, where, how often — its types, validation and the text form
 * used by `effect-wandb-server --faults`.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"

/** Every kind of fault the server can inject. @internal */
export const faultKinds = [
  "500",
  "502",
  "503",
  "429",
  "drop",
  "truncate",
  "slow",
  "html",
  "graphql-errors",
  "corrupt",
  "stall"
] as const

/** @internal */
export type FaultKind = typeof faultKinds[number]

/** `graphql`, `files`, or `graphql:<OperationName>` (one GraphQL operation). @internal */
export type FaultRoute = "graphql" | "files" | `graphql:${string}`

/** @internal */
export interface FaultRule {
  readonly kind: FaultKind
  /** Probability per request, 0–1. */
  readonly rate: number
  /** Where it applies; default every route the kind makes sense on. */
  readonly route?: FaultRoute | undefined
}

/** @internal */
export interface FaultPlan {
  readonly rules: ReadonlyArray<FaultRule>
  /** Seed of the fault decisions. Default 1. */
  readonly seed?: number | undefined
  /** At most this many faults in a row for the same request (then it goes through). Default 3. */
  readonly maxConsecutive?: number | undefined
  /** How long a `slow` request is held before it is answered (and a `stall`ed body paused), in milliseconds. Default 5000. */
  readonly slowMs?: number | undefined
  /** The `Retry-After` (seconds) sent with 429 and 503. Default 1. */
  readonly retryAfterSeconds?: number | undefined
}

/** A plan with every default filled in. @internal */
export interface ResolvedPlan {
  readonly rules: ReadonlyArray<FaultRule>
  readonly seed: number
  readonly maxConsecutive: number
  readonly slowMs: number
  readonly retryAfterSeconds: number
}

/**
 * A fault plan (or its text form) that cannot be used.
 *
 * @since 0.1.0
 * @category errors
 */
export class FaultSpecError extends Data.TaggedError("FaultSpecError")<{
  readonly spec: string
  readonly reason: string
}> {
  override get message(): string {
    return `invalid fault spec ${JSON.stringify(this.spec)}: ${this.reason}`
  }
}

/** Routes each kind applies to. */
const routesOf = (kind: FaultKind): ReadonlyArray<"graphql" | "files"> =>
  kind === "graphql-errors" ? ["graphql"] : kind === "corrupt" || kind === "stall" ? ["files"] : ["graphql", "files"]

/** The route family (`graphql` / `files`) of a rule route. @internal */
export const routeFamily = (route: FaultRoute): "graphql" | "files" => route === "files" ? "files" : "graphql"

/** Whether `rule` applies to a request on `family` with GraphQL operation `operation`. @internal */
export const applies = (rule: FaultRule, family: "graphql" | "files", operation: string | undefined): boolean => {
  if (!routesOf(rule.kind).includes(family)) return false
  if (rule.route === undefined) return true
  if (routeFamily(rule.route) !== family) return false
  return rule.route === family || rule.route === `graphql:${operation ?? ""}`
}

const isRoute = (text: string): text is FaultRoute =>
  text === "graphql" || text === "files" || /^graphql:[A-Za-z_][A-Za-z0-9_]*$/.test(text)

/**
 * Checks a plan and fills in its defaults. The rates that can hit one request must sum to at
 * most 1.
 *
 * @internal
 */
export const resolve = (plan: FaultPlan, spec = JSON.stringify(plan)): Either.Either<ResolvedPlan, FaultSpecError> => {
  const fail = (reason: string) => Either.left(new FaultSpecError({ spec, reason }))
  for (const rule of plan.rules) {
    if (!faultKinds.includes(rule.kind)) return fail(`unknown fault kind ${JSON.stringify(rule.kind)}`)
    if (!(Number.isFinite(rule.rate) && rule.rate >= 0 && rule.rate <= 1)) {
      return fail(`rate of ${rule.kind} must be between 0 and 1, got ${rule.rate}`)
    }
    if (rule.route !== undefined) {
      if (!isRoute(rule.route)) return fail(`unknown route ${JSON.stringify(rule.route)} (graphql, files, graphql:<Op>)`)
      if (!routesOf(rule.kind).includes(routeFamily(rule.route))) {
        return fail(`${rule.kind} does not apply to ${rule.route}`)
      }
    }
  }
  const operations = plan.rules.flatMap((rule) => rule.route?.startsWith("graphql:") ? [rule.route.slice(8)] : [])
  for (const family of ["graphql", "files"] as const) {
    for (const operation of [undefined, ...operations]) {
      const total = plan.rules.filter((rule) => applies(rule, family, operation)).reduce((n, r) => n + r.rate, 0)
      if (total > 1 + 1e-9) {
        return fail(`rates on ${family}${operation === undefined ? "" : `:${operation}`} add up to ${total} (> 1)`)
      }
    }
  }
  const seed = plan.seed ?? 1
  const maxConsecutive = plan.maxConsecutive ?? 3
  const slowMs = plan.slowMs ?? 5000
  const retryAfterSeconds = plan.retryAfterSeconds ?? 1
  if (!Number.isSafeInteger(seed)) return fail(`seed must be an integer, got ${seed}`)
  if (!(Number.isSafeInteger(maxConsecutive) && maxConsecutive >= 1)) {
    return fail(`max-consecutive must be a positive integer, got ${maxConsecutive}`)
  }
  if (!(Number.isSafeInteger(slowMs) && slowMs >= 0)) return fail(`slow-ms must be a non-negative integer, got ${slowMs}`)
  if (!(Number.isSafeInteger(retryAfterSeconds) && retryAfterSeconds >= 0)) {
    return fail(`retry-after must be a non-negative integer (seconds), got ${retryAfterSeconds}`)
  }
  return Either.right({ rules: plan.rules, seed, maxConsecutive, slowMs, retryAfterSeconds })
}

const settings = {
  "max-consecutive": "maxConsecutive",
  "slow-ms": "slowMs",
  "retry-after": "retryAfterSeconds",
  seed: "seed"
} as const

/**
 * Parses the text form: comma-separated `kind[@route]=rate` items and `setting=value` items
 * (`max-consecutive`, `slow-ms`, `retry-after`, `seed`), e.g.
 * `503=0.2,drop@files=0.1,truncate@graphql:Runs=0.3,max-consecutive=2`. An empty spec is a
 * plan without faults (requests are still counted).
 *
 * @internal
 */
export const parse = (spec: string): Either.Either<ResolvedPlan, FaultSpecError> => {
  const fail = (reason: string) => Either.left(new FaultSpecError({ spec, reason }))
  const rules: Array<FaultRule> = []
  const plan: { -readonly [K in keyof FaultPlan]: FaultPlan[K] } = { rules }
  for (const item of spec.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
    const eq = item.indexOf("=")
    if (eq <= 0) return fail(`expected kind[@route]=rate or setting=value, got ${JSON.stringify(item)}`)
    const key = item.slice(0, eq).trim()
    const value = Number(item.slice(eq + 1).trim())
    if (item.slice(eq + 1).trim() === "" || Number.isNaN(value)) {
      return fail(`${key} needs a number, got ${JSON.stringify(item.slice(eq + 1))}`)
    }
    if (key in settings) {
      plan[settings[key as keyof typeof settings]] = value
      continue
    }
    const at = key.indexOf("@")
    const kind = at < 0 ? key : key.slice(0, at)
    const route = at < 0 ? undefined : key.slice(at + 1)
    if (!faultKinds.includes(kind as FaultKind)) {
      return fail(`unknown fault kind or setting ${JSON.stringify(kind)} (kinds: ${faultKinds.join(", ")})`)
    }
    if (route !== undefined && !isRoute(route)) {
      return fail(`unknown route ${JSON.stringify(route)} (graphql, files, graphql:<OperationName>)`)
    }
    rules.push(route === undefined ? { kind: kind as FaultKind, rate: value } : { kind: kind as FaultKind, rate: value, route })
  }
  return resolve(plan, spec)
}
