/**
 * The artifact documents of the official Python client (`wandb/sdk/artifacts/_generated/operations.py`
 * at wandb/wandb `b6e2950`; see docs/protocol/artifacts.md), with the schemas of their `data`.
 * Each document is its operation followed by the fragments it spreads, in the generator's layout
 * (`document`), so the strings sent are the official ones character for character; a test
 * compares them with the captures the local server executes (test/fixtures/official-artifact-requests).
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import { operation } from "../GraphQLClient.js"

/** An operation and its fragments as ariadne-codegen lays them out: blank lines between, a final newline. */
const document = (operation: string, ...fragments: ReadonlyArray<string>): string => [operation, ...fragments].join("\n\n") + "\n"

const ARTIFACT_ALIAS_FRAGMENT = `fragment ArtifactAliasFragment on ArtifactAlias {
  __typename
  id
  alias
}`

const ARTIFACT_COLLECTION_FRAGMENT = `fragment ArtifactCollectionFragment on ArtifactCollection {
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
}`

const ARTIFACT_FRAGMENT = `fragment ArtifactFragment on Artifact {
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
}`

const ARTIFACT_MEMBERSHIP_FRAGMENT = `fragment ArtifactMembershipFragment on ArtifactCollectionMembership {
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
}`

const ARTIFACT_TYPE_FRAGMENT = `fragment ArtifactTypeFragment on ArtifactType {
  __typename
  id
  name
  description
  createdAt
}`

const COLLECTION_INFO_FRAGMENT = `fragment CollectionInfoFragment on ArtifactCollection {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}`

const DEFERRED_MANIFEST_FRAGMENT = `fragment DeferredManifestFragment on ArtifactManifest {
  file {
    directUrl
  }
}`

const FILE_FRAGMENT = `fragment FileFragment on File {
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
}`

const FILE_WITH_URL_FRAGMENT = `fragment FileWithUrlFragment on File {
  __typename
  name
  directUrl
}`

const PAGE_INFO_FRAGMENT = `fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}`

const PROJECT_INFO_FRAGMENT = `fragment ProjectInfoFragment on Project {
  id
  internalId
  name
  entity {
    name
  }
}`

const RUN_INFO_FRAGMENT = `fragment RunInfoFragment on Run {
  __typename
  id
  name
  project {
    ...ProjectInfoFragment
  }
}`

const SOURCE_COLLECTION_INFO_FRAGMENT = `fragment SourceCollectionInfoFragment on ArtifactSequence {
  __typename
  name
  project {
    ...ProjectInfoFragment
  }
}`

const TAG_FRAGMENT = `fragment TagFragment on Tag {
  __typename
  id
  name
}`

const ProjectArtifactTypes = document(`
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
}`, ARTIFACT_TYPE_FRAGMENT, PAGE_INFO_FRAGMENT)

const ProjectArtifactType = document(`
query ProjectArtifactType($entity: String!, $project: String!, $type: String!) {
  project(entityName: $entity, name: $project) {
    artifactType(name: $type) {
      ...ArtifactTypeFragment
    }
  }
}`, ARTIFACT_TYPE_FRAGMENT)

const ProjectArtifactCollections = document(`
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
}`, ARTIFACT_COLLECTION_FRAGMENT, PAGE_INFO_FRAGMENT, PROJECT_INFO_FRAGMENT, TAG_FRAGMENT)

const ArtifactTypeArtifactCollections = document(`
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
}`, ARTIFACT_COLLECTION_FRAGMENT, PAGE_INFO_FRAGMENT, PROJECT_INFO_FRAGMENT, TAG_FRAGMENT)

const ProjectArtifactCollection = document(`
query ProjectArtifactCollection($entity: String!, $project: String!, $type: String!, $name: String!) {
  project(entityName: $entity, name: $project) {
    artifactType(name: $type) {
      artifactCollection(name: $name) {
        __typename
        ...ArtifactCollectionFragment
      }
    }
  }
}`, ARTIFACT_COLLECTION_FRAGMENT, PROJECT_INFO_FRAGMENT, TAG_FRAGMENT)

const ProjectArtifacts = document(`
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
}`, ARTIFACT_ALIAS_FRAGMENT, ARTIFACT_FRAGMENT, COLLECTION_INFO_FRAGMENT, PAGE_INFO_FRAGMENT, PROJECT_INFO_FRAGMENT, SOURCE_COLLECTION_INFO_FRAGMENT, TAG_FRAGMENT)

const ArtifactMembershipByName = document(`
query ArtifactMembershipByName($entity: String!, $project: String!, $name: String!, $includeAliases: Boolean = false) {
  project(name: $project, entityName: $entity) {
    artifactCollectionMembership(name: $name) {
      ...ArtifactMembershipFragment
    }
  }
}`, ARTIFACT_ALIAS_FRAGMENT, ARTIFACT_FRAGMENT, ARTIFACT_MEMBERSHIP_FRAGMENT, COLLECTION_INFO_FRAGMENT, PROJECT_INFO_FRAGMENT, SOURCE_COLLECTION_INFO_FRAGMENT, TAG_FRAGMENT)

const ArtifactByID = document(`
query ArtifactByID($id: ID!, $includeAliases: Boolean = true) {
  artifact(id: $id) {
    ...ArtifactFragment
  }
}`, ARTIFACT_ALIAS_FRAGMENT, ARTIFACT_FRAGMENT, COLLECTION_INFO_FRAGMENT, PROJECT_INFO_FRAGMENT, SOURCE_COLLECTION_INFO_FRAGMENT, TAG_FRAGMENT)

const FetchArtifactManifest = document(`
query FetchArtifactManifest($id: ID!) {
  artifact(id: $id) {
    currentManifest {
      ...DeferredManifestFragment
    }
  }
}`, DEFERRED_MANIFEST_FRAGMENT)

const ArtifactMembershipFiles = document(`
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
}`, FILE_FRAGMENT, PAGE_INFO_FRAGMENT)

const GetArtifactMembershipFileUrls = document(`
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
}`, FILE_WITH_URL_FRAGMENT, PAGE_INFO_FRAGMENT)

/** `RunOutputArtifacts` and `RunInputArtifacts`: the same document but for the direction. */
const runArtifacts = (direction: "Output" | "Input") =>
  document(`
query Run${direction}Artifacts($entity: String!, $project: String!, $run: String!, $cursor: String, $perPage: Int, $includeAliases: Boolean = true) {
  project(entityName: $entity, name: $project) {
    run(name: $run) {
      artifacts: ${direction.toLowerCase()}Artifacts(after: $cursor, first: $perPage) {
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
}`, ARTIFACT_ALIAS_FRAGMENT, ARTIFACT_FRAGMENT, COLLECTION_INFO_FRAGMENT, PAGE_INFO_FRAGMENT, PROJECT_INFO_FRAGMENT, SOURCE_COLLECTION_INFO_FRAGMENT, TAG_FRAGMENT)

const RunOutputArtifacts = runArtifacts("Output")

const RunInputArtifacts = runArtifacts("Input")

const ArtifactUsedBy = document(`
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
}`, PROJECT_INFO_FRAGMENT, RUN_INFO_FRAGMENT)

const ArtifactCreatedBy = document(`
query ArtifactCreatedBy($id: ID!) {
  artifact(id: $id) {
    createdBy {
      __typename
      ... on Run {
        ...RunInfoFragment
      }
    }
  }
}`, PROJECT_INFO_FRAGMENT, RUN_INFO_FRAGMENT)

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
