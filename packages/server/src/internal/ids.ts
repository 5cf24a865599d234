/**
 * Opaque identifiers the server hands out: storage ids (`Run:v1:{run}:{project}:{entity}` in
 * base64, as W&B does), numeric node ids, page cursors, timestamps and file URLs.
 *
 * @internal
 */
import { BadRequest } from "./badRequest.js"

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64")
const unb64 = (text: string): string => Buffer.from(text, "base64").toString("utf8")

/** Storage id of a run: base64 of `Run:v1:{run}:{project}:{entity}`. @internal */
export const runStorageId = (entity: string, project: string, run: string): string =>
  b64(`Run:v1:${run}:${project}:${entity}`)

/**
 * Decodes a run storage id. Run names never contain `:`; the entity is the last segment and the
 * project is everything between. Returns `undefined` for anything else.
 *
 * @internal
 */
export const decodeRunStorageId = (
  id: string
): { readonly entity: string; readonly project: string; readonly run: string } | undefined => {
  const text = unb64(id)
  if (!text.startsWith("Run:v1:")) return undefined
  const rest = text.slice("Run:v1:".length)
  const first = rest.indexOf(":")
  const last = rest.lastIndexOf(":")
  if (first <= 0 || last <= first + 1 || last === rest.length - 1) return undefined
  return { run: rest.slice(0, first), project: rest.slice(first + 1, last), entity: rest.slice(last + 1) }
}

/** Project id: base64 of `Project:v1:{project}:{entity}`. @internal */
export const projectStorageId = (entity: string, project: string): string => b64(`Project:v1:${project}:${entity}`)

/** Opaque id of a row of some kind: base64 of `{kind}:{id}`. @internal */
export const nodeId = (kind: string, id: number): string => b64(`${kind}:${id}`)

/** Opaque page cursor over any JSON-able position. @internal */
export const encodeCursor = (kind: string, position: unknown): string => b64(`${kind}:${JSON.stringify(position)}`)

/**
 * Decodes a cursor produced by {@link encodeCursor} for the same `kind`; a null/undefined cursor
 * gives `undefined`; anything else fails with a 400.
 *
 * @internal
 */
export const decodeCursor = (kind: string, cursor: string | null | undefined): unknown => {
  if (cursor === null || cursor === undefined || cursor === "") return undefined
  const text = unb64(cursor)
  if (text.startsWith(`${kind}:`)) {
    try {
      return JSON.parse(text.slice(kind.length + 1))
    } catch {
      // fall through to the error below
    }
  }
  throw new BadRequest({ message: `invalid cursor ${JSON.stringify(cursor)}` })
}

/** Now as stored: ISO-8601 UTC without zone designator, second precision. @internal */
export const nowTimestamp = (): string => new Date().toISOString().slice(0, 19)

/**
 * The download URL of a run file: `{baseUrl}/files/{entity}/{project}/{run}/{name}`, every
 * segment percent-encoded, `/` inside `name` kept as a separator.
 *
 * @internal
 */
export const fileUrl = (baseUrl: string, entity: string, project: string, run: string, name: string): string =>
  `${baseUrl}/files/${encodeURIComponent(entity)}/${encodeURIComponent(project)}/${encodeURIComponent(run)}/${
    name.split("/").map(encodeURIComponent).join("/")
  }`

/** The number inside a {@link nodeId} of `kind`, if `id` is one. @internal */
export const decodeNodeId = (kind: string, id: string): number | undefined => {
  const match = new RegExp(`^${kind}:(\\d+)$`).exec(unb64(id))
  return match === null ? undefined : Number(match[1])
}
