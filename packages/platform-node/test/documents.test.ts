/**
 * Every GraphQL document the client sends is valid against the local server's schema (which
 * carries W&B's own type, field and argument names), and variables match what it declares.
 */
import { describe, expect, it } from "@effect/vitest"
import { History, WandbApi } from "@effect-wandb/core"
import { Schema } from "@effect-wandb/server"
import { type FieldNode, type OperationDefinitionNode, parse, validate } from "graphql"

describe("GraphQL documents", () => {
  it("the client has a document for every operation it performs", () => {
    expect(WandbApi.operations.map((operation) => operation.name).sort()).toEqual([
      "GetDefaultEntity",
      "GetProject",
      "GetProjects",
      "GetSweep",
      "GetViewer",
      "Run",
      "RunFiles",
      "Runs",
      "RunsCount",
      "UpsertBucket",
      "UpsertBucket",
      "UpsertBucket"
    ])
  })

  it("history has a document for every history request", () => {
    expect(History.operations.map((operation) => operation.name).sort()).toEqual([
      "HistoryPage",
      "RunFullHistory",
      "RunFullHistory",
      "RunHistoryKeys",
      "RunSampledHistory",
      "SampledHistoryPage"
    ])
  })

  /** The names `field`'s selection set selects (fragment spreads by their fragment's name). */
  const selected = (field: FieldNode | OperationDefinitionNode) =>
    field.selectionSet!.selections.map((selection) => selection.kind === "FragmentSpread" ? `...${selection.name.value}` : (selection as FieldNode).name.value)
  const queryOf = (name: string) =>
    parse(WandbApi.operations.find((operation) => operation.name === name)!.document).definitions[0] as OperationDefinitionNode

  it("a runs page asks for the runs alone, not for the project's count: counting filters every run, page after page", () => {
    const query = queryOf("Runs")
    expect(selected(query)).toEqual(["project"])
    expect(selected(query.selectionSet.selections[0] as FieldNode)).toEqual(["runs"])
  })

  it("a files page asks for the files alone, not for the run's file count: counting covers every file, page after page", () => {
    const query = queryOf("RunFiles")
    const project = query.selectionSet.selections[0] as FieldNode
    expect(selected(project)).toEqual(["run"])
    expect(selected(project.selectionSet!.selections[0] as FieldNode)).toEqual(["...RunFilesFragment"])
  })

  for (const operation of [...WandbApi.operations, ...History.operations]) {
    it(`${operation.name} validates against the server schema`, () => {
      const document = parse(operation.document)
      expect(validate(Schema.schema, document).map((error) => error.message)).toEqual([])
      const definitions = document.definitions.filter(
        (definition): definition is OperationDefinitionNode => definition.kind === "OperationDefinition"
      )
      expect(definitions).toHaveLength(1)
      expect(definitions[0]!.name?.value).toBe(operation.name)
    })
  }
})
