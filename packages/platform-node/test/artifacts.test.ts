/**
 * `Artifacts` and `ArtifactDownload` over real HTTP against the local server, writing to the
 * real disk: every operation, every error, an interrupted download resumed without fetching
 * the completed files again, a corrupted file detected, a manifest path escaping the root
 * refused. The server's request hook counts artifact file requests (per hex digest) and its
 * body transform corrupts chosen files.
 */
import { describe, expect, layer } from "@effect/vitest"
import { ArtifactDownload, Artifacts } from "@effect-wandb/core"
import { ArtifactStore } from "@effect-wandb/server"
import { FileSystem, Path } from "@effect/platform"
import { Chunk, Context, Deferred, Effect, Fiber, Option, Stream } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { readdirSync } from "node:fs"
import { Demo, layer as demoLayer } from "./fixtures.js"

type Sql = Effect.Effect.Context<ReturnType<typeof ArtifactStore.putArtifact>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

const ENTITY = "demo"
const PROJECT = "mnist-cnn"

/** Per hex digest: GETs of artifact bytes that reached the server. */
const requests = new Map<string, number>()
/** Hex digests whose bodies the server corrupts (first byte flipped). */
const corrupt = new Set<string>()
/** Hex digests whose bodies stop after their first chunk and never end. */
const stall = new Set<string>()

const TestLayer = demoLayer({
  demo: { projects: 1, runsPerProject: 8, stepsPerRun: 1, filesPerRun: 0, largeFileBytes: 0 },
  client: { project: PROJECT, retry: { maxAttempts: 1 } },
  server: {
    transformFileBody: (file, body) => {
      if (file.run !== "artifacts") return body
      if (stall.has(file.name)) return Stream.concat(Stream.take(body, 1), Stream.never)
      return corrupt.has(file.name) ? Stream.map(body, (chunk) => chunk.map((byte, i) => (i === 0 ? byte ^ 0xff : byte))) : body
    },
    faultInjection: (request) =>
      Effect.sync(() => {
        const hex = /^\/artifacts\/[^/]+\/([0-9a-f]{32})$/.exec(request.url)?.[1]
        if (hex !== undefined) requests.set(hex, (requests.get(hex) ?? 0) + 1)
        return Option.none()
      })
  }
})

const hexOf = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")
const b64Of = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64")
const fetchedCount = (files: ReadonlyArray<Uint8Array>) =>
  files.reduce((sum, bytes) => sum + (requests.get(hexOf(bytes)) ?? 0), 0)

/** A new collection `name` (type `dataset`) with these files, logged by the project's first run. */
const putVersion = (name: string, files: ReadonlyArray<ArtifactStore.ArtifactFileSpec>) =>
  Effect.gen(function*() {
    const { sql, summary } = yield* Demo
    yield* ArtifactStore.putArtifact({
      entity: ENTITY,
      project: PROJECT,
      type: "dataset",
      collection: name,
      files,
      createdBy: summary.projects[0]!.runs[0]!.name
    }).pipe(Effect.provideService(Sql, sql), Effect.orDie)
    const artifacts = yield* Artifacts.Artifacts
    return yield* artifacts.artifact(`${ENTITY}/${PROJECT}/${name}:latest`)
  })

/** Three files (one nested) of random bytes, unique to the caller. */
const threeFiles = () => {
  const bytes = { a: randomBytes(70_000), b: randomBytes(1_300_000), c: randomBytes(10) }
  const files: ReadonlyArray<ArtifactStore.ArtifactFileSpec> = [
    { path: "a.bin", content: bytes.a },
    { path: "nested/dir/b.bin", content: bytes.b },
    { path: "c.txt", content: bytes.c }
  ]
  return { bytes, files }
}

const tempRoot = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "wandb-art-" }))

/** Everything under `dir`, recursively, sorted (`[]` when it does not exist). */
const tree = (dir: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    return (yield* fs.exists(dir)) ? (yield* fs.readDirectory(dir, { recursive: true })).sort() : []
  })

describe("Artifacts (Node, local server)", () => {
  layer(TestLayer, { excludeTestServices: true, timeout: 60_000 })("artifacts", (it) => {
    it.effect("lists types, collections and versions (paged), and reads a collection", () =>
      Effect.gen(function*() {
        const artifacts = yield* Artifacts.Artifacts
        const types = yield* Stream.runCollect(artifacts.artifactTypes(`${ENTITY}/${PROJECT}`))
        expect(Chunk.toReadonlyArray(types).map((t) => t.name)).toEqual(expect.arrayContaining(["dataset", "model"]))
        const model = yield* artifacts.artifactType(PROJECT, "model")
        expect(model).toMatchObject({ entity: ENTITY, project: PROJECT, name: "model" })
        const all = yield* Stream.runCollect(artifacts.collections(PROJECT, { perPage: 1 }))
        expect(Chunk.toReadonlyArray(all).map((c) => c.name)).toEqual(expect.arrayContaining(["training-data", "classifier"]))
        const models = yield* Stream.runCollect(artifacts.collections(PROJECT, { type: "model" }))
        expect(Chunk.toReadonlyArray(models).map((c) => `${c.type}/${c.name}`)).toEqual(["model/classifier"])
        const collection = yield* artifacts.collection("model", "classifier")
        expect(collection.path).toBe(`${ENTITY}/${PROJECT}/classifier`)
        const versions = yield* Stream.runCollect(artifacts.versions("model", `${PROJECT}/classifier`, { perPage: 2 }))
        expect(Chunk.toReadonlyArray(versions).map((v) => [v.version, v.aliases])).toEqual([
          ["v2", ["latest"]],
          ["v1", ["best"]],
          ["v0", []]
        ])
        expect(Chunk.unsafeGet(versions, 1).metadata).toEqual({ val_accuracy: 0.95, epochs: 20 })
      }))

    it.effect("reads a version by every name form and by id", () =>
      Effect.gen(function*() {
        const artifacts = yield* Artifacts.Artifacts
        const best = yield* artifacts.artifact(`${ENTITY}/${PROJECT}/classifier:best`)
        expect(best).toMatchObject({ collection: "classifier", versionIndex: 1, type: "model", aliases: ["best"] })
        expect(best.qualifiedName).toBe(`${ENTITY}/${PROJECT}/classifier:v1`)
        expect((yield* artifacts.artifact(`${PROJECT}/classifier:v1`)).id).toBe(best.id)
        expect((yield* artifacts.artifact("classifier:best")).id).toBe(best.id)
        expect((yield* artifacts.artifact("classifier")).versionIndex).toBe(2)
        const byId = yield* artifacts.artifact(best.id)
        expect(byId.qualifiedName).toBe(best.qualifiedName)
        expect(byId.digest).toBe(best.digest)
        expect((yield* artifacts.artifact("classifier:best", { type: "model" })).id).toBe(best.id)
      }))

    it.effect("fails with a typed error for each kind of miss", () =>
      Effect.gen(function*() {
        const artifacts = yield* Artifacts.Artifacts
        const tag = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
          Effect.map(Effect.flip(effect), (error) => error._tag)
        expect(yield* tag(artifacts.artifact("classifier:v9"))).toBe("AliasNotFound")
        expect(yield* tag(artifacts.artifact("classifier:production"))).toBe("AliasNotFound")
        expect(yield* tag(artifacts.artifact("no-such-thing:latest"))).toBe("ArtifactNotFound")
        expect(yield* tag(artifacts.artifact(`${ENTITY}/no-project/classifier:latest`))).toBe("ProjectNotFound")
        expect(yield* tag(artifacts.artifact(Buffer.from("Artifact:987654").toString("base64")))).toBe("ArtifactNotFound")
        expect(yield* tag(artifacts.artifact("a/b/c/d:latest"))).toBe("InvalidPath")
        expect(yield* tag(artifacts.artifact("classifier:"))).toBe("InvalidPath")
        expect(yield* tag(artifacts.artifact("classifier:best", { type: "dataset" }))).toBe("InvalidArgument")
        expect(yield* tag(artifacts.artifactType(PROJECT, "checkpoint"))).toBe("ArtifactTypeNotFound")
        expect(yield* tag(Stream.runCollect(artifacts.collections(PROJECT, { type: "checkpoint" })))).toBe(
          "ArtifactTypeNotFound"
        )
        expect(yield* tag(artifacts.collection("model", "no-such-collection"))).toBe("ArtifactNotFound")
        expect(yield* tag(artifacts.collection("checkpoint", "classifier"))).toBe("ArtifactTypeNotFound")
        expect(yield* tag(Stream.runCollect(artifacts.versions("model", `${ENTITY}/nope/classifier`)))).toBe("ProjectNotFound")
        expect(yield* tag(Stream.runCollect(artifacts.artifactTypes(PROJECT, { perPage: 0 })))).toBe("InvalidArgument")
        expect(yield* tag(Stream.runCollect(artifacts.loggedArtifacts(`${ENTITY}/${PROJECT}/nosuchrun`)))).toBe("RunNotFound")
      }))

    it.effect("reads files and the manifest: digests are the base64 MD5 of the served bytes", () =>
      Effect.gen(function*() {
        const artifacts = yield* Artifacts.Artifacts
        const data = yield* artifacts.artifact("training-data:latest")
        const manifest = yield* artifacts.manifest(data)
        expect(manifest.entries.map((e) => e.path)).toEqual([
          "README.md",
          "images/sample-000.png",
          "images/sample-001.png",
          "labels.json",
          "shards/train-000.bin"
        ])
        expect(manifest.entry("shards/train-000.bin")!.size).toBe(3 * 1024 * 1024)
        const files = yield* Stream.runCollect(artifacts.files(data, { perPage: 2 }))
        expect(Chunk.toReadonlyArray(files).map((f) => f.name)).toEqual(manifest.entries.map((e) => e.path))
        const labels = yield* Stream.runCollect(artifacts.files(data, { names: ["labels.json"] }))
        expect(Chunk.unsafeHead(labels).digest).toBe(manifest.entry("labels.json")!.digest)
        // v1 and v2 share the shard: its birth artifact is v0
        const v0 = yield* artifacts.artifact("training-data:v0")
        expect(manifest.entry("shards/train-000.bin")!.birthArtifactId).toBe(v0.id)
        expect(manifest.entry("labels.json")!.birthArtifactId).toBe(data.id)
      }))

    it.effect("lineage: logged and used artifacts of runs, the runs of an artifact", () =>
      Effect.gen(function*() {
        const artifacts = yield* Artifacts.Artifacts
        const { summary } = yield* Demo
        const runs = summary.projects[0]!.runs.map((run) => run.name)
        const logged = yield* Stream.runCollect(artifacts.loggedArtifacts(`${ENTITY}/${PROJECT}/${runs[3]}`))
        expect(Chunk.toReadonlyArray(logged).map((a) => a.name)).toEqual(["classifier:v0"])
        const used = yield* Stream.runCollect(artifacts.usedArtifacts(`${PROJECT}/${runs[3]}`))
        expect(Chunk.toReadonlyArray(used).map((a) => a.name)).toEqual(["training-data:v1"])
        const stable = yield* artifacts.artifact("training-data:stable")
        expect((yield* artifacts.usedBy(stable)).map((run) => run.path)).toEqual([
          `${ENTITY}/${PROJECT}/${runs[3]}`,
          `${ENTITY}/${PROJECT}/${runs[4]}`
        ])
        const best = yield* artifacts.artifact("classifier:best")
        expect(Option.map(yield* artifacts.createdBy(best), (run) => run.id)).toEqual(Option.some(runs[4]))
      }))

    it.scoped("downloads every file verified into the root, then a second download fetches nothing", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const { bytes, files } = threeFiles()
        const artifact = yield* putVersion("full-download", files)
        const root = path.join(yield* tempRoot, "out")
        const events: Array<string> = []
        const report = yield* ArtifactDownload.download(artifact, {
          root,
          concurrency: 2,
          onEvent: (event) => Effect.sync(() => events.push(event._tag))
        })
        expect([...report.fetched].sort()).toEqual(["a.bin", "c.txt", "nested/dir/b.bin"])
        expect(report.bytesFetched).toBe(70_000 + 1_300_000 + 10)
        expect(events.filter((e) => e === "Finished")).toHaveLength(3)
        expect(events.at(-1)).toBe("Completed")
        expect(Buffer.from(yield* fs.readFile(path.join(root, "nested/dir/b.bin"))).equals(bytes.b)).toBe(true)
        expect(yield* tree(root)).toEqual(["a.bin", "c.txt", "nested", "nested/dir", "nested/dir/b.bin"])
        // the staging directory is gone
        expect((yield* fs.readDirectory(path.dirname(root))).filter((name) => name.endsWith(".staging"))).toEqual([])
        expect(yield* ArtifactDownload.verify(artifact, root)).toMatchObject({ ok: true, missing: [], changed: [], extra: [] })
        const before = fetchedCount([bytes.a, bytes.b, bytes.c])
        expect(before).toBe(3)
        const again = yield* ArtifactDownload.download(artifact, { root })
        expect([...again.present].sort()).toEqual(["a.bin", "c.txt", "nested/dir/b.bin"])
        expect(again.fetched).toEqual([])
        expect(fetchedCount([bytes.a, bytes.b, bytes.c])).toBe(before)
      }))

    it.scoped("a root named '.' (or ending in '/.') keeps the staging directory outside it", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const { files } = threeFiles()
        const artifact = yield* putVersion("dot-root", files)
        const parent = yield* tempRoot
        yield* fs.makeDirectory(path.join(parent, "sub"))
        const seen: Array<ReadonlyArray<string>> = []
        yield* ArtifactDownload.download(artifact, {
          root: `${parent}/sub/.`,
          onEvent: (event) =>
            Effect.sync(() => {
              if (event._tag === "Completed") seen.push(readdirSync(parent, { recursive: true }).map(String).sort())
            })
        })
        // while the files were staged, the root held none of them: the staging directory was beside it
        expect(seen[0]!.filter((entry) => entry.startsWith("sub/"))).toEqual([])
        expect(seen[0]!.some((entry) => /^\.sub\.[0-9a-f]{32}\.staging$/.test(entry))).toBe(true)
        expect(yield* tree(path.join(parent, "sub"))).toEqual(["a.bin", "c.txt", "nested", "nested/dir", "nested/dir/b.bin"])
        expect(yield* tree(parent)).toEqual(["sub", ...(yield* tree(path.join(parent, "sub"))).map((e) => `sub/${e}`)])
      }))

    it.scoped("a corrupted file fails the download with ManifestMismatch and leaves the root as it was; the retry fetches only that file", () =>
      Effect.gen(function*() {
        const path = yield* Path.Path
        const { bytes, files } = threeFiles()
        const artifact = yield* putVersion("corrupted-then-resumed", files)
        const root = path.join(yield* tempRoot, "out")
        corrupt.add(hexOf(bytes.b))
        const error = yield* Effect.flip(ArtifactDownload.download(artifact, { root, concurrency: 1 }))
        expect(error._tag).toBe("ManifestMismatch")
        expect(error).toMatchObject({ path: "nested/dir/b.bin" })
        expect(yield* tree(root)).toEqual([])
        // the server serves the right bytes again: only the file that failed is fetched
        corrupt.delete(hexOf(bytes.b))
        const counts = [bytes.a, bytes.b, bytes.c].map((b) => requests.get(hexOf(b)) ?? 0)
        const report = yield* ArtifactDownload.download(artifact, { root })
        expect([bytes.a, bytes.b, bytes.c].map((b) => (requests.get(hexOf(b)) ?? 0))).toEqual([
          counts[0],
          counts[1]! + 1,
          counts[2]
        ])
        expect(report.bytesFetched).toBe(1_300_000)
        expect(yield* ArtifactDownload.verify(artifact, root)).toMatchObject({ ok: true })
      }))

    it.scoped("an interrupted download resumes without re-fetching the files it completed", () =>
      Effect.gen(function*() {
        const path = yield* Path.Path
        const { bytes, files } = threeFiles()
        const artifact = yield* putVersion("interrupted", files)
        const root = path.join(yield* tempRoot, "out")
        // b.bin hangs after its first chunk; the download is interrupted once a.bin and c.txt are in
        stall.add(hexOf(bytes.b))
        const twoDone = yield* Deferred.make<void>()
        let finished = 0
        const fiber = yield* Effect.fork(ArtifactDownload.download(artifact, {
          root,
          concurrency: 3,
          onEvent: (event) => event._tag === "Finished" && ++finished === 2 ? Deferred.succeed(twoDone, undefined) : Effect.void
        }))
        yield* Deferred.await(twoDone)
        yield* Fiber.interrupt(fiber)
        expect(yield* tree(root)).toEqual([])
        stall.delete(hexOf(bytes.b))
        const before = [bytes.a, bytes.b, bytes.c].map((b) => requests.get(hexOf(b)) ?? 0)
        expect(before).toEqual([1, 1, 1])
        const report = yield* ArtifactDownload.download(artifact, { root })
        // one more request, for the file that had not finished; the others come from the staging directory
        expect([bytes.a, bytes.b, bytes.c].map((b) => requests.get(hexOf(b)) ?? 0)).toEqual([1, 2, 1])
        expect(report.bytesFetched).toBe(1_300_000)
        expect([...report.fetched].sort()).toEqual(["a.bin", "c.txt", "nested/dir/b.bin"])
        expect(yield* ArtifactDownload.verify(artifact, root)).toMatchObject({ ok: true })
      }))

    it.scoped("a manifest entry the server lists no file for is a ManifestMismatch, before anything is fetched", () =>
      Effect.gen(function*() {
        const path = yield* Path.Path
        const { bytes, files } = threeFiles()
        const artifact = yield* putVersion("entry-without-file", files)
        const { sql } = yield* Demo
        // the manifest keeps c.txt (no ref) while the server no longer lists a file for it
        yield* Effect.flatMap(Sql, (client) =>
          client.unsafe("UPDATE artifact_files SET blob_id = NULL WHERE path = 'c.txt' AND artifact_id IN (SELECT id FROM artifacts WHERE digest = ?)", [
            artifact.digest
          ])).pipe(Effect.provideService(Sql, sql), Effect.orDie)
        const root = path.join(yield* tempRoot, "out")
        const error = yield* Effect.flip(ArtifactDownload.download(artifact, { root }))
        expect(error).toMatchObject({ _tag: "ManifestMismatch", path: "c.txt", reason: "the server lists no file for this manifest entry" })
        expect(fetchedCount([bytes.a, bytes.b, bytes.c])).toBe(0)
        expect(yield* tree(root)).toEqual([])
      }))

    it.scoped("an existing different file fails with FileAlreadyExists before any request; replace overwrites it", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const { bytes, files } = threeFiles()
        const artifact = yield* putVersion("existing-target", files)
        const root = yield* tempRoot
        yield* fs.writeFileString(path.join(root, "c.txt"), "mine")
        const error = yield* Effect.flip(ArtifactDownload.download(artifact, { root }))
        expect(error).toMatchObject({ _tag: "FileAlreadyExists", path: path.join(root, "c.txt") })
        expect(fetchedCount([bytes.a, bytes.b, bytes.c])).toBe(0)
        expect(yield* tree(root)).toEqual(["c.txt"])
        expect(yield* fs.readFileString(path.join(root, "c.txt"))).toBe("mine")
        yield* ArtifactDownload.download(artifact, { root, replace: true })
        expect(Buffer.from(yield* fs.readFile(path.join(root, "c.txt"))).equals(bytes.c)).toBe(true)
      }))

    it.scoped("a manifest path that would escape the root is refused before anything is fetched or written", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const safe = randomBytes(1000)
        const evil = randomBytes(1000)
        const artifact = yield* putVersion("escaping", [
          { path: "ok.bin", content: safe },
          { path: "../escaped.bin", content: evil }
        ])
        const parent = yield* tempRoot
        const root = path.join(parent, "out")
        const error = yield* Effect.flip(ArtifactDownload.download(artifact, { root }))
        expect(error).toMatchObject({ _tag: "UnsafeFileName", name: "../escaped.bin" })
        expect(yield* tree(parent)).toEqual([])
        expect(fetchedCount([safe, evil])).toBe(0)
        const check = yield* Effect.flip(ArtifactDownload.verify(artifact, root))
        expect(check._tag).toBe("UnsafeFileName")
        expect(yield* fs.exists(path.join(parent, "escaped.bin"))).toBe(false)
      }))

    it.scoped("reference entries are reported, not fetched; verify tells missing, changed and extra files", () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const { bytes, files } = threeFiles()
        const artifact = yield* putVersion("with-reference", [
          ...files,
          { path: "remote/table.parquet", ref: "s3://bucket/table.parquet", digest: "etag-1", size: 12 }
        ])
        const root = yield* tempRoot
        const report = yield* ArtifactDownload.download(artifact, { root })
        expect(report.references.map((entry) => [entry.path, entry.ref])).toEqual([[
          "remote/table.parquet",
          "s3://bucket/table.parquet"
        ]])
        expect(yield* fs.exists(path.join(root, "remote"))).toBe(false)
        yield* fs.remove(path.join(root, "a.bin"))
        yield* fs.writeFile(path.join(root, "c.txt"), Buffer.from(bytes.c.map((b) => b ^ 1)))
        yield* fs.writeFileString(path.join(root, "nested/notes.md"), "extra")
        const result = yield* ArtifactDownload.verify(artifact, root)
        expect(result).toEqual({
          missing: ["a.bin"],
          changed: ["c.txt"],
          extra: ["nested/notes.md"],
          references: ["remote/table.parquet"],
          ok: false
        })
        expect(b64Of(yield* fs.readFile(path.join(root, "nested/dir/b.bin")))).toBe(
          (yield* (yield* Artifacts.Artifacts).manifest(artifact)).entry("nested/dir/b.bin")!.digest
        )
      }))
  })
})
