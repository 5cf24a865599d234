/**
 * A W&B sweep (`wandb.Api().sweep(...)`). Its runs come from `WandbApi.sweepRuns`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { JsonObject } from "./Json.js"

/**
 * @since 0.1.0
 * @category models
 */
export class Sweep extends Schema.Class<Sweep>("@effect-wandb/core/Sweep")({
  entity: Schema.String,
  project: Schema.String,
  /** The sweep short id (`w4x7q1zz`), as in paths and in runs' `sweepName`. */
  id: Schema.String,
  /** Opaque storage id (GraphQL node `id`). */
  storageId: Schema.String,
  /** Display name. */
  name: Schema.NullOr(Schema.String),
  method: Schema.NullOr(Schema.String),
  /** `PENDING`, `RUNNING`, `PAUSED`, `CANCELED`, `FINISHED`. */
  state: Schema.String,
  description: Schema.NullOr(Schema.String),
  bestLoss: Schema.NullOr(Schema.Number),
  /** The sweep configuration, parsed from its YAML text. */
  config: JsonObject,
  /** The sweep configuration as the YAML text W&B stores. */
  configYaml: Schema.String,
  createdAt: Schema.Date,
  updatedAt: Schema.NullOr(Schema.Date),
  runCount: Schema.Number,
  runCountExpected: Schema.NullOr(Schema.Number),
  /** App URL: `{appUrl}/{entity}/{project}/sweeps/{id}`. */
  url: Schema.String
}) {
  /**
   * `[entity, project, id]`.
   *
   * @since 0.1.0
   */
  get path(): readonly [entity: string, project: string, id: string] {
    return [this.entity, this.project, this.id]
  }
}
