/**
 * Path parsing (protocol §5.10). Parsing is pure; filling missing parts with defaults happens
 * in the API service, which knows the configuration and the viewer.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { InvalidPath } from "../Errors.js"

/** The parts a path names; `undefined` = not given. @internal */
export interface PathParts {
  readonly entity: string | undefined
  readonly project: string | undefined
  readonly id: string | undefined
}

/**
 * A path as the API functions take it: `"entity/project/id"`, or its parts as an array
 * (`["entity", "project", "id"]`, Python's habit), each part a non-empty string without `/`.
 *
 * @internal
 */
export type PathInput = string | ReadonlyArray<string>

/** The input as text for an `InvalidPath` (whatever a caller passed at run time). */
const shown = (input: unknown): string => {
  if (typeof input === "string") return input
  try {
    return JSON.stringify(input) ?? String(input)
  } catch {
    return String(input)
  }
}

/**
 * The path as one string: a string as is, an array of parts joined with `/`; anything else (or
 * a part that is not a non-empty string without `/`) is `InvalidPath`.
 *
 * @internal
 */
export const pathText = (input: unknown): Either.Either<string, InvalidPath> => {
  if (typeof input === "string") return Either.right(input)
  if (!Array.isArray(input)) {
    return Either.left(
      new InvalidPath({ input: shown(input), reason: "a path is a string or an array of strings" })
    )
  }
  for (const part of input as ReadonlyArray<unknown>) {
    if (typeof part !== "string" || part === "" || part.includes("/")) {
      return Either.left(
        new InvalidPath({ input: shown(input), reason: "each part of a path array is a non-empty string without '/'" })
      )
    }
  }
  return Either.right(input.join("/"))
}

const segments = (input: string): Either.Either<ReadonlyArray<string>, InvalidPath> => {
  const trimmed = input.trim().replace(/^\/+|\/+$/g, "")
  if (trimmed === "") return Either.right([])
  const parts = trimmed.split("/")
  if (parts.some((part) => part.trim() === "")) {
    return Either.left(new InvalidPath({ input, reason: "empty path segment" }))
  }
  if (parts.some((part) => part !== part.trim())) {
    return Either.left(new InvalidPath({ input, reason: "path segments must not start or end with spaces" }))
  }
  return Either.right(parts)
}

/**
 * `entity/project/id`, `entity/project/<kind>/id`, `entity/project:id`, `project/id`,
 * `project:id`, `id` (as a string or an array of parts); the empty path names nothing.
 *
 * @internal
 */
export const parseObjectPath = (path: PathInput, kind: "runs" | "sweeps"): Either.Either<PathParts, InvalidPath> =>
  Either.flatMap(pathText(path), (input) => parseObjectText(input, kind))

const parseObjectText = (input: string, kind: "runs" | "sweeps"): Either.Either<PathParts, InvalidPath> =>
  Either.flatMap(segments(input), (parts): Either.Either<PathParts, InvalidPath> => {
    const withoutKind = parts.length === 4 && parts[2] === kind ? [parts[0]!, parts[1]!, parts[3]!] : parts
    const last = withoutKind[withoutKind.length - 1]
    let all: ReadonlyArray<string> = withoutKind
    if (last !== undefined && last.includes(":")) {
      const pieces = last.split(":")
      if (pieces.length !== 2 || pieces[0] === "" || pieces[1] === "") {
        return Either.left(new InvalidPath({ input, reason: "expected project:id" }))
      }
      all = [...withoutKind.slice(0, -1), pieces[0]!, pieces[1]!]
    }
    switch (all.length) {
      case 0:
        return Either.right({ entity: undefined, project: undefined, id: undefined })
      case 1:
        return Either.right({ entity: undefined, project: undefined, id: all[0] })
      case 2:
        return Either.right({ entity: undefined, project: all[0], id: all[1] })
      case 3:
        return Either.right({ entity: all[0], project: all[1], id: all[2] })
      default:
        return Either.left(
          new InvalidPath({ input, reason: `expected entity/project/${kind === "runs" ? "run_id" : "sweep_id"}` })
        )
    }
  })

/**
 * `entity/project` or `project`; the empty path names nothing.
 *
 * @internal
 */
export const parseProjectPath = (path: PathInput): Either.Either<Omit<PathParts, "id">, InvalidPath> =>
  Either.flatMap(pathText(path), parseProjectText)

const parseProjectText = (input: string): Either.Either<Omit<PathParts, "id">, InvalidPath> =>
  Either.flatMap(segments(input), (parts): Either.Either<Omit<PathParts, "id">, InvalidPath> => {
    if (parts.some((part) => part.includes(":"))) {
      return Either.left(new InvalidPath({ input, reason: "a project path has no run id (no ':')" }))
    }
    switch (parts.length) {
      case 0:
        return Either.right({ entity: undefined, project: undefined })
      case 1:
        return Either.right({ entity: undefined, project: parts[0] })
      case 2:
        return Either.right({ entity: parts[0], project: parts[1] })
      default:
        return Either.left(new InvalidPath({ input, reason: "expected entity/project" }))
    }
  })
