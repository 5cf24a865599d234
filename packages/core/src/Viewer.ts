/**
 * The user that owns the API key (`wandb.Api().viewer`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category models
 */
export class Viewer extends Schema.Class<Viewer>("@effect-wandb/core/Viewer")({
  /** Opaque user id. */
  id: Schema.String,
  /** Login name. */
  username: Schema.NullOr(Schema.String),
  /** Display name. */
  name: Schema.NullOr(Schema.String),
  email: Schema.NullOr(Schema.String),
  /** The user's default entity (used when a path names no entity and none is configured). */
  entity: Schema.NullOr(Schema.String),
  /** Names of the teams the user belongs to. */
  teams: Schema.Array(Schema.String)
}) {}
