/**
 * A W&B run (`wandb.Api().run(...)`, items of `runs(...)`).
 *
 * Attribute names follow the Python client: `id` is the short run id (the GraphQL node's
 * `name`), `name` is the display name, `storageId` the opaque node id used by mutations.
 * `config` is flattened from W&B's `{value, desc}` wrappers and excludes the internal keys
 * `_wandb` and `wandb_version`, which stay in `rawConfig` (the unwrapped config as stored).
 * JSON values keep `NaN` / `±Infinity` as numbers and rich `_type` objects as opaque JSON.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { JsonObject } from "./Json.js"

/**
 * The user who created a run.
 *
 * @since 0.1.0
 * @category models
 */
export class RunUser extends Schema.Class<RunUser>("@effect-wandb/core/RunUser")({
  name: Schema.NullOr(Schema.String),
  username: Schema.NullOr(Schema.String)
}) {}

/**
 * What W&B knows about a run's history: the largest `_step` (`null` when nothing was logged)
 * and, per flattened key, the server's key info (e.g. `{ previousValue }`).
 *
 * @since 0.1.0
 * @category models
 */
export class HistoryKeys extends Schema.Class<HistoryKeys>("@effect-wandb/core/HistoryKeys")({
  lastStep: Schema.NullOr(Schema.Number),
  keys: JsonObject
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class Run extends Schema.Class<Run>("@effect-wandb/core/Run")({
  entity: Schema.String,
  project: Schema.String,
  /** The short run id (`3k9x0q2f`). */
  id: Schema.String,
  /** Opaque storage id (GraphQL node `id`), used by updates. */
  storageId: Schema.String,
  /** Display name. */
  name: Schema.NullOr(Schema.String),
  /** `running`, `finished`, `crashed`, `failed`, `killed`, `preempting`, `preempted`, `pending`, … */
  state: Schema.String,
  tags: Schema.Array(Schema.String),
  /** User config, flattened (`{lr: 0.001}`), without `_wandb` / `wandb_version`. */
  config: JsonObject,
  /** Every config key as stored, unwrapped from `{value, desc}` (includes `_wandb`). */
  rawConfig: JsonObject,
  summary: JsonObject,
  systemMetrics: JsonObject,
  createdAt: Schema.Date,
  heartbeatAt: Schema.NullOr(Schema.Date),
  notes: Schema.NullOr(Schema.String),
  description: Schema.NullOr(Schema.String),
  readOnly: Schema.Boolean,
  user: Schema.NullOr(RunUser),
  /** Short id of the sweep the run belongs to. */
  sweepName: Schema.NullOr(Schema.String),
  group: Schema.NullOr(Schema.String),
  jobType: Schema.NullOr(Schema.String),
  commit: Schema.NullOr(Schema.String),
  historyLineCount: Schema.Number,
  historyKeys: HistoryKeys,
  /** Numeric project id. */
  projectId: Schema.NullOr(Schema.Number),
  /** App URL: `{appUrl}/{entity}/{project}/runs/{id}` (segments percent-encoded). */
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

  /**
   * `entity/project/id`, the form every path-taking operation accepts.
   *
   * @since 0.1.0
   */
  get pathString(): string {
    return `${this.entity}/${this.project}/${this.id}`
  }
}
