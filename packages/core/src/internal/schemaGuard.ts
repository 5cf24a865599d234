/**
 * A fast "nothing to do" check compiled from a schema's AST: `true` only when decoding the value
 * with the schema would succeed and give back the value's own (known) fields unchanged. Listings
 * validate thousands of nodes; the generic `Schema` interpreter costs several microseconds per
 * node, this check a fraction of one. Whatever it does not recognise (transformations,
 * refinements, index signatures, …) it answers `false`, and the caller decodes with the schema,
 * which also produces the precise error.
 *
 * @internal
 */
import * as AST from "effect/SchemaAST"

type Guard = (value: unknown) => boolean

const never: Guard = () => false

const isObject = (value: unknown): value is Record<PropertyKey, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

const hasOwn = Object.prototype.hasOwnProperty

const typeLiteral = (ast: AST.TypeLiteral): Guard => {
  if (ast.indexSignatures.length > 0) return never
  const names = ast.propertySignatures.map((property) => property.name)
  const optional = ast.propertySignatures.map((property) => property.isOptional)
  const guards = ast.propertySignatures.map((property) => compile(property.type))
  return (value) => {
    if (!isObject(value)) return false
    // indexed loops: this runs for every field of every listed node
    for (let i = 0; i < names.length; i++) {
      const field = value[names[i]!]
      if (field === undefined) {
        if (optional[i]) continue
        if (!hasOwn.call(value, names[i]!)) return false
      }
      if (!guards[i]!(field)) return false
    }
    return true
  }
}

const tupleType = (ast: AST.TupleType): Guard => {
  if (ast.elements.length > 0 || ast.rest.length !== 1) return never
  const element = compile(ast.rest[0]!.type)
  return (value) => {
    if (!Array.isArray(value)) return false
    for (let i = 0; i < value.length; i++) if (!element(value[i])) return false
    return true
  }
}

const union = (ast: AST.Union): Guard => {
  const members = ast.types.map(compile)
  return (value) => {
    for (let i = 0; i < members.length; i++) if (members[i]!(value)) return true
    return false
  }
}

const compile = (ast: AST.AST): Guard => {
  // annotations that change how the schema decodes (excess properties, fallbacks): not ours to judge
  if (AST.ParseOptionsAnnotationId in ast.annotations || AST.DecodingFallbackAnnotationId in ast.annotations) return never
  switch (ast._tag) {
    case "StringKeyword":
      return (value) => typeof value === "string"
    case "NumberKeyword":
      return (value) => typeof value === "number"
    case "BooleanKeyword":
      return (value) => typeof value === "boolean"
    case "UnknownKeyword":
    case "AnyKeyword":
      return () => true
    case "UndefinedKeyword":
      return (value) => value === undefined
    case "Literal": {
      const literal = ast.literal
      return (value) => value === literal
    }
    case "TypeLiteral":
      return typeLiteral(ast)
    case "TupleType":
      return tupleType(ast)
    case "Union":
      return union(ast)
    default:
      return never
  }
}

/**
 * The check for `ast`: `true` means decoding succeeds and returns the value's fields as they are.
 *
 * @internal
 */
export const identityGuard = (ast: AST.AST): Guard => compile(ast)
