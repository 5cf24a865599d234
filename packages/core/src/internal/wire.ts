/**
 * Schemas of the GraphQL response shapes (what the server sends, before conversion into the
 * public entities). Fields W&B may omit or null are tolerated and defaulted to `null`.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/**
 * A field that may be missing or null. A plain optional key: listings decode thousands of
 * nodes, and a defaulting property transformation costs about three times as much.
 */
const nullish = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

/** Int64 / numeric ids may arrive as JSON numbers or numeric strings. */
const Numeric = Schema.Union(Schema.Number, Schema.NumberFromString)

/**
 * A connection page. Listings pass `Schema.Unknown` for the nodes and validate each node later,
 * after the page has been handed over, so that the next request overlaps the decoding.
 */
const Connection = <A, I>(node: Schema.Schema<A, I>) =>
  Schema.Struct({
    edges: Schema.Array(Schema.Struct({ node, cursor: nullish(Schema.String) })),
    pageInfo: Schema.Struct({ endCursor: nullish(Schema.String), hasNextPage: Schema.Boolean })
  })

/** @internal */
export const ViewerNode = Schema.Struct({
  id: Schema.String,
  name: nullish(Schema.String),
  username: nullish(Schema.String),
  email: nullish(Schema.String),
  entity: nullish(Schema.String),
  teams: nullish(Schema.Struct({ edges: Schema.Array(Schema.Struct({ node: nullish(Schema.Struct({ name: Schema.String })) })) }))
})

/** @internal */
export const ProjectNode = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  entityName: Schema.String,
  createdAt: Schema.String,
  isBenchmark: nullish(Schema.Boolean),
  user: nullish(Schema.Struct({
    id: Schema.String,
    name: nullish(Schema.String),
    username: nullish(Schema.String),
    email: nullish(Schema.String)
  }))
})

/** @internal */
export type ProjectNode = typeof ProjectNode.Type

/** @internal */
export const RunNode = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  projectId: nullish(Numeric),
  displayName: nullish(Schema.String),
  tags: nullish(Schema.Array(Schema.String)),
  sweepName: nullish(Schema.String),
  state: nullish(Schema.String),
  config: nullish(Schema.Unknown),
  group: nullish(Schema.String),
  jobType: nullish(Schema.String),
  commit: nullish(Schema.String),
  readOnly: nullish(Schema.Boolean),
  createdAt: Schema.String,
  heartbeatAt: nullish(Schema.String),
  description: nullish(Schema.String),
  notes: nullish(Schema.String),
  systemMetrics: nullish(Schema.Unknown),
  summaryMetrics: nullish(Schema.Unknown),
  historyLineCount: nullish(Numeric),
  user: nullish(Schema.Struct({ name: nullish(Schema.String), username: nullish(Schema.String) })),
  historyKeys: nullish(Schema.Unknown)
})

/** @internal */
export type RunNode = typeof RunNode.Type

/** @internal */
export const SweepNode = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  displayName: nullish(Schema.String),
  method: nullish(Schema.String),
  state: Schema.String,
  description: nullish(Schema.String),
  bestLoss: nullish(Numeric),
  config: Schema.String,
  createdAt: Schema.String,
  updatedAt: nullish(Schema.String),
  runCount: nullish(Numeric),
  runCountExpected: nullish(Numeric)
})

/** @internal */
export type SweepNode = typeof SweepNode.Type

/** @internal */
export const FileNode = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  url: Schema.String,
  directUrl: nullish(Schema.String),
  sizeBytes: nullish(Numeric),
  mimetype: nullish(Schema.String),
  updatedAt: nullish(Schema.String),
  md5: nullish(Schema.String)
})

/** @internal */
export type FileNode = typeof FileNode.Type

/** @internal */
export const ViewerData = Schema.Struct({ viewer: nullish(ViewerNode) })

/** @internal */
export const DefaultEntityData = Schema.Struct({
  viewer: nullish(Schema.Struct({ id: Schema.String, entity: nullish(Schema.String) }))
})

/** @internal */
export const ProjectsData = Schema.Struct({ models: nullish(Connection(Schema.Unknown)) })

/** @internal */
export const ProjectData = Schema.Struct({ project: nullish(ProjectNode) })

/** @internal */
export const RunsData = Schema.Struct({
  project: nullish(Schema.Struct({ runs: nullish(Connection(Schema.Unknown)) }))
})

/** @internal */
export const RunsCountData = Schema.Struct({ project: nullish(Schema.Struct({ runCount: nullish(Numeric) })) })

/** @internal */
export const RunData = Schema.Struct({ project: nullish(Schema.Struct({ run: nullish(RunNode) })) })

/** @internal */
export const SweepData = Schema.Struct({ project: nullish(Schema.Struct({ sweep: nullish(SweepNode) })) })

/** @internal */
export const RunFilesData = Schema.Struct({
  project: nullish(Schema.Struct({
    run: nullish(Schema.Struct({ files: nullish(Connection(Schema.Unknown)) }))
  }))
})

/** @internal */
export const CreateRunData = Schema.Struct({
  upsertBucket: nullish(Schema.Struct({
    bucket: nullish(Schema.Struct({
      id: Schema.String,
      name: Schema.String,
      project: nullish(Schema.Struct({ name: Schema.String, entity: nullish(Schema.Struct({ name: Schema.String })) }))
    })),
    inserted: nullish(Schema.Boolean)
  }))
})

/** @internal */
export const UpdateRunData = Schema.Struct({
  upsertBucket: nullish(Schema.Struct({ bucket: nullish(RunNode) }))
})

/** @internal */
export const UpdateSummaryData = Schema.Struct({
  upsertBucket: nullish(Schema.Struct({ bucket: nullish(Schema.Struct({ id: Schema.String })) }))
})
