/**
 * Artifact nodes of the object graph (types, sequences, versions, memberships, files, the
 * manifest link) and the fields `Project`, `Run` and `Query` gain for them. Names such as
 * `model:best` or `model:v2` resolve through `artifact_aliases` or the version index.
 *
 * @internal
 */
import { BadRequest } from "./badRequest.js"
import type { GraphContext } from "./context.js"
import {
  connection,
  type Connection,
  type EntityRow,
  idPage,
  ProjectNode,
  type ProjectRow,
  type RunNode,
  runNodeById
} from "./graph.js"
import { decodeCursor, encodeCursor, nodeId } from "./ids.js"
import * as Runs from "./runs.js"

interface TypeRow {
  readonly id: number
  readonly name: string
  readonly description: string | null
  readonly created_at: string
}

interface SequenceRow {
  readonly id: number
  readonly type_id: number
  readonly name: string
  readonly description: string | null
  readonly created_at: string
  readonly updated_at: string
}

interface ArtifactRow {
  readonly id: number
  readonly sequence_id: number
  readonly version_index: number
  readonly description: string | null
  readonly metadata: string
  readonly state: string
  readonly size: number
  readonly digest: string
  readonly file_count: number
  readonly created_at: string
  readonly updated_at: string
  readonly created_by_run_id: number | null
  readonly history_step: number | null
}

interface FileRow {
  readonly path: string
  readonly digest: string
  readonly size: number | null
  readonly mimetype: string | null
}

const typeColumns = "x.id, x.name, x.description, x.created_at"
const sequenceColumns = "x.id, x.type_id, x.name, x.description, x.created_at, x.updated_at"
const artifactColumns = `x.id, x.sequence_id, x.version_index, x.description, x.metadata, x.state, x.size, x.digest,
  x.file_count, x.created_at, x.updated_at, x.created_by_run_id, x.history_step`

/** The row id inside a node id made by `nodeId(kind, id)`, or `undefined`. */
const rowId = (kind: string, id: string): number | undefined => {
  const text = Buffer.from(id, "base64").toString("utf8")
  const match = new RegExp(`^${kind}:(\\d+)$`).exec(text)
  return match === null ? undefined : Number(match[1])
}

/** `collection:alias` split at the last `:` (no `:` means `latest`). */
const splitName = (name: string): { readonly collection: string; readonly alias: string } => {
  const at = name.lastIndexOf(":")
  return at < 0 ? { collection: name, alias: "latest" } : { collection: name.slice(0, at), alias: name.slice(at + 1) }
}

/** The hex form of a base64 MD5 (the path segment of a stored file's URL). @internal */
export const hexDigest = (base64: string): string => Buffer.from(base64, "base64").toString("hex")

/** The download URL of stored artifact bytes: `{baseUrl}/artifacts/{entity}/{hex md5}`. @internal */
export const artifactFileUrl = (baseUrl: string, entity: string, digest: string): string =>
  `${baseUrl}/artifacts/${encodeURIComponent(entity)}/${hexDigest(digest)}`

/** The URL of an artifact version's manifest JSON. @internal */
export const manifestUrl = (baseUrl: string, artifactId: number): string => `${baseUrl}/artifactManifests/${artifactId}`

const emptyConnection = <A>(): Connection<A> => connection<A>([], [], false, false)

const count = async (ctx: GraphContext, text: string, params: ReadonlyArray<string | number>): Promise<number> =>
  (await ctx.all<{ n: number }>(text, params))[0]!.n

/**
 * A connection's `totalCount`, counted only when the query selects it (graphql-js calls a
 * function it finds as a field's value): a count covers every row, not one page's, so counted
 * with each page of a long listing it made the listing quadratic.
 */
const lazyCount = (ctx: GraphContext, text: string, params: ReadonlyArray<string | number>) => () => count(ctx, text, params)

/**
 * A page of `SELECT {columns} {from}` (`from` names the table as `x` and ends in a WHERE clause
 * on `param`) as a connection of `wrap(row)`, with the `totalCount` of all its rows (when selected).
 */
const countedPage = async <Row extends { readonly id: number }, A>(
  ctx: GraphContext,
  kind: string,
  columns: string,
  from: string,
  param: number,
  args: Runs.PageArgs,
  wrap: (row: Row) => A
) => {
  const page = await idPage<Row>(ctx, kind, `SELECT ${columns} ${from}`, [param], args)
  return {
    ...connection(page.rows.map(wrap), page.cursors, page.more, args.after != null),
    totalCount: lazyCount(ctx, `SELECT count(*) AS n ${from}`, [param])
  }
}

/** What types and collections share: a project, an id, a name, a description, a creation time. */
abstract class NamedNode<Row extends { readonly id: number; readonly name: string; readonly description: string | null; readonly created_at: string }> {
  constructor(readonly projectNode: ProjectNode, readonly row: Row, private readonly kind: string) {}
  get id(): string {
    return nodeId(this.kind, this.row.id)
  }
  get name(): string {
    return this.row.name
  }
  get description(): string | null {
    return this.row.description
  }
  get createdAt(): string {
    return this.row.created_at
  }
  get project(): ProjectNode {
    return this.projectNode
  }
}

/** @internal */
export class ArtifactTypeNode extends NamedNode<TypeRow> {
  constructor(projectNode: ProjectNode, row: TypeRow) {
    super(projectNode, row, "ArtifactType")
  }
  artifactCollections(args: Runs.PageArgs, ctx: GraphContext) {
    return countedPage<SequenceRow, ArtifactSequenceNode>(
      ctx,
      "artifactCollection",
      sequenceColumns,
      "FROM artifact_sequences x WHERE x.type_id = ?",
      this.row.id,
      args,
      (row) => new ArtifactSequenceNode(this.projectNode, row)
    )
  }
  async artifactCollection(args: { readonly name: string }, ctx: GraphContext): Promise<ArtifactSequenceNode | null> {
    const sequence = await findSequence(ctx, this.projectNode, args.name)
    return sequence !== null && sequence.row.type_id === this.row.id ? sequence : null
  }
}

const findSequence = async (ctx: GraphContext, project: ProjectNode, name: string) => {
  const [row] = await ctx.all<SequenceRow>(
    `SELECT ${sequenceColumns} FROM artifact_sequences x WHERE x.project_id = ? AND x.name = ?`,
    [project.row.id, name]
  )
  return row === undefined ? null : new ArtifactSequenceNode(project, row)
}

/** @internal */
export class ArtifactSequenceNode extends NamedNode<SequenceRow> {
  constructor(projectNode: ProjectNode, row: SequenceRow) {
    super(projectNode, row, "ArtifactSequence")
  }
  get updatedAt(): string {
    return this.row.updated_at
  }
  get tags(): Connection<never> {
    return emptyConnection()
  }
  async defaultArtifactType(_: unknown, ctx: GraphContext): Promise<ArtifactTypeNode> {
    const [row] = await ctx.all<TypeRow>(`SELECT ${typeColumns} FROM artifact_types x WHERE x.id = ?`, [this.row.type_id])
    return new ArtifactTypeNode(this.projectNode, row!)
  }
  async aliases(_: Runs.PageArgs, ctx: GraphContext) {
    const rows = await ctx.all<{ alias: string; artifact_id: number }>(
      "SELECT alias, artifact_id FROM artifact_aliases WHERE sequence_id = ? ORDER BY alias",
      [this.row.id]
    )
    const nodes = rows.map((row) => aliasNode(this, row.alias))
    return connection(nodes, nodes.map((node) => node.id), false, false)
  }
  /** Versions, newest first; the cursor is the last version index returned. `order`/`filters` are ignored. */
  async artifacts(args: Runs.PageArgs, ctx: GraphContext) {
    const size = Runs.pageSize(args.first)
    const after = decodeCursor("artifactVersion", args.after)
    if (after !== undefined && !Number.isInteger(after)) {
      throw new BadRequest({ message: `invalid cursor ${JSON.stringify(args.after)}` })
    }
    const rows = await ctx.all<ArtifactRow>(
      `SELECT ${artifactColumns} FROM artifacts x WHERE x.sequence_id = ? AND x.version_index < ?
       ORDER BY x.version_index DESC LIMIT ?`,
      [this.row.id, (after as number | undefined) ?? Number.MAX_SAFE_INTEGER, size + 1]
    )
    const page = rows.slice(0, size)
    const cursors = page.map((row) => encodeCursor("artifactVersion", row.version_index))
    return {
      totalCount: lazyCount(ctx, "SELECT count(*) AS n FROM artifacts WHERE sequence_id = ?", [this.row.id]),
      edges: page.map((row, i) => ({ node: new ArtifactNode(this, row), version: `v${row.version_index}`, cursor: cursors[i]! })),
      pageInfo: connection(page, cursors, rows.length > size, after !== undefined).pageInfo
    }
  }
  async artifactMembership(args: { readonly aliasName: string }, ctx: GraphContext): Promise<MembershipNode | null> {
    const artifact = await this.version(args.aliasName, ctx)
    return artifact === null ? null : new MembershipNode(artifact)
  }
  /** The version an alias (`latest`, `best`) or a version name (`v2`) points at. */
  async version(alias: string, ctx: GraphContext): Promise<ArtifactNode | null> {
    const version = /^v(\d+)$/.exec(alias)
    const [row] = version !== null
      ? await ctx.all<ArtifactRow>(
        `SELECT ${artifactColumns} FROM artifacts x WHERE x.sequence_id = ? AND x.version_index = ?`,
        [this.row.id, Number(version[1])]
      )
      : await ctx.all<ArtifactRow>(
        `SELECT ${artifactColumns} FROM artifacts x JOIN artifact_aliases a ON a.artifact_id = x.id
         WHERE a.sequence_id = ? AND a.alias = ?`,
        [this.row.id, alias]
      )
    return row === undefined ? null : new ArtifactNode(this, row)
  }
}

const aliasNode = (sequence: ArtifactSequenceNode, alias: string) => ({
  id: Buffer.from(`ArtifactAlias:${sequence.row.id}:${alias}`, "utf8").toString("base64"),
  alias,
  artifactCollection: sequence
})

/** @internal */
export class ArtifactNode {
  constructor(readonly sequence: ArtifactSequenceNode, readonly row: ArtifactRow) {}
  get id(): string {
    return nodeId("Artifact", this.row.id)
  }
  get artifactSequence(): ArtifactSequenceNode {
    return this.sequence
  }
  get versionIndex(): number {
    return this.row.version_index
  }
  artifactType(_: unknown, ctx: GraphContext): Promise<ArtifactTypeNode> {
    return this.sequence.defaultArtifactType(_, ctx)
  }
  get description(): string | null {
    return this.row.description
  }
  get metadata(): string {
    return this.row.metadata
  }
  get ttlDurationSeconds(): number {
    return -1
  }
  get ttlIsInherited(): boolean {
    return true
  }
  get tags(): ReadonlyArray<never> {
    return []
  }
  get historyStep(): number | null {
    return this.row.history_step
  }
  get state(): string {
    return this.row.state
  }
  get size(): number {
    return this.row.size
  }
  get digest(): string {
    return this.row.digest
  }
  get commitHash(): string {
    return this.row.digest.slice(0, 20)
  }
  get fileCount(): number {
    return this.row.file_count
  }
  get createdAt(): string {
    return this.row.created_at
  }
  get updatedAt(): string {
    return this.row.updated_at
  }
  async aliases(_: unknown, ctx: GraphContext) {
    const rows = await ctx.all<{ alias: string }>(
      "SELECT alias FROM artifact_aliases WHERE artifact_id = ? ORDER BY alias",
      [this.row.id]
    )
    return rows.map((row) => aliasNode(this.sequence, row.alias))
  }
  currentManifest(_: unknown, ctx: GraphContext) {
    const url = manifestUrl(ctx.baseUrl, this.row.id)
    return {
      id: nodeId("ArtifactManifest", this.row.id),
      file: { id: nodeId("ArtifactManifestFile", this.row.id), name: "wandb_manifest.json", url, directUrl: url }
    }
  }
  /** Stored files (reference entries have no bytes here and are only in the manifest), by path. */
  async files(args: Runs.PageArgs & { readonly names?: ReadonlyArray<string> | null }, ctx: GraphContext) {
    const size = Runs.pageSize(args.first)
    const after = decodeCursor("artifactFile", args.after)
    if (after !== undefined && typeof after !== "string") {
      throw new BadRequest({ message: `invalid cursor ${JSON.stringify(args.after)}` })
    }
    const names = args.names ?? []
    let where = "artifact_id = ? AND blob_id IS NOT NULL"
    const params: Array<string | number> = [this.row.id]
    if (names.length > 0) {
      where += " AND path IN (SELECT value FROM json_each(?))"
      params.push(JSON.stringify(names))
    }
    const totalCount = lazyCount(ctx, `SELECT count(*) AS n FROM artifact_files WHERE ${where}`, [...params])
    if (after !== undefined) {
      where += " AND path > ?"
      params.push(after)
    }
    const rows = await ctx.all<FileRow>(
      `SELECT path, digest, size, mimetype FROM artifact_files WHERE ${where} ORDER BY path LIMIT ?`,
      [...params, size + 1]
    )
    const page = rows.slice(0, size)
    return {
      ...connection(
        page.map((row) => new ArtifactFileNode(this, row)),
        page.map((row) => encodeCursor("artifactFile", row.path)),
        rows.length > size,
        after !== undefined
      ),
      totalCount
    }
  }
  async usedBy(args: Runs.PageArgs, ctx: GraphContext) {
    const page = await idPage<{ id: number }>(
      ctx,
      "run",
      "SELECT x.id FROM runs x JOIN artifact_usage u ON u.run_id = x.id WHERE u.artifact_id = ?",
      [this.row.id],
      args
    )
    const runs = await Promise.all(page.rows.map((row) => runNodeById(ctx, row.id)))
    return connection(runs, page.cursors, page.more, args.after != null)
  }
  createdBy(_: unknown, ctx: GraphContext): Promise<RunNode> | null {
    return this.row.created_by_run_id === null ? null : runNodeById(ctx, this.row.created_by_run_id)
  }
}

/** @internal */
export class MembershipNode {
  constructor(readonly artifactNode: ArtifactNode) {}
  get id(): string {
    return nodeId("ArtifactCollectionMembership", this.artifactNode.row.id)
  }
  get versionIndex(): number {
    return this.artifactNode.row.version_index
  }
  aliases(_: unknown, ctx: GraphContext) {
    return this.artifactNode.aliases(_, ctx)
  }
  get artifactCollection(): ArtifactSequenceNode {
    return this.artifactNode.sequence
  }
  get artifact(): ArtifactNode {
    return this.artifactNode
  }
  files(args: Runs.PageArgs & { readonly names?: ReadonlyArray<string> | null }, ctx: GraphContext) {
    return this.artifactNode.files(args, ctx)
  }
}

/** @internal */
export class ArtifactFileNode {
  constructor(readonly artifactNode: ArtifactNode, readonly row: FileRow) {}
  get id(): string {
    return Buffer.from(`ArtifactFile:${this.artifactNode.row.id}:${this.row.path}`, "utf8").toString("base64")
  }
  get name(): string {
    return this.row.path
  }
  get displayName(): string {
    return this.row.path
  }
  url(_: unknown, ctx: GraphContext): string {
    return artifactFileUrl(ctx.baseUrl, this.artifactNode.sequence.projectNode.entityName, this.row.digest)
  }
  directUrl(_: unknown, ctx: GraphContext): string {
    return this.url(_, ctx)
  }
  get sizeBytes(): number | null {
    return this.row.size
  }
  get storagePath(): string {
    return `wandb_artifacts/${this.artifactNode.sequence.projectNode.entityName}/${hexDigest(this.row.digest)}`
  }
  get mimetype(): string | null {
    return this.row.mimetype
  }
  get updatedAt(): string {
    return this.artifactNode.row.updated_at
  }
  get digest(): string {
    return this.row.digest
  }
  get md5(): string {
    return this.row.digest
  }
}

// ---------------------------------------------------------------------------------------------
// Fields of Project, Run and Query

/** `Project.artifactTypes`. @internal */
export const projectArtifactTypes = (project: ProjectNode, args: Runs.PageArgs, ctx: GraphContext) =>
  countedPage<TypeRow, ArtifactTypeNode>(
    ctx,
    "artifactType",
    typeColumns,
    "FROM artifact_types x WHERE x.project_id = ?",
    project.row.id,
    args,
    (row) => new ArtifactTypeNode(project, row)
  )

/** `Project.artifactType(name)`. @internal */
export const projectArtifactType = async (project: ProjectNode, name: string, ctx: GraphContext) => {
  const [row] = await ctx.all<TypeRow>(
    `SELECT ${typeColumns} FROM artifact_types x WHERE x.project_id = ? AND x.name = ?`,
    [project.row.id, name]
  )
  return row === undefined ? null : new ArtifactTypeNode(project, row)
}

/** `Project.artifactCollections` (every type). @internal */
export const projectArtifactCollections = (project: ProjectNode, args: Runs.PageArgs, ctx: GraphContext) =>
  countedPage<SequenceRow, ArtifactSequenceNode>(
    ctx,
    "artifactCollection",
    sequenceColumns,
    "FROM artifact_sequences x WHERE x.project_id = ?",
    project.row.id,
    args,
    (row) => new ArtifactSequenceNode(project, row)
  )

/** `Project.artifactCollection(name)`. @internal */
export const projectArtifactCollection = (project: ProjectNode, name: string, ctx: GraphContext) =>
  findSequence(ctx, project, name)

/** `Project.artifact(name)`: `collection:alias` or `collection:vN`. @internal */
export const projectArtifact = async (project: ProjectNode, name: string, ctx: GraphContext) => {
  const { alias, collection } = splitName(name)
  const sequence = await findSequence(ctx, project, collection)
  return sequence === null ? null : sequence.version(alias, ctx)
}

/** `Project.artifactCollectionMembership(name)`. @internal */
export const projectMembership = async (project: ProjectNode, name: string, ctx: GraphContext) => {
  const artifact = await projectArtifact(project, name, ctx)
  return artifact === null ? null : new MembershipNode(artifact)
}

/** The artifact of row `id` with its sequence and project. */
const artifactByRowId = async (ctx: GraphContext, id: number): Promise<ArtifactNode | null> => {
  const [row] = await ctx.all<ArtifactRow>(`SELECT ${artifactColumns} FROM artifacts x WHERE x.id = ?`, [id])
  if (row === undefined) return null
  const sequence = await sequenceByRowId(ctx, row.sequence_id)
  return new ArtifactNode(sequence!, row)
}

const sequenceByRowId = async (ctx: GraphContext, id: number): Promise<ArtifactSequenceNode | null> => {
  const [row] = await ctx.all<
    SequenceRow & { p_id: number; p_name: string; p_description: string | null; p_created_at: string } & {
      p_user_id: number | null
      p_read_only: number
      p_is_benchmark: number
      e_id: number
      e_name: string
      e_is_team: number
    }
  >(
    `SELECT ${sequenceColumns}, p.id AS p_id, p.name AS p_name, p.description AS p_description,
       p.created_at AS p_created_at, p.user_id AS p_user_id, p.read_only AS p_read_only, p.is_benchmark AS p_is_benchmark,
       e.id AS e_id, e.name AS e_name, e.is_team AS e_is_team
     FROM artifact_sequences x JOIN projects p ON p.id = x.project_id JOIN entities e ON e.id = p.entity_id
     WHERE x.id = ?`,
    [id]
  )
  if (row === undefined) return null
  const entity: EntityRow = { id: row.e_id, name: row.e_name, is_team: row.e_is_team }
  const project: ProjectRow = {
    id: row.p_id,
    name: row.p_name,
    description: row.p_description,
    created_at: row.p_created_at,
    user_id: row.p_user_id,
    read_only: row.p_read_only,
    is_benchmark: row.p_is_benchmark
  }
  return new ArtifactSequenceNode(new ProjectNode(entity, project), row)
}

/** `Query.artifact(id)`: an id that is not an artifact's is `null`. @internal */
export const artifactById = (id: string, ctx: GraphContext): Promise<ArtifactNode | null> => {
  const row = rowId("Artifact", id)
  return row === undefined ? Promise.resolve(null) : artifactByRowId(ctx, row)
}

/** `Query.artifactCollection(id)`. @internal */
export const collectionById = (id: string, ctx: GraphContext): Promise<ArtifactSequenceNode | null> => {
  const row = rowId("ArtifactSequence", id)
  return row === undefined ? Promise.resolve(null) : sequenceByRowId(ctx, row)
}

/** `Run.outputArtifacts` / `Run.inputArtifacts`. @internal */
export const runArtifacts = async (run: RunNode, direction: "output" | "input", args: Runs.PageArgs, ctx: GraphContext) => {
  const where = direction === "output"
    ? "FROM artifacts x WHERE x.created_by_run_id = ?"
    : "FROM artifacts x JOIN artifact_usage u ON u.artifact_id = x.id WHERE u.run_id = ?"
  const page = await idPage<ArtifactRow>(ctx, `${direction}Artifact`, `SELECT ${artifactColumns} ${where}`, [run.row.id], args)
  const sequences = new Map<number, ArtifactSequenceNode>()
  const nodes: Array<ArtifactNode> = []
  for (const row of page.rows) {
    let sequence = sequences.get(row.sequence_id)
    if (sequence === undefined) {
      sequence = (await sequenceByRowId(ctx, row.sequence_id))!
      sequences.set(row.sequence_id, sequence)
    }
    nodes.push(new ArtifactNode(sequence, row))
  }
  return {
    ...connection(nodes, page.cursors, page.more, args.after != null),
    totalCount: lazyCount(ctx, `SELECT count(*) AS n ${where}`, [run.row.id])
  }
}
