/**
 * The object graph graphql-js walks: a root value and node classes whose properties and
 * methods are the schema's fields (graphql-js' default resolver calls a method with
 * `(args, context)`). Nodes wrap plain database rows; reads are issued lazily per field.
 *
 * @internal
 */
import { BadRequest } from "./badRequest.js"
import type { GraphContext } from "./context.js"
import * as History from "./history.js"
import * as Lifecycle from "./lifecycle.js"
import { decodeCursor, encodeCursor, fileUrl, nodeId, projectStorageId, runStorageId } from "./ids.js"
import * as Runs from "./runs.js"
import {
  deleteRun,
  updateRunState,
  upsertBucket,
  type UpsertBucketInput,
  upsertModel,
  type UpsertModelInput
} from "./upsert.js"
import { userColumns, type UserRow } from "./users.js"

/** @internal */
export interface Connection<A> {
  readonly edges: ReadonlyArray<{ readonly node: A; readonly cursor: string }>
  readonly pageInfo: {
    readonly startCursor: string | null
    readonly endCursor: string | null
    readonly hasNextPage: boolean
    readonly hasPreviousPage: boolean
  }
}

const connection = <A>(
  nodes: ReadonlyArray<A>,
  cursors: ReadonlyArray<string>,
  hasNextPage: boolean,
  hasPreviousPage: boolean
): Connection<A> => ({
  edges: nodes.map((node, i) => ({ node, cursor: cursors[i]! })),
  pageInfo: {
    startCursor: cursors[0] ?? null,
    endCursor: cursors[cursors.length - 1] ?? null,
    hasNextPage,
    hasPreviousPage
  }
})

/** A page over rows ordered by integer `id`, cursor = last id seen. */
const idPage = async <Row extends { readonly id: number }>(
  ctx: GraphContext,
  kind: string,
  select: string,
  params: ReadonlyArray<string | number>,
  args: Runs.PageArgs
): Promise<{ readonly rows: ReadonlyArray<Row>; readonly cursors: ReadonlyArray<string>; readonly more: boolean }> => {
  const size = Runs.pageSize(args.first)
  const after = decodeCursor(kind, args.after)
  if (after !== undefined && !Number.isInteger(after)) {
    throw new BadRequest({ message: `invalid cursor ${JSON.stringify(args.after)}` })
  }
  const rows = await ctx.all<Row>(`${select} AND x.id > ? ORDER BY x.id LIMIT ?`, [
    ...params,
    (after as number | undefined) ?? -1,
    size + 1
  ])
  const page = rows.slice(0, size)
  return { rows: page, cursors: page.map((r) => encodeCursor(kind, r.id)), more: rows.length > size }
}

// ---------------------------------------------------------------------------------------------
// Users and entities

interface EntityRow {
  readonly id: number
  readonly name: string
  readonly is_team: number
}

const findEntity = async (ctx: GraphContext, name: string): Promise<EntityRow | undefined> =>
  (await ctx.all<EntityRow>("SELECT id, name, is_team FROM entities WHERE name = ?", [name]))[0]

/** @internal */
export class EntityNode {
  constructor(readonly row: EntityRow) {}
  get id(): string {
    return nodeId("Entity", this.row.id)
  }
  get name(): string {
    return this.row.name
  }
  get isTeam(): boolean {
    return this.row.is_team === 1
  }
  projects(args: Runs.PageArgs, ctx: GraphContext): Promise<Connection<ProjectNode>> {
    return projectsOf(ctx, this.row, args)
  }
  // The team fields of `api.team(...)`: fixed answers where the server has no such notion.
  get available(): boolean {
    return false
  }
  get photoUrl(): null {
    return null
  }
  get readOnly(): boolean {
    return false
  }
  get readOnlyAdmin(): boolean {
    return false
  }
  get entityType(): string {
    return this.isTeam ? "TEAM" : "USER"
  }
  get privateOnly(): boolean {
    return false
  }
  get storageBytes(): number {
    return 0
  }
  get codeSavingEnabled(): boolean {
    return false
  }
  get defaultAccess(): string {
    return "PRIVATE"
  }
  get isPaid(): boolean {
    return false
  }
  members(_: unknown, ctx: GraphContext) {
    return Lifecycle.members(ctx, this.row.name)
  }
}

/** @internal */
export class UserNode {
  constructor(readonly row: UserRow) {}
  get id(): string {
    return nodeId("User", this.row.id)
  }
  get name(): string {
    return this.row.name
  }
  get username(): string {
    return this.row.username
  }
  get email(): string | null {
    return this.row.email
  }
  get admin(): boolean {
    return this.row.admin === 1
  }
  get flags(): string {
    return "{}"
  }
  get entity(): string {
    return this.row.default_entity
  }
  get deletedAt(): null {
    return null
  }
  get photoUrl(): null {
    return null
  }
  async defaultEntity(_: unknown, ctx: GraphContext): Promise<EntityNode | null> {
    const row = await findEntity(ctx, this.row.default_entity)
    return row === undefined ? null : new EntityNode(row)
  }
  /** Only the caller sees its own keys, and only as an opaque id and a label, never the secret. */
  apiKeys(_: unknown, ctx: GraphContext): Connection<{ id: string; name: string; description: string }> | null {
    if (ctx.viewer.id !== this.row.id) return null
    const id = nodeId("ApiKey", this.row.id)
    return connection([{ id, name: "default", description: "API key of the local server" }], [id], false, false)
  }
  /** Team entities (entities flagged `is_team`); the local server has no membership table. */
  async teams(args: Runs.PageArgs, ctx: GraphContext): Promise<Connection<EntityNode>> {
    const page = await idPage<EntityRow>(
      ctx,
      "entity",
      "SELECT x.id, x.name, x.is_team FROM entities x WHERE x.is_team = 1",
      [],
      args
    )
    return connection(page.rows.map((r) => new EntityNode(r)), page.cursors, page.more, args.after != null)
  }
}

const findUser = async (ctx: GraphContext, id: number | null): Promise<UserNode | null> => {
  if (id === null) return null
  const [row] = await ctx.all<UserRow>(`SELECT ${userColumns} FROM users u WHERE u.id = ?`, [id])
  return row === undefined ? null : new UserNode(row)
}

// ---------------------------------------------------------------------------------------------
// Projects

interface ProjectRow {
  readonly id: number
  readonly name: string
  readonly description: string | null
  readonly created_at: string
  readonly user_id: number | null
  readonly read_only: number
  readonly is_benchmark: number
}

const projectColumns = "x.id, x.name, x.description, x.created_at, x.user_id, x.read_only, x.is_benchmark"

/** @internal */
export const findProject = async (
  ctx: GraphContext,
  entityName: string,
  name: string
): Promise<ProjectNode | null> => {
  const entity = await findEntity(ctx, entityName)
  if (entity === undefined) return null
  const [row] = await ctx.all<ProjectRow>(
    `SELECT ${projectColumns} FROM projects x WHERE x.entity_id = ? AND x.name = ?`,
    [entity.id, name]
  )
  return row === undefined ? null : new ProjectNode(entity, row)
}

const projectsOf = async (ctx: GraphContext, entity: EntityRow, args: Runs.PageArgs) => {
  const page = await idPage<ProjectRow>(
    ctx,
    "project",
    `SELECT ${projectColumns} FROM projects x WHERE x.entity_id = ?`,
    [entity.id],
    args
  )
  return connection(page.rows.map((r) => new ProjectNode(entity, r)), page.cursors, page.more, args.after != null)
}

/** @internal */
export class ProjectNode {
  constructor(readonly entityRow: EntityRow, readonly row: ProjectRow) {}
  get id(): string {
    return projectStorageId(this.entityRow.name, this.row.name)
  }
  get internalId(): string {
    return nodeId("ProjectInternalId", this.row.id)
  }
  get name(): string {
    return this.row.name
  }
  get entityName(): string {
    return this.entityRow.name
  }
  get entity(): EntityNode {
    return new EntityNode(this.entityRow)
  }
  get description(): string | null {
    return this.row.description
  }
  get createdAt(): string {
    return this.row.created_at
  }
  get isBenchmark(): boolean {
    return this.row.is_benchmark === 1
  }
  get readOnly(): boolean {
    return this.row.read_only === 1
  }
  get access(): string {
    return "PRIVATE"
  }
  get views(): string {
    return "{}"
  }
  user(_: unknown, ctx: GraphContext): Promise<UserNode | null> {
    return findUser(ctx, this.row.user_id)
  }
  runCount(args: { readonly filters?: unknown }, ctx: GraphContext): Promise<number> {
    return Runs.countRuns(ctx, this.row.id, {}, args.filters)
  }
  runs(args: Runs.RunsArgs, ctx: GraphContext): Promise<Connection<RunNode>> {
    return runsConnection(ctx, this, {}, args)
  }
  async run(args: { readonly name: string }, ctx: GraphContext): Promise<RunNode | null> {
    const row = await Runs.findRun(ctx, this.row.id, args.name)
    return row === undefined ? null : new RunNode(this, row)
  }
  bucket(args: { readonly name: string }, ctx: GraphContext): Promise<RunNode | null> {
    return this.run(args, ctx)
  }
  async sweep(args: { readonly sweepName: string }, ctx: GraphContext): Promise<SweepNode | null> {
    const [row] = await ctx.all<SweepRow>(
      `SELECT ${sweepColumns} FROM sweeps x WHERE x.project_id = ? AND x.name = ?`,
      [this.row.id, args.sweepName]
    )
    return row === undefined ? null : new SweepNode(this, row)
  }
  /** Sweeps in creation order; `filters` is accepted and ignored (no sweep filtering here). */
  async sweeps(args: Runs.PageArgs, ctx: GraphContext): Promise<Connection<SweepNode>> {
    const page = await idPage<SweepRow>(
      ctx,
      "sweep",
      `SELECT ${sweepColumns} FROM sweeps x WHERE x.project_id = ?`,
      [this.row.id],
      args
    )
    return connection(page.rows.map((r) => new SweepNode(this, r)), page.cursors, page.more, args.after != null)
  }
  async totalSweeps(_: unknown, ctx: GraphContext): Promise<number> {
    const [row] = await ctx.all<{ n: number }>("SELECT count(*) AS n FROM sweeps WHERE project_id = ?", [this.row.id])
    return row!.n
  }
}

const runsConnection = async (
  ctx: GraphContext,
  project: ProjectNode,
  scope: Runs.RunScope,
  args: Runs.RunsArgs
): Promise<Connection<RunNode>> => {
  const page = await Runs.runsPage(ctx, project.row.id, scope, args)
  return connection(
    page.rows.map((row) => new RunNode(project, row)),
    page.cursors,
    page.hasNextPage,
    args.after != null
  )
}

// ---------------------------------------------------------------------------------------------
// Runs and files

interface FileRow {
  readonly id: number
  readonly name: string
  readonly md5: string
  readonly mimetype: string | null
  readonly size_bytes: number
  readonly updated_at: string
}

/** @internal */
export interface FilesArgs extends Runs.PageArgs {
  readonly names?: ReadonlyArray<string | null> | null
  readonly pattern?: string | null
}

/** @internal */
export class RunNode {
  constructor(readonly projectNode: ProjectNode, readonly row: Runs.RunRow) {}
  get id(): string {
    return runStorageId(this.projectNode.entityName, this.projectNode.name, this.row.name)
  }
  get name(): string {
    return this.row.name
  }
  get projectId(): number {
    return this.row.project_id
  }
  get project(): ProjectNode {
    return this.projectNode
  }
  get displayName(): string | null {
    return this.row.display_name
  }
  get sweepName(): string | null {
    return this.row.sweep_name
  }
  get state(): string {
    return this.row.state
  }
  get group(): string | null {
    return this.row.group_name
  }
  get jobType(): string | null {
    return this.row.job_type
  }
  get commit(): string | null {
    return this.row.commit_hash
  }
  get host(): string | null {
    return this.row.host
  }
  get readOnly(): boolean {
    return this.row.read_only === 1
  }
  get createdAt(): string {
    return this.row.created_at
  }
  get heartbeatAt(): string | null {
    return this.row.heartbeat_at
  }
  get updatedAt(): string | null {
    return this.row.updated_at
  }
  get duration(): number | null {
    return this.row.duration
  }
  get description(): string | null {
    return this.row.description
  }
  get notes(): string | null {
    return this.row.notes
  }
  get tags(): ReadonlyArray<string> {
    return JSON.parse(this.row.tags)
  }
  config(args: { readonly keys?: ReadonlyArray<string> | null }): string {
    return Lifecycle.selectKeys(this.row.config, args.keys)
  }
  summaryMetrics(args: { readonly keys?: ReadonlyArray<string> | null }): string {
    return Lifecycle.selectKeys(this.row.summary_metrics, args.keys)
  }
  get systemMetrics(): string {
    return this.row.system_metrics
  }
  get historyLineCount(): number {
    return this.row.history_line_count
  }
  get historyKeys(): unknown {
    return History.historyKeys(this.row.history_keys, this.row.last_step)
  }
  get user(): UserNode | null {
    const row = this.row
    if (row.user_id === null || row.user_username === null) return null
    return new UserNode({
      id: row.user_id,
      username: row.user_username,
      name: row.user_name ?? row.user_username,
      email: row.user_email,
      default_entity: row.user_default_entity ?? row.user_username,
      admin: row.user_admin ?? 0
    })
  }
  async fileCount(_: unknown, ctx: GraphContext): Promise<number> {
    const [row] = await ctx.all<{ n: number }>("SELECT count(*) AS n FROM files WHERE run_id = ?", [this.row.id])
    return row!.n
  }
  /** Files by name order; `names` (non-empty) selects exact names, `pattern` is a SQL LIKE pattern. */
  async files(args: FilesArgs, ctx: GraphContext): Promise<Connection<FileNode>> {
    const size = Runs.pageSize(args.first)
    const after = decodeCursor("file", args.after)
    if (after !== undefined && typeof after !== "string") {
      throw new BadRequest({ message: `invalid cursor ${JSON.stringify(args.after)}` })
    }
    const names = (args.names ?? []).filter((n): n is string => n !== null)
    let where = "run_id = ?"
    const params: Array<string | number> = [this.row.id]
    if (names.length > 0) {
      where += " AND name IN (SELECT value FROM json_each(?))"
      params.push(JSON.stringify(names))
    }
    if (args.pattern !== null && args.pattern !== undefined) {
      where += " AND name LIKE ?"
      params.push(args.pattern)
    }
    if (after !== undefined) {
      where += " AND name > ?"
      params.push(after)
    }
    const rows = await ctx.all<FileRow>(
      `SELECT id, name, md5, mimetype, size_bytes, updated_at FROM files WHERE ${where} ORDER BY name LIMIT ?`,
      [...params, size + 1]
    )
    const page = rows.slice(0, size)
    return connection(
      page.map((r) => new FileNode(this, r)),
      page.map((r) => encodeCursor("file", r.name)),
      rows.length > size,
      after !== undefined
    )
  }
  history(args: History.HistoryArgs, ctx: GraphContext): Promise<ReadonlyArray<string>> {
    return History.history(ctx, this.row.id, args)
  }
  events(args: { readonly samples?: number | null }, ctx: GraphContext): Promise<ReadonlyArray<string>> {
    return History.events(ctx, this.row.id, args.samples)
  }
  sampledHistory(args: { readonly specs: ReadonlyArray<unknown> }, ctx: GraphContext) {
    return History.sampledHistory(ctx, this.row.id, args.specs)
  }
  parquetHistory(args: { readonly liveKeys: ReadonlyArray<string> }, ctx: GraphContext) {
    return History.parquetHistory(ctx, this.row.id, args.liveKeys)
  }
  stopped(_: unknown, ctx: GraphContext): Promise<boolean> {
    return Lifecycle.stopped(ctx, this.row.id)
  }
  logLineCount(_: unknown, ctx: GraphContext): Promise<number> {
    return Lifecycle.logLineCount(ctx, this.row.id)
  }
  logLines(args: Lifecycle.LogLinesArgs, ctx: GraphContext) {
    return Lifecycle.logLines(ctx, this.row.id, args)
  }
}

/** @internal */
export class FileNode {
  constructor(readonly runNode: RunNode, readonly row: FileRow) {}
  get id(): string {
    return nodeId("File", this.row.id)
  }
  get name(): string {
    return this.row.name
  }
  /** The download URL on this server (the same with `upload: true`: uploads are not supported). */
  url(_: unknown, ctx: GraphContext): string {
    const project = this.runNode.projectNode
    return fileUrl(ctx.baseUrl, project.entityName, project.name, this.runNode.name, this.row.name)
  }
  directUrl(_: unknown, ctx: GraphContext): string {
    return this.url(_, ctx)
  }
  get sizeBytes(): number {
    return this.row.size_bytes
  }
  get mimetype(): string | null {
    return this.row.mimetype
  }
  get updatedAt(): string {
    return this.row.updated_at
  }
  get md5(): string {
    return this.row.md5
  }
}

// ---------------------------------------------------------------------------------------------
// Sweeps

interface SweepRow {
  readonly id: number
  readonly name: string
  readonly display_name: string | null
  readonly method: string
  readonly state: string
  readonly description: string | null
  readonly best_loss: number | null
  readonly config: string
  readonly created_at: string
  readonly updated_at: string | null
  readonly run_count_expected: number | null
}

const sweepColumns = `x.id, x.name, x.display_name, x.method, x.state, x.description, x.best_loss, x.config,
  x.created_at, x.updated_at, x.run_count_expected`

/** @internal */
export class SweepNode {
  constructor(readonly projectNode: ProjectNode, readonly row: SweepRow) {}
  get id(): string {
    return nodeId("Sweep", this.row.id)
  }
  get name(): string {
    return this.row.name
  }
  get displayName(): string | null {
    return this.row.display_name
  }
  get method(): string {
    return this.row.method
  }
  get state(): string {
    return this.row.state
  }
  get description(): string | null {
    return this.row.description
  }
  get bestLoss(): number | null {
    return this.row.best_loss
  }
  get config(): string {
    return this.row.config
  }
  get createdAt(): string {
    return this.row.created_at
  }
  get updatedAt(): string | null {
    return this.row.updated_at
  }
  get runCountExpected(): number | null {
    return this.row.run_count_expected
  }
  get project(): ProjectNode {
    return this.projectNode
  }
  runCount(_: unknown, ctx: GraphContext): Promise<number> {
    return Runs.countRuns(ctx, this.projectNode.row.id, { sweepName: this.row.name }, null)
  }
  runs(args: Runs.RunsArgs, ctx: GraphContext): Promise<Connection<RunNode>> {
    return runsConnection(ctx, this.projectNode, { sweepName: this.row.name }, args)
  }
  agents(args: Runs.PageArgs, ctx: GraphContext) {
    return Lifecycle.agents(ctx, this.row.id, args)
  }
  agent(args: { readonly agentName: string }, ctx: GraphContext) {
    return Lifecycle.agent(ctx, this.row.id, args.agentName)
  }
}

// ---------------------------------------------------------------------------------------------
// Root

interface ProjectArgs {
  readonly name?: string | null
  readonly entityName?: string | null
}

const projectField = (args: ProjectArgs, ctx: GraphContext): Promise<ProjectNode | null> =>
  args.name === null || args.name === undefined
    ? Promise.resolve(null)
    : findProject(ctx, args.entityName ?? ctx.viewer.default_entity, args.name)

const runNodeById = async (ctx: GraphContext, id: number): Promise<RunNode> => {
  const [row] = await ctx.all<ProjectRow & { entity_id: number }>(
    `SELECT ${projectColumns}, x.entity_id FROM projects x JOIN runs r ON r.project_id = x.id WHERE r.id = ?`,
    [id]
  )
  const [entity] = await ctx.all<EntityRow>("SELECT id, name, is_team FROM entities WHERE id = ?", [row!.entity_id])
  const run = await Runs.findRunById(ctx, id)
  return new RunNode(new ProjectNode(entity!, row!), run!)
}

/** Server features advertised by `serverInfo.features` (none is implemented). @internal */
const features: ReadonlyArray<string> = ["SWEEPS_QUERY_FILTERING", "MARK_RUN_FILES_UPLOADED"]

/**
 * The root value for queries and mutations.
 *
 * @internal
 */
export const root = {
  viewer: (_: unknown, ctx: GraphContext): UserNode => new UserNode(ctx.viewer),
  models: async (
    args: Runs.PageArgs & { readonly entityName?: string | null },
    ctx: GraphContext
  ): Promise<Connection<ProjectNode> | null> => {
    const entity = await findEntity(ctx, args.entityName ?? ctx.viewer.default_entity)
    return entity === undefined ? null : projectsOf(ctx, entity, args)
  },
  project: projectField,
  model: projectField,
  entity: async (args: { readonly name?: string | null }, ctx: GraphContext): Promise<EntityNode | null> => {
    const row = await findEntity(ctx, args.name ?? ctx.viewer.default_entity)
    return row === undefined ? null : new EntityNode(row)
  },
  users: async (args: Runs.PageArgs & { readonly query?: string | null }, ctx: GraphContext) => {
    const page = await Lifecycle.searchUsers(ctx, args.query, args)
    return connection(page.rows.map((r) => new UserNode(r)), page.cursors, page.more, args.after != null)
  },
  serverInfo: () => ({
    features: features.map((name) => ({ name, isEnabled: false })),
    cliVersionInfo: {},
    latestLocalVersionInfo: null
  }),
  upsertBucket: async (args: { readonly input: UpsertBucketInput }, ctx: GraphContext) => {
    const result = await ctx.run(upsertBucket(args.input, ctx.viewer))
    return { bucket: await runNodeById(ctx, result.runId), inserted: result.inserted, clientMutationId: null }
  },
  upsertModel: async (args: { readonly input: UpsertModelInput }, ctx: GraphContext) => {
    const result = await ctx.run(upsertModel(args.input, ctx.viewer))
    const project = await findProject(ctx, result.entity, result.project)
    return { project, model: project, inserted: result.inserted, clientMutationId: null }
  },
  deleteRun: async (args: { readonly input: { readonly id: string } }, ctx: GraphContext) => {
    await Lifecycle.writableRun(ctx, args.input.id, "deleteRun")
    await ctx.run(deleteRun(args.input.id))
    return { clientMutationId: null }
  },
  updateRunState: async (args: { readonly input: { readonly id: string; readonly state: string } }, ctx: GraphContext) => {
    await Lifecycle.writableRun(ctx, args.input.id, "updateRunState")
    await ctx.run(updateRunState(args.input.id, args.input.state))
    return { success: true, clientMutationId: null }
  },
  stopRun: async (args: { readonly input: { readonly id: string } }, ctx: GraphContext) => ({
    success: await Lifecycle.stopRun(ctx, args.input.id),
    clientMutationId: null
  }),
  deleteFiles: async (
    args: { readonly input: { readonly files: ReadonlyArray<string>; readonly projectId?: number | null } },
    ctx: GraphContext
  ) => ({ success: await Lifecycle.deleteFiles(ctx, args.input), clientMutationId: null })
}
