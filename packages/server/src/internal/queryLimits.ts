/**
 * Cost limits of a GraphQL operation, checked before execution (see the `Limits` module):
 *
 * - {@link checkShape} (per document, cacheable): the deepest field nesting and the widest
 *   selection set, fragments expanded. It runs before graphql-js' own validation, whose
 *   overlapping-fields rule is quadratic in the width of a selection set, so it must not see
 *   thousands of aliases. Fragment cycles are cut (graphql-js' validation reports them).
 * - {@link checkCost} (per request, it reads the variables): caps on `first` and `samples`, and
 *   the complexity estimate — each field counts 1, times the page size of every list it is
 *   inside; `history`/`events` count their `samples`, `sampledHistory` the sum of its specs'
 *   samples, `parquetHistory` a flat cost.
 *
 * Fragments are measured once each (memoised), so a document of fragments spreading each other
 * twice is measured in linear time; its cost still multiplies out, and is refused.
 *
 * @internal
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLNamedType,
  type GraphQLSchema,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode
} from "graphql"
import type { Limits } from "../Limits.js"
import { DEFAULT_SAMPLES } from "./history.js"
import { DEFAULT_PAGE_SIZE } from "./runs.js"

/** Cost of `parquetHistory` (its size is the run's row count, unknown before execution). */
const parquetCost = (limits: Limits): number => Math.ceil(limits.maxSamples / 10)

interface Measure {
  /** Deepest field nesting below (and including) this selection set. */
  readonly depth: number
  /** Fields of this selection set, fragments' fields included. */
  readonly width: number
  /** Widest selection set within. */
  readonly maxWidth: number
  /** Estimated resolved fields. */
  readonly cost: number
}

const ZERO: Measure = { depth: 0, width: 0, maxWidth: 0, cost: 0 }

/** A walk over one document with fragments memoised; `variables` feed the size arguments. */
class Walker {
  readonly fragments = new Map<string, FragmentDefinitionNode>()
  readonly memo = new Map<string, Measure>()
  readonly active = new Set<string>()
  readonly problems: Array<string> = []

  constructor(
    readonly schema: GraphQLSchema,
    readonly limits: Limits,
    readonly variables: Record<string, unknown> | undefined,
    definitions: ReadonlyArray<{ readonly kind: string }>
  ) {
    for (const d of definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) {
        const fragment = d as FragmentDefinitionNode
        this.fragments.set(fragment.name.value, fragment)
      }
    }
  }

  /** An argument's value: a literal, or a variable's value when variables are known. */
  argument(field: FieldNode, name: string): unknown {
    const node = field.arguments?.find((a) => a.name.value === name)?.value
    return node === undefined ? undefined : this.value(node)
  }

  value(node: ValueNode): unknown {
    switch (node.kind) {
      case Kind.VARIABLE:
        return this.variables?.[node.name.value]
      case Kind.INT:
      case Kind.FLOAT:
        return Number(node.value)
      case Kind.STRING:
        return node.value
      case Kind.LIST:
        return node.values.map((v) => this.value(v))
      default:
        return undefined
    }
  }

  /** A size argument checked against its cap (when variables are known), or its default. */
  size(field: FieldNode, name: string, fallback: number, cap: number, capName: string): number {
    const value = this.argument(field, name)
    if (typeof value !== "number" || !Number.isFinite(value)) return fallback
    if (this.variables !== undefined && value > cap) {
      this.problems.push(`${field.name.value}(${name}: ${value}) is over the server's limit ${capName} = ${cap}`)
    }
    return Math.max(0, value)
  }

  /** The cost of a field's own value (lists count their length) and the multiplier of its children. */
  fieldCost(field: FieldNode, hasFirst: boolean): { readonly own: number; readonly times: number } {
    const limits = this.limits
    const name = field.name.value
    if (hasFirst) {
      return { own: 1, times: this.size(field, "first", DEFAULT_PAGE_SIZE, limits.maxPageSize, "maxPageSize") }
    }
    if (name === "history" || name === "events") {
      return { own: this.size(field, "samples", DEFAULT_SAMPLES, limits.maxSamples, "maxSamples"), times: 1 }
    }
    if (name === "sampledHistory") {
      const specs = this.argument(field, "specs")
      const list = Array.isArray(specs) ? specs : [specs]
      return { own: list.reduce<number>((sum, spec) => sum + this.specSamples(spec), 0), times: 1 }
    }
    if (name === "parquetHistory") return { own: parquetCost(limits), times: 1 }
    return { own: 1, times: 1 }
  }

  specSamples(spec: unknown): number {
    let parsed = spec
    if (typeof spec === "string") {
      try {
        parsed = JSON.parse(spec)
      } catch {
        return DEFAULT_SAMPLES
      }
    }
    const samples = typeof parsed === "object" && parsed !== null
      ? (parsed as { readonly samples?: unknown }).samples
      : undefined
    if (typeof samples !== "number" || !Number.isFinite(samples)) return DEFAULT_SAMPLES
    if (this.variables !== undefined && samples > this.limits.maxSamples) {
      this.problems.push(
        `sampledHistory spec samples ${samples} is over the server's limit maxSamples = ${this.limits.maxSamples}`
      )
    }
    return Math.max(0, samples)
  }

  selectionSet(set: SelectionSetNode, type: GraphQLNamedType | undefined): Measure {
    let depth = 0
    let width = 0
    let maxWidth = 0
    let cost = 0
    const add = (m: Measure, asField: boolean) => {
      depth = Math.max(depth, m.depth)
      maxWidth = Math.max(maxWidth, m.maxWidth)
      cost += m.cost
      if (!asField) width += m.width
    }
    for (const selection of set.selections) {
      switch (selection.kind) {
        case Kind.FIELD: {
          width += 1
          add(this.field(selection, type), true)
          break
        }
        case Kind.INLINE_FRAGMENT: {
          const condition = selection.typeCondition === undefined
            ? type
            : this.schema.getType(selection.typeCondition.name.value) ?? undefined
          add(this.selectionSet(selection.selectionSet, condition), false)
          break
        }
        case Kind.FRAGMENT_SPREAD:
          add(this.fragment(selection.name.value), false)
          break
      }
    }
    return { depth, width, maxWidth: Math.max(maxWidth, width), cost }
  }

  field(field: FieldNode, parent: GraphQLNamedType | undefined): Measure {
    const definition = parent !== undefined && isObjectType(parent) ? parent.getFields()[field.name.value] : undefined
    const hasFirst = definition?.args.some((a) => a.name === "first") ?? false
    const { own, times } = this.fieldCost(field, hasFirst)
    if (field.selectionSet === undefined) return { depth: 1, width: 0, maxWidth: 0, cost: own }
    const type = definition === undefined ? undefined : getNamedType(definition.type)
    const children = this.selectionSet(field.selectionSet, type)
    return { depth: children.depth + 1, width: 0, maxWidth: children.maxWidth, cost: own + times * children.cost }
  }

  fragment(name: string): Measure {
    const known = this.memo.get(name)
    if (known !== undefined) return known
    const definition = this.fragments.get(name)
    if (definition === undefined || this.active.has(name)) return ZERO
    this.active.add(name)
    const measure = this.selectionSet(
      definition.selectionSet,
      this.schema.getType(definition.typeCondition.name.value) ?? undefined
    )
    this.active.delete(name)
    this.memo.set(name, measure)
    return measure
  }

  operation(operation: OperationDefinitionNode): Measure {
    const root = operation.operation === "mutation"
      ? this.schema.getMutationType()
      : operation.operation === "subscription"
      ? this.schema.getSubscriptionType()
      : this.schema.getQueryType()
    return this.selectionSet(operation.selectionSet, root ?? undefined)
  }
}

const operations = (definitions: ReadonlyArray<{ readonly kind: string }>): ReadonlyArray<OperationDefinitionNode> =>
  definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)

/**
 * Depth and width of every operation of `document` (independent of variables). Returns the
 * messages of the limits exceeded, empty when none.
 *
 * @internal
 */
export const checkShape = (
  schema: GraphQLSchema,
  limits: Limits,
  document: { readonly definitions: ReadonlyArray<{ readonly kind: string }> }
): ReadonlyArray<string> => {
  const walker = new Walker(schema, limits, undefined, document.definitions)
  const problems: Array<string> = []
  for (const operation of operations(document.definitions)) {
    const measure = walker.operation(operation)
    const name = operation.name?.value ?? "the operation"
    if (measure.depth > limits.maxDepth) {
      problems.push(`${name} nests fields ${measure.depth} deep, over the server's limit maxDepth = ${limits.maxDepth}`)
    }
    if (measure.maxWidth > limits.maxSelections) {
      problems.push(
        `${name} selects ${measure.maxWidth} fields in one selection set, over the server's limit maxSelections = ${limits.maxSelections}`
      )
    }
  }
  return problems
}

/**
 * Caps on `first`/`samples` and the complexity estimate of the operation that will run
 * (`operationName`, or the document's only operation), with the request's variables. Returns
 * the messages of the limits exceeded, empty when none.
 *
 * @internal
 */
export const checkCost = (
  schema: GraphQLSchema,
  limits: Limits,
  document: { readonly definitions: ReadonlyArray<{ readonly kind: string }> },
  operationName: string | undefined,
  variables: Record<string, unknown>
): ReadonlyArray<string> => {
  const walker = new Walker(schema, limits, variables, document.definitions)
  const operation = operations(document.definitions).find((o) =>
    operationName === undefined || o.name?.value === operationName
  )
  if (operation === undefined) return []
  const measure = walker.operation(operation)
  const problems = [...new Set(walker.problems)]
  if (measure.cost > limits.maxComplexity) {
    problems.push(
      `${
        operation.name?.value ?? "the operation"
      } has an estimated cost of ${measure.cost}, over the server's limit maxComplexity = ${limits.maxComplexity} ` +
        "(each field counts 1, times the page size `first` of each list it is in; history counts its samples)"
    )
  }
  return problems
}
