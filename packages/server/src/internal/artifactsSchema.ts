/**
 * The artifact part of the GraphQL schema, with W&B's names: enough for every artifact
 * document of the official client (see docs/protocol/artifacts.md), as extensions of the
 * core schema's `Query`, `Project`, `Run`, `File` and `FileConnection`.
 *
 * @internal
 */
import { type GraphQLSchema, isAbstractType } from "graphql"

/** The fields of every collection (the interface and its implementation repeat them, as SDL requires). */
const collectionFields = `
  id: ID!
  name: String!
  description: String
  createdAt: DateTime!
  updatedAt: DateTime
  project: Project
  defaultArtifactType: ArtifactType!
  tags: TagConnection!
  aliases(after: String, first: Int): ArtifactAliasConnection!
  artifacts(after: String, first: Int, order: String, filters: JSONString): VersionedArtifactConnection
  artifactMembership(aliasName: String!): ArtifactCollectionMembership
`

/** @internal */
export const artifactsSdl = `
extend type Query {
  artifact(id: ID!): Artifact
  artifactCollection(id: ID!): ArtifactCollection
}

extend type Project {
  artifactTypes(after: String, first: Int): ArtifactTypeConnection
  artifactType(name: String!): ArtifactType
  artifactCollections(after: String, first: Int, filters: JSONString, order: String): ArtifactCollectionConnection
  artifactCollection(name: String!): ArtifactCollection
  artifactCollectionMembership(name: String!): ArtifactCollectionMembership
  artifact(name: String!): Artifact
}

extend type Run {
  outputArtifacts(after: String, first: Int): ArtifactConnection
  inputArtifacts(after: String, first: Int): ArtifactConnection
}

extend type File {
  displayName: String
  storagePath: String
  digest: String
}

extend type FileConnection {
  totalCount: Int
}

enum ArtifactState {
  PENDING
  COMMITTED
  DELETED
}

type Tag {
  id: ID!
  name: String!
}

type TagEdge {
  node: Tag
  cursor: String!
}

type TagConnection {
  edges: [TagEdge!]!
  pageInfo: PageInfo!
}

type ArtifactType {
  id: ID!
  name: String!
  description: String
  createdAt: DateTime!
  project: Project
  artifactCollections(after: String, first: Int, filters: JSONString, order: String): ArtifactCollectionConnection
  artifactCollection(name: String!): ArtifactCollection
}

type ArtifactTypeEdge {
  node: ArtifactType
  cursor: String!
}

type ArtifactTypeConnection {
  totalCount: Int
  edges: [ArtifactTypeEdge!]!
  pageInfo: PageInfo!
}

interface ArtifactCollection {
${collectionFields}}

type ArtifactSequence implements ArtifactCollection {
${collectionFields}}

type ArtifactCollectionEdge {
  node: ArtifactCollection
  cursor: String!
}

type ArtifactCollectionConnection {
  totalCount: Int!
  edges: [ArtifactCollectionEdge!]!
  pageInfo: PageInfo!
}

type ArtifactAlias {
  id: ID!
  alias: String!
  artifactCollection: ArtifactCollection
}

type ArtifactAliasEdge {
  node: ArtifactAlias
  cursor: String!
}

type ArtifactAliasConnection {
  edges: [ArtifactAliasEdge!]!
  pageInfo: PageInfo!
}

type ArtifactCollectionMembership {
  id: ID!
  versionIndex: Int
  aliases: [ArtifactAlias!]!
  artifactCollection: ArtifactCollection
  artifact: Artifact
  files(names: [String!], after: String, first: Int): FileConnection
}

type ArtifactManifest {
  id: ID!
  file: File!
}

union ArtifactCreator = Run | User

type Artifact {
  id: ID!
  artifactSequence: ArtifactSequence!
  versionIndex: Int
  artifactType: ArtifactType!
  description: String
  metadata: JSONString
  ttlDurationSeconds: Int64
  ttlIsInherited: Boolean
  tags: [Tag!]!
  historyStep: Int64
  state: ArtifactState!
  size: Int64!
  digest: String!
  commitHash: String
  fileCount: Int64!
  createdAt: DateTime!
  updatedAt: DateTime
  aliases: [ArtifactAlias!]!
  currentManifest: ArtifactManifest
  files(names: [String!], after: String, first: Int): FileConnection
  usedBy(after: String, first: Int): RunConnection!
  createdBy: ArtifactCreator
}

type ArtifactEdge {
  node: Artifact
  cursor: String!
}

type ArtifactConnection {
  totalCount: Int!
  edges: [ArtifactEdge!]!
  pageInfo: PageInfo!
}

type VersionedArtifactEdge {
  node: Artifact!
  version: String!
  cursor: String!
}

type VersionedArtifactConnection {
  totalCount: Int!
  edges: [VersionedArtifactEdge!]!
  pageInfo: PageInfo!
}
`

/** The concrete type of each abstract type: the local server has only sequences and runs. */
const concreteTypes: Record<string, string> = { ArtifactCollection: "ArtifactSequence", ArtifactCreator: "Run" }

/**
 * Sets how the abstract types (`ArtifactCollection`, `ArtifactCreator`) find their concrete
 * type: portfolios and users never occur here.
 *
 * @internal
 */
export const withTypeResolvers = (schema: GraphQLSchema): GraphQLSchema => {
  for (const [name, concrete] of Object.entries(concreteTypes)) {
    const type = schema.getType(name)
    if (type !== undefined && isAbstractType(type)) type.resolveType = () => concrete
  }
  return schema
}
