/**
 * The README's "use the Layer in your own tests" example, verbatim in spirit: a seeded server
 * from `LocalServer.layer`, reached with fetch.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { LocalServer } from "../src/index.js"

describe("my program", () => {
  layer(LocalServer.layer({ seed: { runsPerProject: 5 } }), { excludeTestServices: true })("against a local W&B", (it) => {
    it.effect("lists the demo projects and their runs", () =>
      Effect.gen(function*() {
        const { apiKey, baseUrl } = yield* LocalServer.LocalServer
        const response = yield* Effect.promise(() =>
          fetch(`${baseUrl}/graphql`, {
            method: "POST",
            headers: {
              authorization: `Basic ${btoa(`api:${Redacted.value(apiKey)}`)}`,
              "content-type": "application/json"
            },
            body: JSON.stringify({
              query: "{ models(entityName: \"demo\") { edges { node { name runCount runs { edges { node { user { username } } } } } } } }"
            })
          }).then((r) => r.json())
        )
        const projects = response.data.models.edges.map((e: any) => e.node)
        expect(projects).toHaveLength(3)
        for (const project of projects) {
          expect(project.runCount).toBe(5)
          for (const edge of project.runs.edges) expect(edge.node.user).toEqual({ username: "demo-user" })
        }
      }))
  })
})
