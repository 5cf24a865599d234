/**
 * Conversion of response nodes into the public entities: JSON strings parsed leniently,
 * config flattened, timestamps read as UTC, URLs derived. A value that cannot be read is a
 * `DecodeError` naming the entity and field.
 *
 * The converters are plain synchronous functions that throw `DecodeError` (a listing page
 * converts many nodes; {@link decodeAll} turns a page into one Effect). Entities are built
 * without re-validation: every field has just been checked by the response schema.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as YAML from "yaml"
import { DecodeError } from "../Errors.js"
import type { JsonObject } from "../Json.js"
import * as LenientJson from "../LenientJson.js"
import { Project, ProjectUser } from "../Project.js"
import { HistoryKeys, Run, RunUser } from "../Run.js"
import { RunFile } from "../RunFile.js"
import { Sweep } from "../Sweep.js"
import { Viewer } from "../Viewer.js"
import { identityGuard } from "./schemaGuard.js"
import * as wire from "./wire.js"

/** Internal config keys kept only in `rawConfig`. */
const INTERNAL_CONFIG_KEYS = new Set(["_wandb", "wandb_version"])

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/** Runs `f`, turning whatever it throws into a `DecodeError` for `entity.field`. */
const attempt = <A>(entity: string, field: string, f: () => A): A => {
  try {
    return f()
  } catch (cause) {
    throw new DecodeError({ entity, field, reason: cause instanceof Error ? cause.message : String(cause) })
  }
}

/**
 * The `DecodeError` for a schema failure: the first issue's path (after `prefix`) is the field.
 *
 * @internal
 */
export const fromParseError = (entity: string, prefix: string, error: ParseResult.ParseError): DecodeError => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  const path = [prefix, ...(issue?.path ?? [])].filter((part) => part !== "").join(".")
  return new DecodeError({ entity, field: path === "" ? "(value)" : path, reason: issue?.message ?? error.message })
}

/**
 * A synchronous validator that throws `DecodeError` naming `entity` and the field. A value the
 * schema would return as it is skips the (much slower) schema interpreter.
 */
const validator = <A, I>(schema: Schema.Schema<A, I>, entity: string) => {
  const unchanged = identityGuard(schema.ast)
  const decode = Schema.decodeUnknownEither(schema)
  return (value: unknown): A =>
    unchanged(value)
      ? value as A
      : Either.getOrThrowWith(decode(value), (error) => fromParseError(entity, "", error))
}

const runNode = validator(wire.RunNode, "Run")
const projectNode = validator(wire.ProjectNode, "Project")
const fileNode = validator(wire.FileNode, "RunFile")

/**
 * Converts every item, failing with the first `DecodeError`.
 *
 * @internal
 */
export const decodeAll = <I, A>(items: ReadonlyArray<I>, f: (item: I) => A): Effect.Effect<Array<A>, DecodeError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(items.map(f))
    } catch (error) {
      return error instanceof DecodeError ? Effect.fail(error) : Effect.die(error)
    }
  })

/**
 * Converts one item, failing with a `DecodeError`.
 *
 * @internal
 */
export const decodeOne = <I, A>(item: I, f: (item: I) => A): Effect.Effect<A, DecodeError> =>
  Effect.map(decodeAll([item], f), (all) => all[0]!)

/**
 * Reads a JSON object that W&B sends as JSON text (or, tolerated, as an object already).
 * `null`, missing or empty text is `{}`.
 *
 * @internal
 */
export const jsonObject = (
  entity: string,
  field: string,
  value: unknown,
  options?: { readonly quotedSpecials?: boolean }
): JsonObject =>
  attempt(entity, field, () => {
    if (value === null || value === undefined || value === "") return {}
    const parsed = typeof value === "string" ? LenientJson.parse(value, options) : value
    if (parsed === null) return {}
    if (!isObject(parsed)) throw new Error(`expected a JSON object, got ${Array.isArray(parsed) ? "an array" : typeof parsed}`)
    return parsed
  })

/**
 * ISO-8601 timestamp; without a zone designator it is UTC (W&B's run timestamps).
 *
 * @internal
 */
export const timestamp = (entity: string, field: string, value: string): Date =>
  attempt(entity, field, () => {
    const text = value.trim()
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) || !text.includes("T") ? text : `${text}Z`
    const date = new Date(zoned)
    if (Number.isNaN(date.getTime())) throw new Error(`not an ISO-8601 timestamp: ${JSON.stringify(value)}`)
    return date
  })

/** @internal */
export const optionalTimestamp = (entity: string, field: string, value: string | null): Date | null =>
  value === null ? null : timestamp(entity, field, value)

/** Percent-encodes every character but `A-Z a-z 0-9 _ . - ~` (Python's `quote(s, safe="")`). */
const encodeSegment = (segment: string): string =>
  UNRESERVED.test(segment)
    ? segment
    : encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const UNRESERVED = /^[A-Za-z0-9_.~-]*$/

/** @internal */
export const appPath = (appUrl: string, ...segments: ReadonlyArray<string>): string =>
  [appUrl, ...segments.map(encodeSegment)].join("/")

/**
 * `rawConfig`: every key, `{value, desc}` wrappers unwrapped (other values as they are);
 * `config`: the same without the internal keys. Plain loops: this runs for every listed run.
 *
 * @internal
 */
export const configs = (stored: JsonObject): { readonly rawConfig: JsonObject; readonly config: JsonObject } => {
  const rawConfig: Record<string, unknown> = {}
  const config: Record<string, unknown> = {}
  for (const key of Object.keys(stored)) {
    const wrapped = stored[key]
    const value = isObject(wrapped) && "value" in wrapped ? wrapped.value : wrapped
    put(rawConfig, key, value)
    if (!INTERNAL_CONFIG_KEYS.has(key)) put(config, key, value)
  }
  return { rawConfig, config }
}

/** `object[key] = value`, also for a key `__proto__` (an own property, as `JSON.parse` makes it). */
const put = (object: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
  else object[key] = value
}

const historyKeys = (value: unknown): HistoryKeys => {
  const object = jsonObject("Run", "historyKeys", value, { quotedSpecials: true })
  return new HistoryKeys({
    lastStep: typeof object.lastStep === "number" && Number.isFinite(object.lastStep) ? object.lastStep : null,
    keys: isObject(object.keys) ? object.keys : {}
  }, true)
}

/** Where an entity lives. @internal */
export interface Coordinates {
  readonly entity: string
  readonly project: string
}

/**
 * Where a run or sweep lives and what it is called: the node's `name` is the short id.
 *
 * @internal
 */
export const identity = (
  node: { readonly id: string; readonly name: string; readonly displayName?: string | null | undefined },
  at: Coordinates
) => ({ entity: at.entity, project: at.project, id: node.name, storageId: node.id, name: node.displayName ?? null })

/** @internal */
export const decodeRun = (node: wire.RunNode, at: Coordinates, appUrl: string): Run => {
  const { config, rawConfig } = configs(jsonObject("Run", "config", node.config))
  // fields spelled out: spreading into this literal makes every listing ~3x slower (V8)
  return new Run({
    entity: at.entity,
    project: at.project,
    id: node.name,
    storageId: node.id,
    name: node.displayName ?? null,
    state: node.state ?? "unknown",
    tags: node.tags ?? [],
    config,
    rawConfig,
    summary: jsonObject("Run", "summaryMetrics", node.summaryMetrics, { quotedSpecials: true }),
    systemMetrics: jsonObject("Run", "systemMetrics", node.systemMetrics, { quotedSpecials: true }),
    createdAt: timestamp("Run", "createdAt", node.createdAt),
    heartbeatAt: optionalTimestamp("Run", "heartbeatAt", node.heartbeatAt ?? null),
    notes: node.notes ?? null,
    description: node.description ?? null,
    readOnly: node.readOnly ?? false,
    user: node.user == null ? null : new RunUser({ name: node.user.name ?? null, username: node.user.username ?? null }, true),
    sweepName: node.sweepName ?? null,
    group: node.group ?? null,
    jobType: node.jobType ?? null,
    commit: node.commit ?? null,
    historyLineCount: node.historyLineCount ?? 0,
    historyKeys: historyKeys(node.historyKeys),
    projectId: node.projectId ?? null,
    url: appPath(appUrl, at.entity, at.project, "runs", node.name)
  }, true)
}

/** @internal */
export const decodeProject = (node: wire.ProjectNode, appUrl: string): Project =>
  new Project({
    id: node.id,
    entity: node.entityName,
    name: node.name,
    createdAt: timestamp("Project", "createdAt", node.createdAt),
    isBenchmark: node.isBenchmark ?? false,
    user: node.user == null
      ? null
      : new ProjectUser({
        id: node.user.id,
        name: node.user.name ?? null,
        username: node.user.username ?? null,
        email: node.user.email ?? null
      }, true),
    url: appPath(appUrl, node.entityName, node.name, "workspace")
  }, true)

/** @internal */
export const decodeSweep = (node: wire.SweepNode, at: Coordinates, appUrl: string): Sweep => {
  const config = attempt("Sweep", "config", () => {
    const parsed: unknown = node.config.trim() === "" ? {} : YAML.parse(node.config)
    if (!isObject(parsed)) throw new Error("expected a YAML mapping")
    return parsed
  })
  return new Sweep({
    ...identity(node, at),
    method: node.method ?? null,
    state: node.state,
    description: node.description ?? null,
    bestLoss: node.bestLoss ?? null,
    config,
    configYaml: node.config,
    createdAt: timestamp("Sweep", "createdAt", node.createdAt),
    updatedAt: optionalTimestamp("Sweep", "updatedAt", node.updatedAt ?? null),
    runCount: node.runCount ?? 0,
    runCountExpected: node.runCountExpected ?? null,
    url: appPath(appUrl, at.entity, at.project, "sweeps", node.name)
  }, true)
}

/** @internal */
export const decodeFile = (node: wire.FileNode, at: Coordinates & { readonly runId: string }): RunFile =>
  new RunFile({
      entity: at.entity,
      project: at.project,
      runId: at.runId,
      id: node.id,
      name: node.name,
      url: node.url,
      directUrl: node.directUrl ?? null,
      md5: node.md5 ?? null,
      mimetype: node.mimetype ?? null,
      updatedAt: optionalTimestamp("RunFile", "updatedAt", node.updatedAt ?? null),
      sizeBytes: node.sizeBytes ?? 0
  }, true)

/** A run node of a listing, validated here. @internal */
export const decodeRunNode = (value: unknown, at: Coordinates, appUrl: string): Run =>
  decodeRun(runNode(value), at, appUrl)

/** A project node of a listing, validated here. @internal */
export const decodeProjectNode = (value: unknown, appUrl: string): Project => decodeProject(projectNode(value), appUrl)

/** A file node of a listing, validated here. @internal */
export const decodeFileNode = (value: unknown, at: Coordinates & { readonly runId: string }): RunFile =>
  decodeFile(fileNode(value), at)

/** @internal */
export const decodeViewer = (node: typeof wire.ViewerNode.Type): Viewer =>
  new Viewer({
    id: node.id,
    username: node.username ?? null,
    name: node.name ?? null,
    email: node.email ?? null,
    entity: node.entity ?? null,
    teams: (node.teams?.edges ?? []).flatMap((edge) => edge.node == null ? [] : [edge.node.name])
  }, true)
