/**
 * How a failure leaves the command line: every typed error of the client becomes one line on
 * stderr and a distinct exit code, so scripts can tell "not found" from "bad key" from "server
 * down" without parsing text.
 *
 * | code | meaning | errors |
 * | ---: | --- | --- |
 * | 0 | success | |
 * | 1 | unexpected failure (a bug) | defects |
 * | 2 | usage or invalid input | command-line validation, `InvalidPath`, `InvalidArgument`, `UnsafeFileName` |
 * | 3 | not found | `EntityNotFound`, `ProjectNotFound`, `RunNotFound`, `SweepNotFound`, `FileNotFound`, `RunDeleted` |
 * | 4 | authentication or permission | `Unauthorized`, `PermissionDenied`, `RunReadOnly` |
 * | 5 | file already exists | `FileAlreadyExists` |
 * | 6 | filter or order rejected by the server | `FilterRejected` |
 * | 7 | network or server failure | `TransportError`, `ServerError`, `RateLimited` |
 * | 8 | unexpected or corrupt data | `DecodeError`, `ChecksumMismatch` |
 * | 9 | local file system | `FileSystemError` |
 * | 130 | interrupted (Ctrl-C, SIGTERM, SIGHUP) | |
 *
 * @since 0.1.0
 */
import type { WandbError } from "@effect-wandb/core/Errors"
import { escapeControls } from "./Output.js"

/**
 * @since 0.1.0
 * @category models
 */
export const ExitCode = {
  Success: 0,
  Unexpected: 1,
  Usage: 2,
  NotFound: 3,
  Auth: 4,
  FileExists: 5,
  FilterRejected: 6,
  Network: 7,
  BadData: 8,
  FileSystem: 9,
  Interrupted: 130
} as const

/**
 * @since 0.1.0
 * @category models
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * The exit code of each typed error.
 *
 * @since 0.1.0
 * @category mapping
 */
export const exitCodes: { readonly [Tag in WandbError["_tag"]]: ExitCode } = {
  InvalidPath: ExitCode.Usage,
  InvalidArgument: ExitCode.Usage,
  UnsafeFileName: ExitCode.Usage,
  EntityNotFound: ExitCode.NotFound,
  ProjectNotFound: ExitCode.NotFound,
  RunNotFound: ExitCode.NotFound,
  SweepNotFound: ExitCode.NotFound,
  FileNotFound: ExitCode.NotFound,
  RunDeleted: ExitCode.NotFound,
  RunReadOnly: ExitCode.Auth,
  Unauthorized: ExitCode.Auth,
  PermissionDenied: ExitCode.Auth,
  FileAlreadyExists: ExitCode.FileExists,
  FilterRejected: ExitCode.FilterRejected,
  TransportError: ExitCode.Network,
  ServerError: ExitCode.Network,
  RateLimited: ExitCode.Network,
  DecodeError: ExitCode.BadData,
  ChecksumMismatch: ExitCode.BadData,
  FileSystemError: ExitCode.FileSystem
}

const hints: { readonly [Tag in WandbError["_tag"]]?: string } = {
  Unauthorized: "check WANDB_API_KEY or --api-key-file",
  FileAlreadyExists: "use --replace to overwrite",
  FilterRejected: "see `effect-wandb runs --help` for the filter syntax",
  TransportError: "is the server at the base URL running? check --base-url or WANDB_BASE_URL"
}

/**
 * The one line printed on stderr for a typed error: `error: <message> (<hint>)`, control
 * characters of server text in the message escaped (see `Output.escapeControls`). The library's
 * own hints that name API options (`replace: true`) are replaced by the command-line flag.
 *
 * @since 0.1.0
 * @category mapping
 */
export const errorLine = (error: WandbError): string => {
  const message = error._tag === "FileAlreadyExists" ? `file already exists: ${error.path}` : error.message
  const hint = hints[error._tag]
  return `error: ${escapeControls(message.replace(/\s+/g, " ").trim())}${hint === undefined ? "" : ` (${hint})`}`
}
