/**
 * Typed errors of the effect-wandb client. Every public operation fails with a union of these
 * tagged classes (never with a raw platform error), so callers can `Effect.catchTag` exactly
 * what can happen. No error ever carries the API key.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A run/project/sweep path that cannot be parsed, or that leaves a part missing with no
 * configured default to fill it.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidPath extends Schema.TaggedError<InvalidPath>()("InvalidPath", {
  input: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid path ${JSON.stringify(this.input)}: ${this.reason}`
  }
}

/**
 * An argument outside its allowed range or form (page size, samples, order, base URL, …).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgument extends Schema.TaggedError<InvalidArgument>()("InvalidArgument", {
  argument: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid ${this.argument}: ${this.reason}`
  }
}

/**
 * The entity (user or team) does not exist or is not visible to this API key.
 *
 * @since 0.1.0
 * @category errors
 */
export class EntityNotFound extends Schema.TaggedError<EntityNotFound>()("EntityNotFound", {
  entity: Schema.String
}) {
  override get message(): string {
    return `entity not found: ${this.entity}`
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class ProjectNotFound extends Schema.TaggedError<ProjectNotFound>()("ProjectNotFound", {
  entity: Schema.String,
  project: Schema.String
}) {
  override get message(): string {
    return `project not found: ${this.entity}/${this.project}`
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class RunNotFound extends Schema.TaggedError<RunNotFound>()("RunNotFound", {
  entity: Schema.String,
  project: Schema.String,
  runId: Schema.String
}) {
  override get message(): string {
    return `run not found: ${this.entity}/${this.project}/${this.runId}`
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class SweepNotFound extends Schema.TaggedError<SweepNotFound>()("SweepNotFound", {
  entity: Schema.String,
  project: Schema.String,
  sweepId: Schema.String
}) {
  override get message(): string {
    return `sweep not found: ${this.entity}/${this.project}/${this.sweepId}`
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export class FileNotFound extends Schema.TaggedError<FileNotFound>()("FileNotFound", {
  runPath: Schema.String,
  name: Schema.String
}) {
  override get message(): string {
    return `file not found: ${this.name} in run ${this.runPath}`
  }
}

/**
 * The API key is missing, wrong or expired (HTTP 401). Never retried.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  reason: Schema.String
}) {
  override get message(): string {
    return `unauthorized: ${this.reason}`
  }
}

/**
 * The key is valid but may not do this (HTTP 403, or a GraphQL "permission denied").
 *
 * @since 0.1.0
 * @category errors
 */
export class PermissionDenied extends Schema.TaggedError<PermissionDenied>()("PermissionDenied", {
  reason: Schema.String
}) {
  override get message(): string {
    return `permission denied: ${this.reason}`
  }
}

/**
 * A change to a run that no longer exists: it was read (a `Run` value) and has been deleted
 * since, e.g. by another client or an earlier `deleteRun`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RunDeleted extends Schema.TaggedError<RunDeleted>()("RunDeleted", {
  entity: Schema.String,
  project: Schema.String,
  runId: Schema.String
}) {
  override get message(): string {
    return `run already deleted: ${this.entity}/${this.project}/${this.runId}`
  }
}

/**
 * A change to a run the server marks read-only (`readOnly`); nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class RunReadOnly extends Schema.TaggedError<RunReadOnly>()("RunReadOnly", {
  entity: Schema.String,
  project: Schema.String,
  runId: Schema.String
}) {
  override get message(): string {
    return `run is read-only: ${this.entity}/${this.project}/${this.runId}`
  }
}

/**
 * The server refused a runs filter or order (HTTP 400 on a runs listing). Carries the
 * server's own message and the filter that was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class FilterRejected extends Schema.TaggedError<FilterRejected>()("FilterRejected", {
  filters: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `filter rejected by the server: ${this.reason} (filters: ${this.filters})`
  }
}

/**
 * HTTP 429 that outlasted the retry budget.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  attempts: Schema.Number,
  retryAfterMillis: Schema.optional(Schema.Number),
  reason: Schema.String
}) {
  override get message(): string {
    return `rate limited after ${this.attempts} attempt(s): ${this.reason}`
  }
}

/**
 * The server answered with an error status (5xx, or an unexpected 4xx), a non-JSON body, or
 * a GraphQL `errors` payload. `status` is 200 for GraphQL errors delivered with HTTP 200.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  status: Schema.Number,
  attempts: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `server error (HTTP ${this.status}, ${this.attempts} attempt(s)): ${this.reason}`
  }
}

/**
 * The request never got a complete answer: connection refused or reset, timeout, truncated
 * body — after the retry budget was spent.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  attempts: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `transport failure after ${this.attempts} attempt(s): ${this.reason}`
  }
}

/**
 * The server's answer did not have the expected shape. Says which entity and which field.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  entity: Schema.String,
  field: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `could not decode ${this.entity}.${this.field}: ${this.reason}`
  }
}

/**
 * A download target already exists and `replace` was not set. Nothing was fetched or written.
 *
 * @since 0.1.0
 * @category errors
 */
export class FileAlreadyExists extends Schema.TaggedError<FileAlreadyExists>()("FileAlreadyExists", {
  path: Schema.String
}) {
  override get message(): string {
    return `file already exists: ${this.path} (pass replace: true to overwrite)`
  }
}

/**
 * A file name that would escape the download root (`..`, absolute, backslash, NUL, …).
 * Nothing was written.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnsafeFileName extends Schema.TaggedError<UnsafeFileName>()("UnsafeFileName", {
  name: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `unsafe file name ${JSON.stringify(this.name)}: ${this.reason}`
  }
}

/**
 * The downloaded bytes do not match the server's md5 (or size). The partial file was removed
 * and any previous file left intact.
 *
 * @since 0.1.0
 * @category errors
 */
export class ChecksumMismatch extends Schema.TaggedError<ChecksumMismatch>()("ChecksumMismatch", {
  name: Schema.String,
  expected: Schema.String,
  actual: Schema.String
}) {
  override get message(): string {
    return `checksum mismatch for ${this.name}: expected ${this.expected}, got ${this.actual}`
  }
}

/**
 * A local file-system operation failed (permissions, disk full, …).
 *
 * @since 0.1.0
 * @category errors
 */
export class FileSystemError extends Schema.TaggedError<FileSystemError>()("FileSystemError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `file system error at ${this.path}: ${this.reason}`
  }
}

/**
 * Errors that come from talking to the API at all (any operation can fail with these).
 *
 * @since 0.1.0
 * @category errors
 */
export type ApiError = Unauthorized | PermissionDenied | RateLimited | ServerError | TransportError | DecodeError

/**
 * Every error the client can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type WandbError =
  | ApiError
  | InvalidPath
  | InvalidArgument
  | EntityNotFound
  | ProjectNotFound
  | RunNotFound
  | SweepNotFound
  | FileNotFound
  | RunDeleted
  | RunReadOnly
  | FilterRejected
  | FileAlreadyExists
  | UnsafeFileName
  | ChecksumMismatch
  | FileSystemError

/**
 * Schema of {@link WandbError}, e.g. to send errors across a worker or RPC boundary.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WandbError = Schema.Union(
  Unauthorized,
  PermissionDenied,
  RateLimited,
  ServerError,
  TransportError,
  DecodeError,
  InvalidPath,
  InvalidArgument,
  EntityNotFound,
  ProjectNotFound,
  RunNotFound,
  SweepNotFound,
  FileNotFound,
  RunDeleted,
  RunReadOnly,
  FilterRejected,
  FileAlreadyExists,
  UnsafeFileName,
  ChecksumMismatch,
  FileSystemError
)
