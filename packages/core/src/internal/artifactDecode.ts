/**
 * Conversion of artifact response nodes into the public entities (throwing `DecodeError`, for
 * `decodeAll` / `decodeOne`).
 *
 * @internal
 */
import { Artifact, ArtifactCollection, ArtifactType, RunRef } from "../Artifact.js"
import { ArtifactFile } from "../ArtifactManifest.js"
import type { ArtifactNode, CollectionNode, FileNode, RunInfo, TypeNode } from "./artifactDocuments.js"
import { type Coordinates, jsonObject, optionalTimestamp, timestamp } from "./decode.js"

const orNull = <A>(value: A | null | undefined): A | null => value ?? null

/** @internal */
export const decodeType = (node: typeof TypeNode.Type, at: Coordinates): ArtifactType =>
  new ArtifactType({
    entity: at.entity,
    project: at.project,
    id: node.id,
    name: node.name,
    description: orNull(node.description),
    createdAt: timestamp("ArtifactType", "createdAt", node.createdAt)
  }, true)

/** @internal */
export const decodeCollection = (node: typeof CollectionNode.Type, at: Coordinates): ArtifactCollection =>
  new ArtifactCollection({
    entity: node.project?.entity.name ?? at.entity,
    project: node.project?.name ?? at.project,
    id: node.id,
    name: node.name,
    type: node.type.name,
    description: orNull(node.description),
    createdAt: timestamp("ArtifactCollection", "createdAt", node.createdAt),
    updatedAt: optionalTimestamp("ArtifactCollection", "updatedAt", orNull(node.updatedAt)),
    tags: (node.tags?.edges ?? []).flatMap((edge) => (edge.node == null ? [] : [edge.node.name]))
  }, true)

/**
 * A version. `aliases` are those given (a membership's), else the node's own, keeping only
 * those of its source collection.
 *
 * @internal
 */
export const decodeArtifact = (
  node: ArtifactNode,
  at: Coordinates,
  aliases?: ReadonlyArray<{ readonly alias: string }> | null
): Artifact => {
  const source = node.artifactSequence
  return new Artifact({
    id: node.id,
    entity: source.project?.entity.name ?? at.entity,
    project: source.project?.name ?? at.project,
    collection: source.name,
    versionIndex: node.versionIndex ?? 0,
    type: node.artifactType.name,
    description: orNull(node.description),
    metadata: jsonObject("Artifact", "metadata", node.metadata),
    aliases: (aliases ?? (node.aliases ?? []).filter((alias) =>
      alias.artifactCollection == null || alias.artifactCollection.name === source.name
    )).map((alias) => alias.alias),
    tags: (node.tags ?? []).map((tag) => tag.name),
    state: node.state,
    size: node.size,
    digest: node.digest,
    commitHash: orNull(node.commitHash),
    fileCount: node.fileCount ?? 0,
    createdAt: timestamp("Artifact", "createdAt", node.createdAt),
    updatedAt: optionalTimestamp("Artifact", "updatedAt", orNull(node.updatedAt)),
    historyStep: orNull(node.historyStep),
    ttlDurationSeconds: orNull(node.ttlDurationSeconds)
  }, true)
}

/** @internal */
export const decodeFile = (node: typeof FileNode.Type): ArtifactFile =>
  new ArtifactFile({
    id: node.id,
    name: node.name,
    url: orNull(node.url),
    directUrl: orNull(node.directUrl),
    sizeBytes: node.sizeBytes ?? 0,
    digest: orNull(node.digest),
    md5: orNull(node.md5),
    mimetype: orNull(node.mimetype),
    storagePath: orNull(node.storagePath),
    updatedAt: optionalTimestamp("ArtifactFile", "updatedAt", orNull(node.updatedAt))
  }, true)

/** @internal */
export const decodeRunRef = (node: typeof RunInfo.Type, at: Coordinates): RunRef =>
  new RunRef({
    entity: node.project?.entity.name ?? at.entity,
    project: node.project?.name ?? at.project,
    id: node.name,
    storageId: node.id
  }, true)
