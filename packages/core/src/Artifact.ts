/**
 * Artifacts as the W&B API describes them: types (`dataset`, `model`), collections (the named
 * series of versions in a project), versions (`Artifact`) and the runs of their lineage.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { JsonObject } from "./Json.js"

/**
 * A project's kind of artifact (`dataset`, `model`, …).
 *
 * @since 0.1.0
 * @category models
 */
export class ArtifactType extends Schema.Class<ArtifactType>("@effect-wandb/core/ArtifactType")({
  entity: Schema.String,
  project: Schema.String,
  id: Schema.String,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  createdAt: Schema.Date
}) {}

/**
 * A named series of versions in a project (W&B's artifact sequence), e.g. `training-data`.
 *
 * @since 0.1.0
 * @category models
 */
export class ArtifactCollection extends Schema.Class<ArtifactCollection>("@effect-wandb/core/ArtifactCollection")({
  entity: Schema.String,
  project: Schema.String,
  id: Schema.String,
  name: Schema.String,
  /** The artifact type of its versions. */
  type: Schema.String,
  description: Schema.NullOr(Schema.String),
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
  tags: Schema.Array(Schema.String)
}) {
  /**
   * `entity/project/name`.
   *
   * @since 0.1.0
   */
  get path(): string {
    return `${this.entity}/${this.project}/${this.name}`
  }
}

/**
 * One version of an artifact. `collection` is the collection it was logged to and
 * `versionIndex` its number there (`v{versionIndex}`); `aliases` are the movable names
 * (`latest`, `best`, …) pointing at it. `digest` is the manifest digest, `size` the total bytes.
 *
 * @since 0.1.0
 * @category models
 */
export class Artifact extends Schema.Class<Artifact>("@effect-wandb/core/Artifact")({
  /** Opaque id (what `Artifacts.artifact` also accepts). */
  id: Schema.String,
  entity: Schema.String,
  project: Schema.String,
  collection: Schema.String,
  versionIndex: Schema.Number,
  type: Schema.String,
  description: Schema.NullOr(Schema.String),
  metadata: JsonObject,
  aliases: Schema.Array(Schema.String),
  tags: Schema.Array(Schema.String),
  /** `PENDING`, `COMMITTED` or `DELETED`. */
  state: Schema.String,
  size: Schema.Number,
  digest: Schema.String,
  commitHash: Schema.NullOr(Schema.String),
  fileCount: Schema.Number,
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
  historyStep: Schema.NullOr(Schema.Number),
  ttlDurationSeconds: Schema.NullOr(Schema.Number)
}) {
  /**
   * `v{versionIndex}`.
   *
   * @since 0.1.0
   */
  get version(): string {
    return `v${this.versionIndex}`
  }

  /**
   * `collection:vN` (Python's `Artifact.name`).
   *
   * @since 0.1.0
   */
  get name(): string {
    return `${this.collection}:${this.version}`
  }

  /**
   * `entity/project/collection:vN`, a name `Artifacts.artifact` accepts.
   *
   * @since 0.1.0
   */
  get qualifiedName(): string {
    return `${this.entity}/${this.project}/${this.name}`
  }
}

/**
 * A run in an artifact's lineage (the run that logged it, the runs that used it): enough to
 * fetch it with `WandbApi.run(path)`.
 *
 * @since 0.1.0
 * @category models
 */
export class RunRef extends Schema.Class<RunRef>("@effect-wandb/core/RunRef")({
  entity: Schema.String,
  project: Schema.String,
  /** The run id (its short name). */
  id: Schema.String,
  /** Opaque storage id. */
  storageId: Schema.String
}) {
  /**
   * `entity/project/id`.
   *
   * @since 0.1.0
   */
  get path(): string {
    return `${this.entity}/${this.project}/${this.id}`
  }
}
