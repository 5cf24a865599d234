/**
 * A file stored with a run (`run.files()`, `run.file(name)`). Named `RunFile` because `File`
 * is a DOM global.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category models
 */
export class RunFile extends Schema.Class<RunFile>("@effect-wandb/core/RunFile")({
  entity: Schema.String,
  project: Schema.String,
  /** Short id of the run the file belongs to. */
  runId: Schema.String,
  /** Opaque storage id. */
  id: Schema.String,
  /** Path of the file inside the run (`media/images/x.png`). */
  name: Schema.String,
  /** Download URL (under the API base URL; needs the API key). */
  url: Schema.String,
  /** Signed storage URL, when the server gives one. */
  directUrl: Schema.NullOr(Schema.String),
  /** Base64 of the raw MD5 digest (W&B's format), when known. */
  md5: Schema.NullOr(Schema.String),
  mimetype: Schema.NullOr(Schema.String),
  updatedAt: Schema.NullOr(Schema.Date),
  /** Size in bytes (`0` when the server does not say). */
  sizeBytes: Schema.Number
}) {
  /**
   * Size in bytes (the Python client's `File.size`).
   *
   * @since 0.1.0
   */
  get size(): number {
    return this.sizeBytes
  }

  /**
   * `entity/project/runId` of the owning run.
   *
   * @since 0.1.0
   */
  get runPath(): string {
    return `${this.entity}/${this.project}/${this.runId}`
  }
}
