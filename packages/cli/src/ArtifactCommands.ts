/**
 * The artifact commands: `artifacts <entity/project> [--type t]` (every version of every
 * collection), `artifact <name:alias>` (one version: metadata, aliases, lineage, files),
 * `artifact download <name:alias> --root dir [--replace]` (verified, staged, resumable; a
 * progress bar on a terminal) and `artifact verify <name:alias> --root dir` (exit code 8 when
 * files are missing, changed or extra).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { Artifact } from "@effect-wandb/core/Artifact"
import * as ArtifactDownload from "@effect-wandb/core/ArtifactDownload"
import { Artifacts } from "@effect-wandb/core/Artifacts"
import { InvalidArgument, ManifestMismatch } from "@effect-wandb/core/Errors"
import type * as Run from "@effect-wandb/core/Run"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Client from "./Client.js"
import * as GlobalOptions from "./GlobalOptions.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as Stdio from "./Stdio.js"

const common = { format: GlobalOptions.format, ...GlobalOptions.connection }

const nameArg = Args.text({ name: "name:alias" }).pipe(
  Args.withDescription("entity/project/name:alias (also project/name:vN, name:alias, name for :latest, or the artifact's id)")
)

/**
 * One version as a listing row.
 *
 * @since 0.1.0
 * @category columns
 */
export const artifactRow = (artifact: Artifact): Output.Row => ({
  name: artifact.name,
  qualifiedName: artifact.qualifiedName,
  type: artifact.type,
  version: artifact.version,
  aliases: artifact.aliases,
  size: artifact.size,
  fileCount: artifact.fileCount,
  state: artifact.state,
  createdAt: artifact.createdAt,
  digest: artifact.digest,
  description: artifact.description,
  metadata: artifact.metadata,
  id: artifact.id
})

/**
 * The columns `artifacts` shows.
 *
 * @since 0.1.0
 * @category columns
 */
export const artifactColumns: ReadonlyArray<string> = ["name", "type", "aliases", "size", "fileCount", "createdAt"]

const artifacts = Command.make(
  "artifacts",
  {
    path: Args.text({ name: "entity/project" }),
    type: Options.text("type").pipe(Options.withDescription("Only artifacts of this type (dataset, model, …)"), Options.optional),
    ...common
  },
  (o) =>
    Client.withApi(o, () =>
      Effect.gen(function*() {
        const service = yield* Artifacts
        const versions = service.collections(o.path, { type: Option.getOrUndefined(o.type) }).pipe(
          Stream.flatMap((collection) => service.versions(collection.type, collection.path)),
          Stream.map(artifactRow)
        )
        yield* Stdio.outStream(Output.render(GlobalOptions.resolveFormat(o.format), artifactColumns, versions))
      }))
).pipe(Command.withDescription("List the artifact versions of a project (every collection, newest version first)."))

const runPaths = (runs: ReadonlyArray<{ readonly path: string }>) => runs.map((run) => run.path)

const show = Command.make("artifact", { name: nameArg.pipe(Args.optional), ...common }, (o) =>
  Client.withApi(o, () =>
    Effect.gen(function*() {
      if (Option.isNone(o.name)) {
        return yield* new InvalidArgument({ argument: "name:alias", reason: "expected an artifact name (see --help)" })
      }
      const service = yield* Artifacts
      const artifact = yield* service.artifact(o.name.value)
      const manifest = yield* service.manifest(artifact)
      const createdBy = yield* service.createdBy(artifact)
      const usedBy = yield* service.usedBy(artifact)
      const format = GlobalOptions.resolveFormat(o.format)
      const files = manifest.entries.map((entry) =>
        format === "table" || format === "csv"
          ? `${entry.path} (${entry.ref ?? `${entry.size ?? "?"} bytes`})`
          : { path: entry.path, size: entry.size, digest: entry.digest, ref: entry.ref }
      )
      yield* Stdio.out(Output.renderOne(format, {
        ...artifactRow(artifact),
        createdBy: Option.getOrNull(Option.map(createdBy, (run) => run.path)),
        usedBy: runPaths(usedBy),
        files
      }))
    }))).pipe(Command.withDescription("Show one artifact version: metadata, aliases, lineage and files."))

const rootOption = Options.text("root").pipe(Options.withDescription("The directory of the artifact's files"))

const download = Command.make(
  "download",
  {
    name: nameArg,
    root: rootOption,
    replace: Options.boolean("replace").pipe(Options.withDescription("Overwrite files that differ from the artifact's")),
    concurrency: Options.integer("concurrency").pipe(Options.withDescription("Files fetched at once"), Options.withDefault(4)),
    pathPrefix: Options.text("path-prefix").pipe(Options.withDescription("Only files whose path starts with this"), Options.optional),
    ...common
  },
  (o) =>
    Client.withApi(o, () =>
      Effect.gen(function*() {
        const artifact = yield* Effect.flatMap(Artifacts, (service) => service.artifact(o.name))
        const progress = yield* Progress.make("download", "bytes")
        const report = yield* ArtifactDownload.download(artifact, {
          root: o.root,
          replace: o.replace,
          concurrency: o.concurrency,
          pathPrefix: Option.getOrUndefined(o.pathPrefix),
          onEvent: (event) => progress.update(event.overall.bytesDone, event.overall.totalBytes)
        })
        const rows = [
          ...report.fetched.map((path) => ({ path, status: "fetched" })),
          ...report.present.map((path) => ({ path, status: "present" })),
          ...report.references.map((entry) => ({ path: entry.path, status: `reference ${entry.ref}` }))
        ].sort((a, b) => (a.path < b.path ? -1 : 1))
        yield* Stdio.outStream(Output.render(GlobalOptions.resolveFormat(o.format), ["path", "status"], Stream.fromIterable(rows)))
      }).pipe(Effect.scoped))
).pipe(
  Command.withDescription(
    "Download an artifact version into --root (each file checked against the manifest; nothing lands in --root unless every file does; files already there are kept; an interrupted download resumes)."
  )
)

const verify = Command.make("verify", { name: nameArg, root: rootOption, ...common }, (o) =>
  Client.withApi(o, () =>
    Effect.gen(function*() {
      const artifact = yield* Effect.flatMap(Artifacts, (service) => service.artifact(o.name))
      const report = yield* ArtifactDownload.verify(artifact, o.root)
      const rows = [
        ...report.missing.map((path) => ({ path, status: "missing" })),
        ...report.changed.map((path) => ({ path, status: "changed" })),
        ...report.extra.map((path) => ({ path, status: "extra" })),
        ...report.references.map((path) => ({ path, status: "reference (not checked)" }))
      ]
      yield* Stdio.outStream(Output.render(GlobalOptions.resolveFormat(o.format), ["path", "status"], Stream.fromIterable(rows)))
      if (!report.ok) {
        return yield* new ManifestMismatch({
          artifact: artifact.qualifiedName,
          path: o.root,
          reason: `${report.missing.length} missing, ${report.changed.length} changed, ${report.extra.length} extra`
        })
      }
    }))).pipe(Command.withDescription("Check a directory against an artifact version: missing, changed and extra files."))

/**
 * `loggedArtifacts` and `usedArtifacts` of a run as qualified names, for `run`.
 *
 * @since 0.1.0
 * @category lineage
 */
export const runArtifacts = (run: Run.Run) =>
  Effect.gen(function*() {
    const service = yield* Artifacts
    const names = <E>(stream: Stream.Stream<Artifact, E>) =>
      Effect.map(Stream.runCollect(Stream.map(stream, (artifact) => artifact.qualifiedName)), Chunk.toReadonlyArray)
    return {
      loggedArtifacts: yield* names(service.loggedArtifacts(run)),
      usedArtifacts: yield* names(service.usedArtifacts(run))
    }
  })

/**
 * The artifact commands, in help order.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands = [artifacts, show.pipe(Command.withSubcommands([download, verify]))] as const
