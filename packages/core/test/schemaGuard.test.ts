import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { identityGuard } from "../src/internal/schemaGuard.js"
import * as wire from "../src/internal/wire.js"

const run = {
  id: "UnVuOjE=",
  name: "abc123",
  projectId: 7,
  tags: ["a"],
  config: "{}",
  createdAt: "2024-06-13T21:03:23",
  user: { name: "n", username: null },
  historyKeys: { lastStep: 1 }
}

/** Values the guard must agree with the schema on: accepted ones decode to themselves. */
const cases: ReadonlyArray<readonly [string, unknown, boolean]> = [
  ["a complete node", run, true],
  ["optional fields missing", { id: "x", name: "y", createdAt: "t" }, true],
  ["optional field explicitly undefined", { ...run, notes: undefined }, true],
  ["extra fields", { ...run, somethingNew: [1, 2] }, true],
  ["a numeric string id (needs the transformation)", { ...run, projectId: "7" }, false],
  ["a required field missing", { id: "x", createdAt: "t" }, false],
  ["a required field null", { ...run, name: null }, false],
  ["a wrong type in an array", { ...run, tags: ["a", 1] }, false],
  ["a wrong type in a nested struct", { ...run, user: { name: 3 } }, false],
  ["an array instead of a node", [run], false],
  ["null", null, false]
]

describe("identityGuard", () => {
  const guard = identityGuard(wire.RunNode.ast)
  const decode = Schema.decodeUnknownEither(wire.RunNode)

  for (const [label, value, accepted] of cases) {
    it(`${label}: ${accepted ? "accepted" : "left to the schema"}`, () => {
      expect(guard(value)).toBe(accepted)
      if (accepted) {
        const decoded = decode(value)
        expect(Either.isRight(decoded)).toBe(true)
        for (const [key, field] of Object.entries(Either.getOrThrow(decoded))) {
          expect(field).toStrictEqual((value as Record<string, unknown>)[key])
        }
      }
    })
  }

  it("leaves refinements and excess-property options to the schema", () => {
    expect(identityGuard(Schema.String.pipe(Schema.minLength(1)).ast)("")).toBe(false)
    const exact = Schema.Struct({ a: Schema.String }).annotations({ parseOptions: { onExcessProperty: "error" } })
    expect(identityGuard(exact.ast)({ a: "x" })).toBe(false)
  })
})
