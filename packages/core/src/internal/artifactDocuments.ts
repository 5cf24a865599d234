/**
 * The artifact documents of the official Python client, verbatim (`wandb/sdk/artifacts/_generated/operations.py`
 * at wandb/wandb `b6e2950`; see docs/protocol/artifacts.md), with the schemas of their `data`.
 * The local server's tests execute the same strings (test/fixtures/official-artifact-requests).
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import { operation } from "../GraphQLClient.js"

const ProjectArtifactTypes = `
query ProjectArtifactTypes($entity: String!, $project: String!, $cursor: String, $perPage: Int) {
  project(name: $project, entityName: $entity) {
    artifactTypes(after: $cursor, first: $perPage) {
      edges {
        node {
          ...ArtifactTypeFragment
        }
      }
      pageInfo {
        ...PageInfoFragment
      }
    }
  }
}

fragment ArtifactTypeFragment on ArtifactType {
  __typename
  id
  name
  description
  createdAt
}

fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}
`

const ProjectArtifactType = `
query ProjectArtifactType($entity: String!, $project: String!, $type: String!) {
  project(entityName: $entity, name: $project) {
    artifactType(name: $type) {
      ...ArtifactTypeFragment
    }
  }
}

fragment ArtifactTypeFragment on ArtifactType {
  __typename
  id
  name
  description
  createdAt
}
`

const ProjectArtifactCollections = `
query ProjectArtifactCollections($entity: String!, $project: String!, $cursor: String, $perPage: Int, $filters: JSONString, $order: String) {
  project(entityName: $entity, name: $project) {
    artifactCollections(
      after: $cursor
      first: $perPage
      filters: $filters
      order: $order
    ) {
      totalCount @include(if: true)
      pageInfo {
        ...PageInfoFragment
      }
      edges {
        node {
          __typename
          ...ArtifactCollectionFragment
        }
      }
    }
  }
}

fragment ArtifactCollectionFragment on ArtifactCollection {
  __typename
  id
  name
  description
  createdAt
  updatedAt
  project {
    ...ProjectInfoFragment
  }
  type: defaultArtifactType {
    name
  }
  tags {
    edges {
      node {
        ...TagFragment
      }
    }
  }
}

fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment TagFragment on Tag {
  __typename
  id
  name
}
`

const ArtifactTypeArtifactCollections = `
query ArtifactTypeArtifactCollections($entity: String!, $project: String!, $type: String!, $cursor: String, $perPage: Int, $filters: JSONString, $order: String) {
  project(entityName: $entity, name: $project) {
    artifactType(name: $type) {
      artifactCollections(
        after: $cursor
        first: $perPage
        filters: $filters
        order: $order
      ) {
        totalCount
        pageInfo {
          ...PageInfoFragment
        }
        edges {
          node {
            __typename
            ...ArtifactCollectionFragment
          }
        }
      }
    }
  }
}

fragment ArtifactCollectionFragment on ArtifactCollection {
  __typename
  id
  name
  description
  createdAt
  updatedAt
  project {
    ...ProjectInfoFragment
  }
  type: defaultArtifactType {
    name
  }
  tags {
    edges {
      node {
        ...TagFragment
      }
    }
  }
}

fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment TagFragment on Tag {
  __typename
  id
  name
}
`

const ProjectArtifactCollection = `
query ProjectArtifactCollection($entity: String!, $project: String!, $type: String!, $name: String!) {
  project(entityName: $entity, name: $project) {
    artifactType(name: $type) {
      artifactCollection(name: $name) {
        __typename
        ...ArtifactCollectionFragment
      }
    }
  }
}

fragment ArtifactCollectionFragment on ArtifactCollection {
  __typename
  id
  name
  description
  createdAt
  updatedAt
  project {
    ...ProjectInfoFragment
  }
  type: defaultArtifactType {
    name
  }
  tags {
    edges {
      node {
        ...TagFragment
      }
    }
  }
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment TagFragment on Tag {
  __typename
  id
  name
}
`

const ProjectArtifacts = `
query ProjectArtifacts($entity: String!, $project: String!, $type: String!, $collection: String!, $cursor: String, $perPage: Int = 50, $order: String, $filters: JSONString, $includeAliases: Boolean = true) {
  project(entityName: $entity, name: $project) {
    artifactType(name: $type) {
      artifactCollection(name: $collection) {
        __typename
        artifacts(after: $cursor, first: $perPage, order: $order, filters: $filters) {
          totalCount
          pageInfo {
            ...PageInfoFragment
          }
          edges {
            version
            node {
              ...ArtifactFragment
            }
          }
        }
      }
    }
  }
}

fragment ArtifactAliasFragment on ArtifactAlias {
  __typename
  id
  alias
}

fragment ArtifactFragment on Artifact {
  __typename
  id
  artifactSequence {
    ...SourceCollectionInfoFragment
  }
  versionIndex
  artifactType {
    name
  }
  description
  metadata
  ttlDurationSeconds
  ttlIsInherited
  tags {
    ...TagFragment
  }
  historyStep
  state
  size
  digest
  commitHash
  fileCount
  createdAt
  updatedAt
  aliases @include(if: $includeAliases) {
    artifactCollection {
      ...CollectionInfoFragment
    }
    ...ArtifactAliasFragment
  }
}

fragment CollectionInfoFragment on ArtifactCollection {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment SourceCollectionInfoFragment on ArtifactSequence {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment TagFragment on Tag {
  __typename
  id
  name
}
`

const ArtifactMembershipByName = `
query ArtifactMembershipByName($entity: String!, $project: String!, $name: String!, $includeAliases: Boolean = false) {
  project(name: $project, entityName: $entity) {
    artifactCollectionMembership(name: $name) {
      ...ArtifactMembershipFragment
    }
  }
}

fragment ArtifactAliasFragment on ArtifactAlias {
  __typename
  id
  alias
}

fragment ArtifactFragment on Artifact {
  __typename
  id
  artifactSequence {
    ...SourceCollectionInfoFragment
  }
  versionIndex
  artifactType {
    name
  }
  description
  metadata
  ttlDurationSeconds
  ttlIsInherited
  tags {
    ...TagFragment
  }
  historyStep
  state
  size
  digest
  commitHash
  fileCount
  createdAt
  updatedAt
  aliases @include(if: $includeAliases) {
    artifactCollection {
      ...CollectionInfoFragment
    }
    ...ArtifactAliasFragment
  }
}

fragment ArtifactMembershipFragment on ArtifactCollectionMembership {
  __typename
  id
  versionIndex
  aliases {
    ...ArtifactAliasFragment
  }
  artifactCollection {
    ...CollectionInfoFragment
  }
  artifact {
    ...ArtifactFragment
  }
}

fragment CollectionInfoFragment on ArtifactCollection {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment SourceCollectionInfoFragment on ArtifactSequence {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment TagFragment on Tag {
  __typename
  id
  name
}
`

const ArtifactByID = `
query ArtifactByID($id: ID!, $includeAliases: Boolean = true) {
  artifact(id: $id) {
    ...ArtifactFragment
  }
}

fragment ArtifactAliasFragment on ArtifactAlias {
  __typename
  id
  alias
}

fragment ArtifactFragment on Artifact {
  __typename
  id
  artifactSequence {
    ...SourceCollectionInfoFragment
  }
  versionIndex
  artifactType {
    name
  }
  description
  metadata
  ttlDurationSeconds
  ttlIsInherited
  tags {
    ...TagFragment
  }
  historyStep
  state
  size
  digest
  commitHash
  fileCount
  createdAt
  updatedAt
  aliases @include(if: $includeAliases) {
    artifactCollection {
      ...CollectionInfoFragment
    }
    ...ArtifactAliasFragment
  }
}

fragment CollectionInfoFragment on ArtifactCollection {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment SourceCollectionInfoFragment on ArtifactSequence {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment TagFragment on Tag {
  __typename
  id
  name
}
`

const FetchArtifactManifest = `
query FetchArtifactManifest($id: ID!) {
  artifact(id: $id) {
    currentManifest {
      ...DeferredManifestFragment
    }
  }
}

fragment DeferredManifestFragment on ArtifactManifest {
  file {
    directUrl
  }
}
`

const ArtifactMembershipFiles = `
query ArtifactMembershipFiles($entity: String!, $project: String!, $collection: String!, $alias: String!, $fileNames: [String!], $cursor: String, $perPage: Int = 50) {
  project(name: $project, entityName: $entity) {
    artifactCollection(name: $collection) {
      __typename
      artifactMembership(aliasName: $alias) {
        files(names: $fileNames, after: $cursor, first: $perPage) {
          totalCount @include(if: true)
          pageInfo {
            ...PageInfoFragment
          }
          edges {
            node {
              ...FileFragment
            }
          }
        }
      }
    }
  }
}

fragment FileFragment on File {
  __typename
  id
  name: displayName
  url
  sizeBytes
  storagePath
  mimetype
  updatedAt
  digest
  md5
  directUrl
}

fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}
`

const GetArtifactMembershipFileUrls = `
query GetArtifactMembershipFileUrls($entity: String!, $project: String!, $collection: String!, $alias: String!, $cursor: String, $perPage: Int) {
  project(name: $project, entityName: $entity) {
    artifactCollection(name: $collection) {
      __typename
      artifactMembership(aliasName: $alias) {
        files(after: $cursor, first: $perPage) {
          pageInfo {
            ...PageInfoFragment
          }
          edges {
            node {
              ...FileWithUrlFragment
            }
          }
        }
      }
    }
  }
}

fragment FileWithUrlFragment on File {
  __typename
  name
  directUrl
}

fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}
`

const RunOutputArtifacts = `
query RunOutputArtifacts($entity: String!, $project: String!, $run: String!, $cursor: String, $perPage: Int, $includeAliases: Boolean = true) {
  project(entityName: $entity, name: $project) {
    run(name: $run) {
      artifacts: outputArtifacts(after: $cursor, first: $perPage) {
        totalCount
        pageInfo {
          ...PageInfoFragment
        }
        edges {
          node {
            ...ArtifactFragment
          }
        }
      }
    }
  }
}

fragment ArtifactAliasFragment on ArtifactAlias {
  __typename
  id
  alias
}

fragment ArtifactFragment on Artifact {
  __typename
  id
  artifactSequence {
    ...SourceCollectionInfoFragment
  }
  versionIndex
  artifactType {
    name
  }
  description
  metadata
  ttlDurationSeconds
  ttlIsInherited
  tags {
    ...TagFragment
  }
  historyStep
  state
  size
  digest
  commitHash
  fileCount
  createdAt
  updatedAt
  aliases @include(if: $includeAliases) {
    artifactCollection {
      ...CollectionInfoFragment
    }
    ...ArtifactAliasFragment
  }
}

fragment CollectionInfoFragment on ArtifactCollection {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment SourceCollectionInfoFragment on ArtifactSequence {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment TagFragment on Tag {
  __typename
  id
  name
}
`

const RunInputArtifacts = `
query RunInputArtifacts($entity: String!, $project: String!, $run: String!, $cursor: String, $perPage: Int, $includeAliases: Boolean = true) {
  project(entityName: $entity, name: $project) {
    run(name: $run) {
      artifacts: inputArtifacts(after: $cursor, first: $perPage) {
        totalCount
        pageInfo {
          ...PageInfoFragment
        }
        edges {
          node {
            ...ArtifactFragment
          }
        }
      }
    }
  }
}

fragment ArtifactAliasFragment on ArtifactAlias {
  __typename
  id
  alias
}

fragment ArtifactFragment on Artifact {
  __typename
  id
  artifactSequence {
    ...SourceCollectionInfoFragment
  }
  versionIndex
  artifactType {
    name
  }
  description
  metadata
  ttlDurationSeconds
  ttlIsInherited
  tags {
    ...TagFragment
  }
  historyStep
  state
  size
  digest
  commitHash
  fileCount
  createdAt
  updatedAt
  aliases @include(if: $includeAliases) {
    artifactCollection {
      ...CollectionInfoFragment
    }
    ...ArtifactAliasFragment
  }
}

fragment CollectionInfoFragment on ArtifactCollection {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment SourceCollectionInfoFragment on ArtifactSequence {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}

fragment TagFragment on Tag {
  __typename
  id
  name
}
`

const ArtifactUsedBy = `
query ArtifactUsedBy($id: ID!) {
  artifact(id: $id) {
    usedBy {
      edges {
        node {
          ...RunInfoFragment
        }
      }
    }
  }
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment RunInfoFragment on Run {
  __typename
  id
  name
  project {
    ...ProjectInfoFragment
  }
}
`

const ArtifactCreatedBy = `
query ArtifactCreatedBy($id: ID!) {
  artifact(id: $id) {
    createdBy {
      __typename
      ... on Run {
        ...RunInfoFragment
      }
    }
  }
}

fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}

fragment RunInfoFragment on Run {
  __typename
  id
  name
  project {
    ...ProjectInfoFragment
  }
}
`

// ---------------------------------------------------------------------------------------------
// Response schemas (fields W&B may omit or null are tolerated)

const nullish = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))
const Numeric = Schema.Union(Schema.Number, Schema.NumberFromString)

const PageInfo = Schema.Struct({ endCursor: nullish(Schema.String), hasNextPage: Schema.Boolean })

const Connection = <A, I>(node: Schema.Schema<A, I>) =>
  Schema.Struct({
    totalCount: nullish(Numeric),
    pageInfo: PageInfo,
    edges: Schema.Array(Schema.Struct({ node: nullish(node), version: nullish(Schema.String) }))
  })

const ProjectInfo = Schema.Struct({ name: Schema.String, entity: Schema.Struct({ name: Schema.String }) })

const CollectionInfo = Schema.Struct({ name: Schema.String, project: nullish(ProjectInfo) })

const Alias = Schema.Struct({ alias: Schema.String, artifactCollection: nullish(CollectionInfo) })

/** @internal */
export const ArtifactNode = Schema.Struct({
  id: Schema.String,
  artifactSequence: CollectionInfo,
  versionIndex: nullish(Numeric),
  artifactType: Schema.Struct({ name: Schema.String }),
  description: nullish(Schema.String),
  metadata: nullish(Schema.String),
  ttlDurationSeconds: nullish(Numeric),
  tags: nullish(Schema.Array(Schema.Struct({ name: Schema.String }))),
  historyStep: nullish(Numeric),
  state: Schema.String,
  size: Numeric,
  digest: Schema.String,
  commitHash: nullish(Schema.String),
  fileCount: nullish(Numeric),
  createdAt: Schema.String,
  updatedAt: nullish(Schema.String),
  aliases: nullish(Schema.Array(Alias))
})

/** @internal */
export type ArtifactNode = typeof ArtifactNode.Type

/** @internal */
export const TypeNode = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  description: nullish(Schema.String),
  createdAt: Schema.String
})

/** @internal */
export const CollectionNode = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  description: nullish(Schema.String),
  createdAt: Schema.String,
  updatedAt: nullish(Schema.String),
  project: nullish(ProjectInfo),
  type: Schema.Struct({ name: Schema.String }),
  tags: nullish(Schema.Struct({ edges: Schema.Array(Schema.Struct({ node: nullish(Schema.Struct({ name: Schema.String })) })) }))
})

/** @internal */
export const FileNode = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  url: nullish(Schema.String),
  directUrl: nullish(Schema.String),
  sizeBytes: nullish(Numeric),
  storagePath: nullish(Schema.String),
  mimetype: nullish(Schema.String),
  updatedAt: nullish(Schema.String),
  digest: nullish(Schema.String),
  md5: nullish(Schema.String)
})

/** @internal */
export const RunInfo = Schema.Struct({ id: Schema.String, name: Schema.String, project: nullish(ProjectInfo) })

/** `{ project: { …fields } | null }`. */
const project = <A, I>(fields: Schema.Schema<A, I>) => Schema.Struct({ project: nullish(fields) })

/** `{ project: { artifactCollection: { artifactMembership: { …fields } } } }`, each level nullable. */
const membership = <A, I>(fields: Schema.Schema<A, I>) =>
  project(Schema.Struct({ artifactCollection: nullish(Schema.Struct({ artifactMembership: nullish(fields) })) }))

/** @internal */
export const operations = {
  artifactTypes: operation("ProjectArtifactTypes", ProjectArtifactTypes, project(Schema.Struct({ artifactTypes: nullish(Connection(TypeNode)) }))),
  artifactType: operation("ProjectArtifactType", ProjectArtifactType, project(Schema.Struct({ artifactType: nullish(TypeNode) }))),
  collections: operation(
    "ProjectArtifactCollections",
    ProjectArtifactCollections,
    project(Schema.Struct({ artifactCollections: nullish(Connection(CollectionNode)) }))
  ),
  typeCollections: operation(
    "ArtifactTypeArtifactCollections",
    ArtifactTypeArtifactCollections,
    project(Schema.Struct({ artifactType: nullish(Schema.Struct({ artifactCollections: nullish(Connection(CollectionNode)) })) }))
  ),
  collection: operation(
    "ProjectArtifactCollection",
    ProjectArtifactCollection,
    project(Schema.Struct({ artifactType: nullish(Schema.Struct({ artifactCollection: nullish(CollectionNode) })) }))
  ),
  versions: operation(
    "ProjectArtifacts",
    ProjectArtifacts,
    project(Schema.Struct({
      artifactType: nullish(Schema.Struct({
        artifactCollection: nullish(Schema.Struct({ artifacts: nullish(Connection(ArtifactNode)) }))
      }))
    }))
  ),
  membershipByName: operation(
    "ArtifactMembershipByName",
    ArtifactMembershipByName,
    project(Schema.Struct({
      artifactCollectionMembership: nullish(Schema.Struct({
        versionIndex: nullish(Numeric),
        aliases: nullish(Schema.Array(Alias)),
        artifactCollection: nullish(CollectionInfo),
        artifact: nullish(ArtifactNode)
      }))
    }))
  ),
  byId: operation("ArtifactByID", ArtifactByID, Schema.Struct({ artifact: nullish(ArtifactNode) })),
  manifest: operation(
    "FetchArtifactManifest",
    FetchArtifactManifest,
    Schema.Struct({
      artifact: nullish(Schema.Struct({
        currentManifest: nullish(Schema.Struct({ file: Schema.Struct({ directUrl: nullish(Schema.String) }) }))
      }))
    })
  ),
  files: operation("ArtifactMembershipFiles", ArtifactMembershipFiles, membership(Schema.Struct({ files: nullish(Connection(FileNode)) }))),
  fileUrls: operation(
    "GetArtifactMembershipFileUrls",
    GetArtifactMembershipFileUrls,
    membership(Schema.Struct({ files: nullish(Connection(Schema.Struct({ name: Schema.String, directUrl: Schema.String }))) }))
  ),
  outputs: operation(
    "RunOutputArtifacts",
    RunOutputArtifacts,
    project(Schema.Struct({ run: nullish(Schema.Struct({ artifacts: nullish(Connection(ArtifactNode)) })) }))
  ),
  inputs: operation(
    "RunInputArtifacts",
    RunInputArtifacts,
    project(Schema.Struct({ run: nullish(Schema.Struct({ artifacts: nullish(Connection(ArtifactNode)) })) }))
  ),
  usedBy: operation(
    "ArtifactUsedBy",
    ArtifactUsedBy,
    Schema.Struct({ artifact: nullish(Schema.Struct({ usedBy: Schema.Struct({ edges: Schema.Array(Schema.Struct({ node: nullish(RunInfo) })) }) })) })
  ),
  createdBy: operation(
    "ArtifactCreatedBy",
    ArtifactCreatedBy,
    Schema.Struct({
      artifact: nullish(Schema.Struct({
        createdBy: nullish(Schema.Struct({ __typename: Schema.String, id: Schema.optional(Schema.String), name: Schema.optional(Schema.String), project: nullish(ProjectInfo) }))
      }))
    })
  )
} as const
