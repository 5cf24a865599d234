/**
 * Which fault (if any) a request gets. A decision is a pure function of the seed, the
 * request's identity (route + body, or the file path) and how many times that identity was
 * seen — so it does not depend on how concurrent requests interleave — plus the
 * max-consecutive cap, which lets a request through after that many faults in a row.
 *
 * @internal
 */
import { applies, type FaultKind, type FaultRule, type ResolvedPlan } from "./faultPlan.js"

const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

const mix = (x: number): number => {
  let h = Math.imul(x ^ (x >>> 16), 0x7feb352d)
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b)
  return (h ^ (h >>> 16)) >>> 0
}

/** A uniform number in [0, 1) for the `attempt`-th request with `identity`. @internal */
export const uniform = (seed: number, identity: string, attempt: number): number =>
  mix(fnv1a(identity) ^ mix((seed + Math.imul(attempt, 0x9e3779b9)) >>> 0)) / 2 ** 32

/** Faults that rewrite a file body (the others are decided before the request is handled). @internal */
export type BodyFault = "truncate" | "corrupt" | "stall"

/** @internal */
export const isBodyFault = (kind: FaultKind, family: "graphql" | "files"): kind is BodyFault =>
  family === "files" && (kind === "truncate" || kind === "corrupt" || kind === "stall")

interface IdentityState {
  attempts: number
  consecutive: number
  /** The attempt the cap let through. */
  forcedPass: number
}

/** What one request of an identity got. @internal */
export interface Decision {
  /** 1 for the first request with this identity. */
  readonly attempt: number
  readonly kind: FaultKind | undefined
}

/** Mutable decision state of one injector. @internal */
export class Decider {
  private readonly identities = new Map<string, IdentityState>()
  constructor(readonly plan: ResolvedPlan) {}

  private pick(
    identity: string,
    attempt: number,
    family: "graphql" | "files",
    operation: string | undefined
  ): FaultRule | undefined {
    const u = uniform(this.plan.seed, identity, attempt)
    let acc = 0
    for (const rule of this.plan.rules) {
      if (!applies(rule, family, operation)) continue
      acc += rule.rate
      if (u < acc) return rule
    }
    return undefined
  }

  /**
   * Called once per request, before handling: counts it and decides request-level faults
   * (everything but a file's `truncate`/`corrupt`, which {@link decideBody} decides).
   */
  decideRequest(identity: string, family: "graphql" | "files", operation: string | undefined): Decision {
    const state = this.identities.get(identity) ?? { attempts: 0, consecutive: 0, forcedPass: 0 }
    this.identities.set(identity, state)
    const attempt = ++state.attempts
    if (state.consecutive >= this.plan.maxConsecutive) {
      state.consecutive = 0
      state.forcedPass = attempt
      return { attempt, kind: undefined }
    }
    const rule = this.pick(identity, attempt, family, operation)
    if (rule !== undefined && !isBodyFault(rule.kind, family)) {
      state.consecutive++
      return { attempt, kind: rule.kind }
    }
    if (rule === undefined) state.consecutive = 0
    return { attempt, kind: undefined }
  }

  /** Called when a file body is about to be served: its body fault, if any. */
  decideBody(identity: string): BodyFault | undefined {
    const state = this.identities.get(identity)
    if (state === undefined || state.forcedPass === state.attempts) return undefined
    const kind = this.pick(identity, state.attempts, "files", undefined)?.kind
    if (kind === undefined || !isBodyFault(kind, "files")) return undefined
    state.consecutive++
    return kind
  }
}
