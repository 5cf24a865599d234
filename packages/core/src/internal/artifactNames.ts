/**
 * Artifact names as the Python client accepts them (`ArtifactPath.from_str`):
 * `[[entity/]project/]collection[:alias]`, split at the first `:`; the alias may be `latest`,
 * any alias or `vN` (default `latest`). A bare id (base64 of `Artifact:<n>`) names a version
 * by id.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { InvalidPath } from "../Errors.js"

/** What an artifact name says; `undefined` parts come from the defaults. @internal */
export type ArtifactName =
  | {
    readonly _tag: "Name"
    readonly entity: string | undefined
    readonly project: string | undefined
    readonly collection: string
    readonly alias: string
  }
  | { readonly _tag: "Id"; readonly id: string }

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** Whether `text` is an artifact id (base64 of `Artifact:…`). @internal */
export const isArtifactId = (text: string): boolean => {
  if (!BASE64.test(text) || text.length % 4 !== 0) return false
  try {
    return atob(text).startsWith("Artifact:")
  } catch {
    return false
  }
}

/** @internal */
export const parseArtifactName = (input: unknown): Either.Either<ArtifactName, InvalidPath> => {
  const invalid = (reason: string) =>
    Either.left(new InvalidPath({ input: typeof input === "string" ? input : String(input), reason }))
  if (typeof input !== "string" || input.trim() === "") return invalid("expected a non-empty artifact name")
  if (!input.includes(":") && !input.includes("/") && isArtifactId(input)) return Either.right({ _tag: "Id", id: input })
  const colon = input.indexOf(":")
  const path = colon < 0 ? input : input.slice(0, colon)
  const alias = colon < 0 ? "latest" : input.slice(colon + 1)
  if (alias === "") return invalid("the alias after ':' is empty")
  const parts = path.split("/")
  if (parts.length > 3) return invalid("expected [[entity/]project/]name[:alias]")
  if (parts.some((part) => part.trim() === "")) return invalid("a part of the name is empty")
  const [collection, project, entity] = [...parts].reverse() as [string, string?, string?]
  return Either.right({ _tag: "Name", entity, project, collection, alias })
}
