/**
 * Conversion of response nodes into the public entities: JSON strings parsed leniently,
 * config flattened, timestamps read as UTC, URLs derived. A value that cannot be read is a
 * `DecodeError` naming the entity and field.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as YAML from "yaml"
import { DecodeError } from "../Errors.js"
import type { JsonObject } from "../Json.js"
import * as LenientJson from "../LenientJson.js"
import { Project, ProjectUser } from "../Project.js"
import { HistoryKeys, Run, RunUser } from "../Run.js"
import { RunFile } from "../RunFile.js"
import { Sweep } from "../Sweep.js"
import { Viewer } from "../Viewer.js"
import type * as wire from "./wire.js"

/** Internal config keys kept only in `rawConfig`. */
const INTERNAL_CONFIG_KEYS = new Set(["_wandb", "wandb_version"])

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const attempt = <A>(entity: string, field: string, f: () => A): Effect.Effect<A, DecodeError> =>
  Effect.try({
    try: f,
    catch: (cause) =>
      new DecodeError({ entity, field, reason: cause instanceof Error ? cause.message : String(cause) })
  })

/**
 * Reads a JSON object that W&B sends as JSON text (or, tolerated, as an object already).
 * `null`, missing or empty text is `{}`.
 */
const jsonObject = (
  entity: string,
  field: string,
  value: unknown,
  options?: { readonly quotedSpecials?: boolean }
): Effect.Effect<JsonObject, DecodeError> =>
  attempt(entity, field, () => {
    if (value === null || value === undefined || value === "") return {}
    const parsed = typeof value === "string" ? LenientJson.parse(value, options) : value
    if (parsed === null) return {}
    if (!isObject(parsed)) throw new Error(`expected a JSON object, got ${Array.isArray(parsed) ? "an array" : typeof parsed}`)
    return parsed
  })

/** ISO-8601 timestamp; without a zone designator it is UTC (W&B's run timestamps). */
const timestamp = (entity: string, field: string, value: string): Effect.Effect<Date, DecodeError> =>
  attempt(entity, field, () => {
    const text = value.trim()
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) || !text.includes("T") ? text : `${text}Z`
    const date = new Date(zoned)
    if (Number.isNaN(date.getTime())) throw new Error(`not an ISO-8601 timestamp: ${JSON.stringify(value)}`)
    return date
  })

const optionalTimestamp = (entity: string, field: string, value: string | null) =>
  value === null ? Effect.succeed(null) : timestamp(entity, field, value)

/** Percent-encodes every character but `A-Z a-z 0-9 _ . - ~` (Python's `quote(s, safe="")`). */
const encodeSegment = (segment: string): string =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** @internal */
export const appPath = (appUrl: string, ...segments: ReadonlyArray<string>): string =>
  [appUrl, ...segments.map(encodeSegment)].join("/")

/** `{value, desc}` wrappers unwrapped; other values as they are. */
const unwrapConfig = (raw: JsonObject): JsonObject =>
  Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, isObject(value) && "value" in value ? value.value : value]))

const userConfig = (raw: JsonObject): JsonObject =>
  Object.fromEntries(Object.entries(raw).filter(([key]) => !INTERNAL_CONFIG_KEYS.has(key)))

const historyKeys = (value: unknown): Effect.Effect<HistoryKeys, DecodeError> =>
  Effect.map(jsonObject("Run", "historyKeys", value, { quotedSpecials: true }), (object) =>
    new HistoryKeys({
      lastStep: typeof object.lastStep === "number" && Number.isFinite(object.lastStep) ? object.lastStep : null,
      keys: isObject(object.keys) ? object.keys : {}
    }))

/** Where an entity lives. @internal */
export interface Coordinates {
  readonly entity: string
  readonly project: string
}

/** @internal */
export const decodeRun = (node: wire.RunNode, at: Coordinates, appUrl: string): Effect.Effect<Run, DecodeError> =>
  Effect.gen(function*() {
    const rawConfig = unwrapConfig(yield* jsonObject("Run", "config", node.config))
    return new Run({
      entity: at.entity,
      project: at.project,
      id: node.name,
      storageId: node.id,
      name: node.displayName,
      state: node.state ?? "unknown",
      tags: node.tags ?? [],
      config: userConfig(rawConfig),
      rawConfig,
      summary: yield* jsonObject("Run", "summaryMetrics", node.summaryMetrics, { quotedSpecials: true }),
      systemMetrics: yield* jsonObject("Run", "systemMetrics", node.systemMetrics, { quotedSpecials: true }),
      createdAt: yield* timestamp("Run", "createdAt", node.createdAt),
      heartbeatAt: yield* optionalTimestamp("Run", "heartbeatAt", node.heartbeatAt),
      notes: node.notes,
      description: node.description,
      readOnly: node.readOnly ?? false,
      user: node.user === null ? null : new RunUser(node.user),
      sweepName: node.sweepName,
      group: node.group,
      jobType: node.jobType,
      commit: node.commit,
      historyLineCount: node.historyLineCount ?? 0,
      historyKeys: yield* historyKeys(node.historyKeys),
      projectId: node.projectId,
      url: appPath(appUrl, at.entity, at.project, "runs", node.name)
    })
  })

/** @internal */
export const decodeProject = (node: wire.ProjectNode, appUrl: string): Effect.Effect<Project, DecodeError> =>
  Effect.map(timestamp("Project", "createdAt", node.createdAt), (createdAt) =>
    new Project({
      id: node.id,
      entity: node.entityName,
      name: node.name,
      createdAt,
      isBenchmark: node.isBenchmark ?? false,
      user: node.user === null ? null : new ProjectUser(node.user),
      url: appPath(appUrl, node.entityName, node.name, "workspace")
    }))

/** @internal */
export const decodeSweep = (node: wire.SweepNode, at: Coordinates, appUrl: string): Effect.Effect<Sweep, DecodeError> =>
  Effect.gen(function*() {
    const config = yield* attempt("Sweep", "config", () => {
      const parsed: unknown = node.config.trim() === "" ? {} : YAML.parse(node.config)
      if (!isObject(parsed)) throw new Error("expected a YAML mapping")
      return parsed
    })
    return new Sweep({
      entity: at.entity,
      project: at.project,
      id: node.name,
      storageId: node.id,
      name: node.displayName,
      method: node.method,
      state: node.state,
      description: node.description,
      bestLoss: node.bestLoss,
      config,
      configYaml: node.config,
      createdAt: yield* timestamp("Sweep", "createdAt", node.createdAt),
      updatedAt: yield* optionalTimestamp("Sweep", "updatedAt", node.updatedAt),
      runCount: node.runCount ?? 0,
      runCountExpected: node.runCountExpected,
      url: appPath(appUrl, at.entity, at.project, "sweeps", node.name)
    })
  })

/** @internal */
export const decodeFile = (
  node: wire.FileNode,
  at: Coordinates & { readonly runId: string }
): Effect.Effect<RunFile, DecodeError> =>
  Effect.map(optionalTimestamp("RunFile", "updatedAt", node.updatedAt), (updatedAt) =>
    new RunFile({
      entity: at.entity,
      project: at.project,
      runId: at.runId,
      id: node.id,
      name: node.name,
      url: node.url,
      directUrl: node.directUrl,
      md5: node.md5,
      mimetype: node.mimetype,
      updatedAt,
      sizeBytes: node.sizeBytes ?? 0
    }))

/** @internal */
export const decodeViewer = (node: typeof wire.ViewerNode.Type): Viewer =>
  new Viewer({
    id: node.id,
    username: node.username,
    name: node.name,
    email: node.email,
    entity: node.entity,
    teams: (node.teams?.edges ?? []).flatMap((edge) => edge.node === null ? [] : [edge.node.name])
  })
