/**
 * Schemas for the free-form JSON values W&B returns (run config, summary, system metrics,
 * sweep config). Values are kept as parsed: numbers (including `NaN` / `±Infinity`), strings,
 * booleans, `null`, arrays and objects. Rich media objects (`{"_type": "image-file", …}`) and
 * any unknown `_type` object are kept as opaque JSON.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A JSON object with arbitrary values.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * @since 0.1.0
 * @category models
 */
export type JsonObject = typeof JsonObject.Type
