/**
 * A W&B project (`wandb.Api().project(...)`, `projects(...)`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The user who created a project.
 *
 * @since 0.1.0
 * @category models
 */
export class ProjectUser extends Schema.Class<ProjectUser>("@effect-wandb/core/ProjectUser")({
  id: Schema.String,
  name: Schema.NullOr(Schema.String),
  username: Schema.NullOr(Schema.String),
  email: Schema.NullOr(Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class Project extends Schema.Class<Project>("@effect-wandb/core/Project")({
  /** Opaque storage id. */
  id: Schema.String,
  entity: Schema.String,
  name: Schema.String,
  createdAt: Schema.Date,
  isBenchmark: Schema.Boolean,
  user: Schema.NullOr(ProjectUser),
  /** App URL of the project workspace: `{appUrl}/{entity}/{project}/workspace`. */
  url: Schema.String
}) {
  /**
   * `entity/project`.
   *
   * @since 0.1.0
   */
  get path(): string {
    return `${this.entity}/${this.name}`
  }
}
