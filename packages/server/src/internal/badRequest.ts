/**
 * A request the server refuses as a whole with HTTP 400 and `{"errors":[{"message"}]}`:
 * a rejected runs filter or order, a malformed cursor, spec or argument.
 *
 * @internal
 */
import * as Data from "effect/Data"

/** @internal */
export class BadRequest extends Data.TaggedError("BadRequest")<{ readonly message: string }> {}
