/**
 * The documents `Artifacts` sends are the official client's, character for character: the same
 * strings the local server's test executes (packages/server/test/fixtures/official-artifact-requests).
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { artifactOperations } from "../src/Artifacts.js"

const fixture = new URL("../../server/test/fixtures/official-artifact-requests/wandb-b6e2950.jsonl", import.meta.url)
const official = new Map<string, string>(
  readFileSync(fixture, "utf8").split("\n").filter((line) => line.trim() !== "").map((line) => {
    const { operation, query } = JSON.parse(line) as { operation: string; query: string }
    return [operation, query]
  })
)

describe("artifact documents", () => {
  it("sends exactly the official document of each of the 15 operations", () => {
    expect(artifactOperations.map((op) => op.name).sort()).toEqual([...official.keys()].sort())
    for (const op of artifactOperations) expect(op.document, op.name).toBe(official.get(op.name))
  })
})
