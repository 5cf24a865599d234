/**
 * The GraphQL schema of the local W&B-compatible server, written with W&B's own type, field and
 * argument names (protocol §2). It covers every document the official Python clients send
 * (see `shared/protocol/official-requests`), so clients can validate their documents against it.
 *
 * @since 0.1.0
 */
import { buildSchema, type GraphQLSchema } from "graphql"

/**
 * The schema in SDL form.
 *
 * @since 0.1.0
 * @category schema
 */
export const schemaSdl: string = `
"A string holding JSON text (may contain bare NaN / Infinity tokens inside the string)."
scalar JSONString
"Any JSON value."
scalar JSON
"A 64-bit integer, sent as a JSON number."
scalar Int64
"An ISO-8601 UTC timestamp."
scalar DateTime

type Query {
  viewer: User
  models(entityName: String, after: String, first: Int): ProjectConnection
  project(name: String, entityName: String): Project
  model(name: String, entityName: String): Project
  entity(name: String): Entity
  serverInfo: ServerInfo
  "Users whose username, name or email contains \`query\` (admins only, as on W&B)."
  users(query: String, first: Int, after: String): UserConnection
}

type Mutation {
  upsertBucket(input: UpsertBucketInput!): UpsertBucketPayload
  upsertModel(input: UpsertModelInput!): UpsertModelPayload
  deleteRun(input: DeleteRunInput!): DeleteRunPayload
  updateRunState(input: UpdateRunStateInput!): UpdateRunStatePayload
  stopRun(input: StopRunInput!): StopRunPayload
  deleteFiles(input: DeleteFilesInput!): DeleteFilesPayload
}

type PageInfo {
  startCursor: String
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
}

type User {
  id: ID!
  name: String!
  username: String
  email: String
  admin: Boolean
  flags: JSONString
  entity: String
  defaultEntity: Entity
  deletedAt: DateTime
  photoUrl: String
  apiKeys: ApiKeyConnection
  teams(first: Int, after: String): EntityConnection
}

type UserEdge {
  node: User
  cursor: String!
}

type UserConnection {
  edges: [UserEdge!]!
  pageInfo: PageInfo!
}

type ApiKey {
  id: ID!
  name: String!
  description: String
}

type ApiKeyEdge {
  node: ApiKey
  cursor: String!
}

type ApiKeyConnection {
  edges: [ApiKeyEdge!]!
  pageInfo: PageInfo!
}

type Entity {
  id: ID!
  name: String!
  isTeam: Boolean!
  projects(first: Int, after: String): ProjectConnection
  available: Boolean
  photoUrl: String
  readOnly: Boolean
  readOnlyAdmin: Boolean
  entityType: String
  privateOnly: Boolean
  storageBytes: Int64
  codeSavingEnabled: Boolean
  defaultAccess: String
  isPaid: Boolean
  members: [Member!]!
}

"A member of an entity (a team's users; a personal entity's owner)."
type Member {
  id: ID
  admin: Boolean
  pending: Boolean
  email: String
  username: String
  name: String!
  photoUrl: String
  accountType: String
  apiKey: String
}

type EntityEdge {
  node: Entity
  cursor: String!
}

type EntityConnection {
  edges: [EntityEdge!]!
  pageInfo: PageInfo!
}

type Project {
  id: ID!
  internalId: ID
  name: String!
  entityName: String!
  entity: Entity!
  description: String
  createdAt: DateTime!
  isBenchmark: Boolean!
  readOnly: Boolean
  access: String
  views: JSONString
  user: User
  runCount(filters: JSONString): Int
  runs(filters: JSONString, after: String, first: Int, order: String): RunConnection
  run(name: String!): Run
  bucket(name: String!): Run
  sweep(sweepName: String!): Sweep
  sweeps(after: String, first: Int, filters: JSONString): SweepConnection
  totalSweeps: Int!
}

type ProjectEdge {
  node: Project
  cursor: String!
}

type ProjectConnection {
  edges: [ProjectEdge!]!
  pageInfo: PageInfo!
}

type Run {
  id: ID!
  name: String!
  projectId: Int
  project: Project
  displayName: String
  sweepName: String
  state: String
  group: String
  jobType: String
  commit: String
  host: String
  readOnly: Boolean
  createdAt: DateTime!
  heartbeatAt: DateTime
  updatedAt: DateTime
  duration: Float
  description: String
  notes: String
  tags: [String!]
  "\`keys\`: only these top-level keys (inferred from W&B's \`wandbConfig(keys:)\`; see the README)."
  config(keys: [String!]): JSONString
  summaryMetrics(keys: [String!]): JSONString
  systemMetrics: JSONString
  historyLineCount: Int
  historyKeys: JSON
  user: User
  fileCount: Int
  files(names: [String], after: String, first: Int, pattern: String): FileConnection
  history(samples: Int, minStep: Int64, maxStep: Int64): [String]
  events(samples: Int): [String]
  sampledHistory(specs: [JSONString!]!): [JSON]
  parquetHistory(liveKeys: [String!]!): ParquetHistory
  "Whether a stop was requested (\`stopRun\`)."
  stopped: Boolean
  logLineCount: Int
  "The console log (the run's \`output.log\`), one node per line."
  logLines(first: Int, after: String, last: Int, useImprovedPagination: Boolean): LogLineConnection
}

type LogLine {
  id: ID!
  number: Int!
  timestamp: DateTime
  level: String
  label: String
  line: String!
}

type LogLineEdge {
  node: LogLine
  cursor: String!
}

type LogLineConnection {
  edges: [LogLineEdge!]!
  pageInfo: PageInfo!
}

type RunEdge {
  node: Run
  cursor: String!
}

type RunConnection {
  totalCount: Int
  edges: [RunEdge!]!
  pageInfo: PageInfo!
}

type ParquetHistory {
  parquetUrls: [String!]
  liveData: [JSON]
}

type File {
  id: ID!
  name: String!
  url(upload: Boolean): String
  directUrl: String
  sizeBytes: Int
  mimetype: String
  updatedAt: DateTime
  md5: String
}

type FileEdge {
  node: File
  cursor: String!
}

type FileConnection {
  edges: [FileEdge!]!
  pageInfo: PageInfo!
}

type Sweep {
  id: ID!
  name: String!
  displayName: String
  method: String!
  state: String!
  description: String
  bestLoss: Float
  config: String!
  createdAt: DateTime!
  updatedAt: DateTime
  runCount: Int!
  runCountExpected: Int
  project: Project
  runs(order: String, after: String, first: Int, filters: JSONString): RunConnection
  agents(first: Int, after: String): AgentConnection
  agent(agentName: String!): Agent
}

type Agent {
  id: ID!
  name: String!
  host: String
  state: String
  totalRuns: Int
  createdAt: DateTime
  heartbeatAt: DateTime
}

type AgentEdge {
  node: Agent
  cursor: String!
}

type AgentConnection {
  edges: [AgentEdge!]!
  pageInfo: PageInfo!
}

type SweepEdge {
  node: Sweep
  cursor: String!
}

type SweepConnection {
  edges: [SweepEdge!]!
  pageInfo: PageInfo!
}

type ServerFeature {
  name: String!
  isEnabled: Boolean!
}

type LocalVersionInfo {
  outOfDate: Boolean!
  latestVersionString: String
  versionOnThisInstanceString: String
}

type ServerInfo {
  features: [ServerFeature!]!
  cliVersionInfo: JSON
  latestLocalVersionInfo: LocalVersionInfo
}

input UpsertBucketInput {
  id: String
  name: String
  groupName: String
  modelName: String
  entityName: String
  description: String
  displayName: String
  notes: String
  commit: String
  config: JSONString
  host: String
  debug: Boolean
  program: String
  repo: String
  jobType: String
  state: String
  sweep: String
  tags: [String]
  summaryMetrics: JSONString
  clientMutationId: String
}

type UpsertBucketPayload {
  bucket: Run
  inserted: Boolean
  updateAvailable: Boolean
  clientMutationId: String
}

input UpsertModelInput {
  id: String
  name: String
  entityName: String
  description: String
  framework: String
  access: String
  views: JSONString
  clientMutationId: String
}

input DeleteRunInput {
  id: ID!
  deleteArtifacts: Boolean
  clientMutationId: String
}

type DeleteRunPayload {
  clientMutationId: String
}

input UpdateRunStateInput {
  id: ID!
  state: String!
  clientMutationId: String
}

type UpdateRunStatePayload {
  success: Boolean
  clientMutationId: String
}

input StopRunInput {
  id: ID!
  clientMutationId: String
}

type StopRunPayload {
  success: Boolean
  clientMutationId: String
}

input DeleteFilesInput {
  files: [ID!]!
  projectId: Int
  clientMutationId: String
}

type DeleteFilesPayload {
  success: Boolean
  clientMutationId: String
}

type UpsertModelPayload {
  project: Project
  model: Project
  inserted: Boolean
  clientMutationId: String
}
`

/**
 * The executable schema built from {@link schemaSdl}. Custom scalars pass values through
 * unchanged (JSON values are already JSON when they reach the response).
 *
 * @since 0.1.0
 * @category schema
 */
export const schema: GraphQLSchema = buildSchema(schemaSdl)

/**
 * {@link schema} without the `keys` arguments of `Run.config` / `Run.summaryMetrics`: a server
 * as the official documents prove W&B to be (`LocalServer.Options.runKeyArguments: false`), to
 * test clients that fall back to whole objects.
 *
 * @since 0.1.0
 * @category schema
 */
export const schemaWithoutRunKeyArguments: GraphQLSchema = buildSchema(
  schemaSdl.replace("config(keys: [String!]): JSONString", "config: JSONString")
    .replace("summaryMetrics(keys: [String!]): JSONString", "summaryMetrics: JSONString")
)
