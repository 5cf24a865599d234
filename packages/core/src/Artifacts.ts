/**
 * Artifacts (Python's `api.artifact(…)`, `api.artifact_types`, `api.artifact_collections`,
 * `api.artifacts`, `run.logged_artifacts()`, `run.used_artifacts()`, `artifact.used_by()`,
 * `artifact.logged_by()`): the versioned datasets and models runs log and use, with their
 * manifests and files. Downloads are in `ArtifactDownload`.
 *
 * Names are those Python accepts: `entity/project/name:alias`, `project/name:vN`,
 * `name:alias` (entity and project from the configuration, the entity else the viewer's
 * default), `name` (meaning `name:latest`), or the artifact's id. Projects are `entity/project`
 * or `project`. Every listing is a `Stream` of pages.
 *
 * @example
 * ```ts
 * import { Artifacts } from "@effect-wandb/core"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const artifacts = yield* Artifacts.Artifacts
 *   const model = yield* artifacts.artifact("acme-ml/mnist-cnn/classifier:best")
 *   const producer = yield* artifacts.createdBy(model)
 *   const datasets = yield* artifacts.collections("acme-ml/mnist-cnn", { type: "dataset" }).pipe(Stream.runCollect)
 *   console.log(model.qualifiedName, model.metadata, producer, datasets.length)
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Artifact, ArtifactCollection, ArtifactType, RunRef } from "./Artifact.js"
import { type ArtifactFile, type Manifest, ManifestFromJson } from "./ArtifactManifest.js"
import {
  AliasNotFound,
  type ApiError,
  ArtifactNotFound,
  ArtifactTypeNotFound,
  DecodeError,
  InvalidArgument,
  InvalidPath,
  ProjectNotFound,
  type RunNotFound,
  ServerError,
  TransportError
} from "./Errors.js"
import * as GraphQLClient from "./GraphQLClient.js"
import { decodeArtifact, decodeCollection, decodeFile, decodeRunRef, decodeType } from "./internal/artifactDecode.js"
import { operations } from "./internal/artifactDocuments.js"
import { parseArtifactName } from "./internal/artifactNames.js"
import { type Coordinates, decodeAll, decodeOne } from "./internal/decode.js"
import { parseProjectPath, pathText } from "./internal/paths.js"
import type { Run } from "./Run.js"
import * as WandbApi from "./WandbApi.js"
import * as WandbConfig from "./WandbConfig.js"
import * as WandbHttpClient from "./WandbHttpClient.js"

/**
 * The artifacts service; {@link layer} provides it on top of `WandbApi`.
 *
 * @since 0.1.0
 * @category tags
 */
export class Artifacts extends Context.Tag("@effect-wandb/core/Artifacts")<Artifacts, Artifacts.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace Artifacts {
  /**
   * Page size of a listing: 1–1000 (default 50).
   *
   * @since 0.1.0
   * @category models
   */
  export interface PageOptions {
    readonly perPage?: number | undefined
  }

  /**
   * A stored file's download location (from `GetArtifactMembershipFileUrls`).
   *
   * @since 0.1.0
   * @category models
   */
  export interface FileUrl {
    readonly name: string
    readonly directUrl: string
  }

  /**
   * Errors of reading one artifact by name.
   *
   * @since 0.1.0
   * @category models
   */
  export type LookupError = ArtifactNotFound | AliasNotFound | ProjectNotFound | InvalidPath | InvalidArgument | ApiError

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** The artifact types of a project (`entity/project` or `project`). */
    readonly artifactTypes: (
      project: WandbApi.WandbApi.Path,
      options?: PageOptions
    ) => Stream.Stream<ArtifactType, ProjectNotFound | InvalidPath | InvalidArgument | ApiError>
    /** One artifact type of a project. */
    readonly artifactType: (
      project: WandbApi.WandbApi.Path,
      type: string
    ) => Effect.Effect<ArtifactType, ArtifactTypeNotFound | ProjectNotFound | InvalidPath | InvalidArgument | ApiError>
    /** The collections of a project, of one type when `type` is given. */
    readonly collections: (
      project: WandbApi.WandbApi.Path,
      options?: PageOptions & { readonly type?: string | undefined }
    ) => Stream.Stream<ArtifactCollection, ArtifactTypeNotFound | ProjectNotFound | InvalidPath | InvalidArgument | ApiError>
    /** One collection: its type and `[[entity/]project/]name`. */
    readonly collection: (
      type: string,
      name: string
    ) => Effect.Effect<ArtifactCollection, ArtifactNotFound | ArtifactTypeNotFound | ProjectNotFound | InvalidPath | InvalidArgument | ApiError>
    /** The versions of a collection (its type and `[[entity/]project/]name`), newest first. */
    readonly versions: (
      type: string,
      name: string,
      options?: PageOptions
    ) => Stream.Stream<Artifact, ArtifactNotFound | ArtifactTypeNotFound | ProjectNotFound | InvalidPath | InvalidArgument | ApiError>
    /** One version by name (`entity/project/name:alias`, …) or id; `type`, when given, must match. */
    readonly artifact: (name: string, options?: { readonly type?: string | undefined }) => Effect.Effect<Artifact, LookupError>
    /** The stored files of a version (reference entries are only in its manifest). */
    readonly files: (
      artifact: Artifact,
      options?: PageOptions & { readonly names?: ReadonlyArray<string> | undefined }
    ) => Stream.Stream<ArtifactFile, ArtifactNotFound | InvalidArgument | ApiError>
    /** Where each stored file of a version is fetched (pages of up to 1000). */
    readonly fileUrls: (artifact: Artifact) => Stream.Stream<Artifacts.FileUrl, ArtifactNotFound | InvalidArgument | ApiError>
    /** The manifest of a version. */
    readonly manifest: (artifact: Artifact) => Effect.Effect<Manifest, ArtifactNotFound | ApiError>
    /** The versions a run logged (Python's `run.logged_artifacts()`). */
    readonly loggedArtifacts: (
      run: Run | WandbApi.WandbApi.Path,
      options?: PageOptions
    ) => Stream.Stream<Artifact, RunNotFound | InvalidPath | InvalidArgument | ApiError>
    /** The versions a run used (Python's `run.used_artifacts()`). */
    readonly usedArtifacts: (
      run: Run | WandbApi.WandbApi.Path,
      options?: PageOptions
    ) => Stream.Stream<Artifact, RunNotFound | InvalidPath | InvalidArgument | ApiError>
    /** The runs that used a version. */
    readonly usedBy: (artifact: Artifact) => Effect.Effect<ReadonlyArray<RunRef>, ArtifactNotFound | ApiError>
    /** The run that logged a version (none when a user logged it directly). */
    readonly createdBy: (artifact: Artifact) => Effect.Effect<Option.Option<RunRef>, ArtifactNotFound | ApiError>
  }
}

/**
 * Every GraphQL operation the service sends (the official client's documents, verbatim).
 *
 * @since 0.1.0
 * @category constants
 */
export const artifactOperations: ReadonlyArray<{ readonly name: string; readonly document: string }> = Object.values(
  operations
)

const MAX_PAGE_SIZE = 1000

const pageSize = (value: number | undefined): Effect.Effect<number, InvalidArgument> => {
  const size = value ?? 50
  return Number.isSafeInteger(size) && size >= 1 && size <= MAX_PAGE_SIZE
    ? Effect.succeed(size)
    : Effect.fail(new InvalidArgument({ argument: "perPage", reason: `expected an integer from 1 to ${MAX_PAGE_SIZE}, got ${size}` }))
}

interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly next: string | null
}

const pageOf = <A>(
  connection: {
    readonly edges: ReadonlyArray<{ readonly node?: A | null | undefined }>
    readonly pageInfo: { readonly endCursor?: string | null | undefined; readonly hasNextPage: boolean }
  } | null | undefined
): Page<A> =>
  connection == null ? { items: [], next: null } : {
    items: connection.edges.flatMap((edge) => (edge.node == null ? [] : [edge.node])),
    next: connection.pageInfo.hasNextPage && connection.edges.length > 0 ? connection.pageInfo.endCursor ?? null : null
  }

/** Pages `fetch` from the first cursor on, converting each page with `convert`. */
const paginate = <A, B, E>(
  fetch: (cursor: string | null) => Effect.Effect<Page<A>, E>,
  convert: (item: A) => B
): Stream.Stream<B, E | DecodeError> =>
  Stream.paginateChunkEffect(
    null as string | null,
    (cursor) =>
      Effect.flatMap(fetch(cursor), (page) =>
        Effect.map(decodeAll(page.items, convert), (items) =>
          [Chunk.unsafeFromArray(items), Option.fromNullable(page.next)] as const))
  )

const validName = (argument: string, value: unknown): Effect.Effect<string, InvalidArgument> =>
  typeof value === "string" && value.trim() !== "" && !value.includes("/")
    ? Effect.succeed(value)
    : Effect.fail(new InvalidArgument({ argument, reason: `expected a name without '/', got ${JSON.stringify(value)}` }))

const fromEither = <A, E>(either: Either.Either<A, E>): Effect.Effect<A, E> =>
  Either.match(either, { onLeft: Effect.fail, onRight: Effect.succeed })

/** Where a version is a member: its source collection and version. */
const membershipOf = (artifact: Artifact) => ({
  entity: artifact.entity,
  project: artifact.project,
  collection: artifact.collection,
  alias: artifact.version
})

/**
 * Builds the service on `WandbApi` (defaults, runs), the GraphQL transport and the
 * authenticated HTTP client (manifests).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  Artifacts.Service,
  never,
  WandbApi.WandbApi | GraphQLClient.GraphQLClient | WandbConfig.WandbConfig | WandbHttpClient.WandbHttpClient
> = Effect.gen(function*() {
  const api = yield* WandbApi.WandbApi
  const gql = yield* GraphQLClient.GraphQLClient
  const config = yield* WandbConfig.WandbConfig
  const http = yield* WandbHttpClient.WandbHttpClient

  const noProject = (input: string) =>
    new InvalidPath({ input, reason: "no project in the path and no default project configured" })

  /** Fills a missing entity and project from the configuration (and the viewer). */
  const withDefaults = (input: string, entity: string | undefined, project: string | undefined) =>
    Effect.gen(function*() {
      const name = project ?? Option.getOrUndefined(config.project)
      if (name === undefined) return yield* noProject(input)
      const owner = entity ?? (yield* Effect.catchTag(
        api.defaultEntity,
        "InvalidPath",
        (error) => Effect.fail(new InvalidPath({ input, reason: error.reason }))
      ))
      return { entity: owner, project: name } satisfies Coordinates
    })

  const projectAt = (path: WandbApi.WandbApi.Path) =>
    Effect.gen(function*() {
      const input = yield* fromEither(pathText(path))
      const parts = yield* fromEither(parseProjectPath(input))
      return yield* withDefaults(input, parts.entity, parts.project)
    })

  /** `[[entity/]project/]name` of a collection (no alias). */
  const collectionAt = (name: string) =>
    Effect.gen(function*() {
      const parsed = yield* fromEither(parseArtifactName(name))
      if (parsed._tag === "Id" || name.includes(":")) {
        return yield* new InvalidPath({ input: name, reason: "expected [[entity/]project/]name of a collection" })
      }
      return { ...(yield* withDefaults(name, parsed.entity, parsed.project)), collection: parsed.collection }
    })

  const projectNotFound = (at: Coordinates) => new ProjectNotFound({ entity: at.entity, project: at.project })
  const typeNotFound = (at: Coordinates, type: string) =>
    new ArtifactTypeNotFound({ entity: at.entity, project: at.project, type })

  const artifactTypes = (project: WandbApi.WandbApi.Path, options?: Artifacts.PageOptions) =>
    Stream.unwrap(Effect.gen(function*() {
      const perPage = yield* pageSize(options?.perPage)
      const at = yield* projectAt(project)
      return paginate(
        (cursor) =>
          Effect.gen(function*() {
            const data = yield* gql.execute(operations.artifactTypes, { ...at, cursor, perPage })
            if (data.project == null) return yield* projectNotFound(at)
            return pageOf(data.project.artifactTypes)
          }),
        (node) => decodeType(node, at)
      )
    }))

  const artifactType = Effect.fn("Artifacts.artifactType")(function*(project: WandbApi.WandbApi.Path, type: string) {
    yield* validName("type", type)
    const at = yield* projectAt(project)
    const data = yield* gql.execute(operations.artifactType, { ...at, type })
    if (data.project == null) return yield* projectNotFound(at)
    if (data.project.artifactType == null) return yield* typeNotFound(at, type)
    return yield* decodeOne(data.project.artifactType, (node) => decodeType(node, at))
  })

  const collections = (
    project: WandbApi.WandbApi.Path,
    options?: Artifacts.PageOptions & { readonly type?: string | undefined }
  ) =>
    Stream.unwrap(Effect.gen(function*() {
      const perPage = yield* pageSize(options?.perPage)
      const type = options?.type === undefined ? undefined : yield* validName("type", options.type)
      const at = yield* projectAt(project)
      const variables = { ...at, perPage, filters: null, order: null }
      return paginate(
        (cursor) =>
          Effect.gen(function*() {
            if (type === undefined) {
              const data = yield* gql.execute(operations.collections, { ...variables, cursor })
              if (data.project == null) return yield* projectNotFound(at)
              return pageOf(data.project.artifactCollections)
            }
            const data = yield* gql.execute(operations.typeCollections, { ...variables, type, cursor })
            if (data.project == null) return yield* projectNotFound(at)
            if (data.project.artifactType == null) return yield* typeNotFound(at, type)
            return pageOf(data.project.artifactType.artifactCollections)
          }),
        (node) => decodeCollection(node, at)
      )
    }))

  const collection = Effect.fn("Artifacts.collection")(function*(type: string, name: string) {
    yield* validName("type", type)
    const at = yield* collectionAt(name)
    const data = yield* gql.execute(operations.collection, { entity: at.entity, project: at.project, type, name: at.collection })
    if (data.project == null) return yield* projectNotFound(at)
    if (data.project.artifactType == null) return yield* typeNotFound(at, type)
    const node = data.project.artifactType.artifactCollection
    if (node == null) return yield* new ArtifactNotFound({ entity: at.entity, project: at.project, name: at.collection })
    return yield* decodeOne(node, (node) => decodeCollection(node, at))
  })

  const versions = (type: string, name: string, options?: Artifacts.PageOptions) =>
    Stream.unwrap(Effect.gen(function*() {
      const perPage = yield* pageSize(options?.perPage)
      yield* validName("type", type)
      const at = yield* collectionAt(name)
      return paginate(
        (cursor) =>
          Effect.gen(function*() {
            const data = yield* gql.execute(operations.versions, {
              entity: at.entity,
              project: at.project,
              type,
              collection: at.collection,
              cursor,
              perPage,
              order: null,
              filters: null
            })
            if (data.project == null) return yield* projectNotFound(at)
            if (data.project.artifactType == null) return yield* typeNotFound(at, type)
            const versions = data.project.artifactType.artifactCollection
            if (versions == null) {
              return yield* new ArtifactNotFound({ entity: at.entity, project: at.project, name: at.collection })
            }
            return pageOf(versions.artifacts)
          }),
        (node) => decodeArtifact(node, at)
      )
    }))

  /** Whether the collection exists (to tell `AliasNotFound` from `ArtifactNotFound`). */
  const collectionExists = (at: Coordinates & { readonly collection: string; readonly alias: string }) =>
    Effect.map(
      gql.execute(operations.files, { ...at, fileNames: [], cursor: null, perPage: 1 }),
      (data) => data.project?.artifactCollection != null
    )

  const byId = (id: string) =>
    Effect.gen(function*() {
      const data = yield* gql.execute(operations.byId, { id })
      if (data.artifact == null) return yield* new ArtifactNotFound({ entity: "", project: "", name: id })
      return yield* decodeOne(data.artifact, (node) => decodeArtifact(node, { entity: "", project: "" }))
    })

  const byName = (input: string, parsed: { readonly entity: string | undefined; readonly project: string | undefined; readonly collection: string; readonly alias: string }) =>
    Effect.gen(function*() {
      const at = { ...(yield* withDefaults(input, parsed.entity, parsed.project)), collection: parsed.collection, alias: parsed.alias }
      const data = yield* gql.execute(operations.membershipByName, {
        entity: at.entity,
        project: at.project,
        name: `${at.collection}:${at.alias}`
      })
      if (data.project == null) return yield* projectNotFound(at)
      const membership = data.project.artifactCollectionMembership
      if (membership?.artifact == null) {
        return yield* (yield* collectionExists(at))
          ? new AliasNotFound({ entity: at.entity, project: at.project, collection: at.collection, alias: at.alias })
          : new ArtifactNotFound({ entity: at.entity, project: at.project, name: at.collection })
      }
      return yield* decodeOne(membership.artifact, (node) => decodeArtifact(node, at, membership.aliases))
    })

  const artifact = Effect.fn("Artifacts.artifact")(function*(name: string, options?: { readonly type?: string | undefined }) {
    const parsed = yield* fromEither(parseArtifactName(name))
    const found = parsed._tag === "Id" ? yield* byId(parsed.id) : yield* byName(name, parsed)
    if (options?.type !== undefined && found.type !== options.type) {
      return yield* new InvalidArgument({
        argument: "type",
        reason: `${found.qualifiedName} is of type ${JSON.stringify(found.type)}, not ${JSON.stringify(options.type)}`
      })
    }
    return found
  })

  const notFound = (artifact: Artifact) =>
    new ArtifactNotFound({ entity: artifact.entity, project: artifact.project, name: artifact.name })

  const files = (artifact: Artifact, options?: Artifacts.PageOptions & { readonly names?: ReadonlyArray<string> | undefined }) =>
    Stream.unwrap(Effect.gen(function*() {
      const perPage = yield* pageSize(options?.perPage)
      const names = options?.names
      if (names !== undefined && !names.every((name) => typeof name === "string" && name !== "")) {
        return yield* new InvalidArgument({ argument: "names", reason: "expected non-empty file names" })
      }
      return paginate(
        (cursor) =>
          Effect.gen(function*() {
            const data = yield* gql.execute(operations.files, {
              ...membershipOf(artifact),
              fileNames: names ?? null,
              cursor,
              perPage
            })
            const membership = data.project?.artifactCollection?.artifactMembership
            if (membership == null) return yield* notFound(artifact)
            return pageOf(membership.files)
          }),
        decodeFile
      )
    }))

  const fileUrls = (artifact: Artifact) =>
    paginate(
      (cursor) =>
        Effect.gen(function*() {
          const data = yield* gql.execute(operations.fileUrls, { ...membershipOf(artifact), cursor, perPage: MAX_PAGE_SIZE })
          const membership = data.project?.artifactCollection?.artifactMembership
          if (membership == null) return yield* notFound(artifact)
          return pageOf(membership.files)
        }),
      (node): Artifacts.FileUrl => ({ name: node.name, directUrl: node.directUrl })
    )

  const manifest = Effect.fn("Artifacts.manifest")(function*(artifact: Artifact) {
    const data = yield* gql.execute(operations.manifest, { id: artifact.id })
    const url = data.artifact?.currentManifest?.file.directUrl
    if (data.artifact == null) return yield* notFound(artifact)
    if (url == null) {
      return yield* new DecodeError({ entity: "Artifact", field: "currentManifest.file.directUrl", reason: "missing" })
    }
    const response = yield* http.execute(HttpClientRequest.get(url)).pipe(
      Effect.mapError((error) => new TransportError({ attempts: 1, reason: `manifest of ${artifact.qualifiedName}: ${error.message}` }))
    )
    if (response.status === 404) return yield* notFound(artifact)
    if (response.status < 200 || response.status >= 300) {
      yield* Effect.ignore(response.text)
      return yield* new ServerError({ status: response.status, attempts: 1, reason: `manifest of ${artifact.qualifiedName}` })
    }
    const json = yield* response.json.pipe(
      Effect.mapError((error) => new DecodeError({ entity: "Manifest", field: "(body)", reason: error.message }))
    )
    return yield* Schema.decodeUnknown(ManifestFromJson)(json).pipe(
      Effect.mapError((error) => new DecodeError({ entity: "Manifest", field: "(body)", reason: error.message }))
    )
  }, Effect.scoped)

  const runArtifacts = (direction: "outputs" | "inputs") => (run: Run | WandbApi.WandbApi.Path, options?: Artifacts.PageOptions) =>
    Stream.unwrap(Effect.gen(function*() {
      const perPage = yield* pageSize(options?.perPage)
      const target = typeof run === "object" && !Array.isArray(run) && "storageId" in run
        ? run as Run
        : yield* api.run(run as WandbApi.WandbApi.Path)
      const at = { entity: target.entity, project: target.project }
      return paginate(
        (cursor) =>
          Effect.gen(function*() {
            const data = yield* gql.execute(operations[direction], { ...at, run: target.id, cursor, perPage })
            return pageOf(data.project?.run?.artifacts)
          }),
        (node) => decodeArtifact(node, at)
      )
    }))

  const usedBy = Effect.fn("Artifacts.usedBy")(function*(artifact: Artifact) {
    const data = yield* gql.execute(operations.usedBy, { id: artifact.id })
    if (data.artifact == null) return yield* notFound(artifact)
    return yield* decodeAll(
      data.artifact.usedBy.edges.flatMap((edge) => (edge.node == null ? [] : [edge.node])),
      (node) => decodeRunRef(node, artifact)
    )
  })

  const createdBy = Effect.fn("Artifacts.createdBy")(function*(artifact: Artifact) {
    const data = yield* gql.execute(operations.createdBy, { id: artifact.id })
    if (data.artifact == null) return yield* notFound(artifact)
    const creator = data.artifact.createdBy
    if (creator == null || creator.__typename !== "Run" || creator.id === undefined || creator.name === undefined) {
      return Option.none<RunRef>()
    }
    const node = { id: creator.id, name: creator.name, project: creator.project }
    return Option.some(yield* decodeOne(node, (node) => decodeRunRef(node, artifact)))
  })

  return Artifacts.of({
    artifactTypes,
    artifactType,
    collections,
    collection,
    versions,
    artifact,
    files,
    fileUrls,
    manifest,
    loggedArtifacts: runArtifacts("outputs"),
    usedArtifacts: runArtifacts("inputs"),
    usedBy,
    createdBy
  })
})

/**
 * The service on an existing client (`WandbApi.layer`, `NodeWandb.layer()`, …).
 *
 * @example
 * ```ts
 * import { Artifacts, WandbApi } from "@effect-wandb/core"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * // on Node, NodeWandb.layer() can stand in for WandbApi.layer() + FetchHttpClient.layer
 * const layer = Artifacts.layer.pipe(Layer.provideMerge(WandbApi.layer()), Layer.provide(FetchHttpClient.layer))
 * const program = Effect.flatMap(Artifacts.Artifacts, (artifacts) => artifacts.artifact("acme-ml/mnist-cnn/classifier:best"))
 * const main = () => program.pipe(Effect.provide(layer), Effect.runPromise)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  Artifacts,
  never,
  WandbApi.WandbApi | GraphQLClient.GraphQLClient | WandbConfig.WandbConfig | WandbHttpClient.WandbHttpClient
> = Layer.effect(Artifacts, make)
