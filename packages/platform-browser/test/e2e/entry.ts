/**
 * The program the browser end-to-end test runs in Chromium (bundled by esbuild). It reads its
 * settings from `globalThis.__config` and leaves a JSON-able report in `globalThis.__result`.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as ArtifactDownload from "@effect-wandb/core/ArtifactDownload"
import * as Artifacts from "@effect-wandb/core/Artifacts"
import * as Download from "@effect-wandb/core/Download"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import * as BrowserWandb from "@effect-wandb/platform-browser/BrowserWandb"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

interface E2eConfig {
  readonly apiKey: string
  /** `entity/project` whose runs are listed. */
  readonly project: string
  /** The run whose file `fileName` is downloaded. */
  readonly run: string
  readonly fileName: string
  /** An artifact (`name:alias` in `project`) downloaded into OPFS. */
  readonly artifact: string
}

declare const globalThis: {
  __config: E2eConfig
  __result: unknown
  location: { origin: string }
  crypto: { subtle: { digest: (algorithm: string, data: Uint8Array) => Promise<ArrayBuffer> } }
}

const sha256 = (bytes: Uint8Array) =>
  Effect.promise(async () => {
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes))
    return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")
  })

/** The real clock an hour ahead: to it, every file written by this page is an hour old. */
const hourAhead: Clock.Clock = (() => {
  const real = Clock.make()
  const ahead = 3_600_000
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => real.unsafeCurrentTimeMillis() + ahead,
    currentTimeMillis: Effect.sync(() => real.unsafeCurrentTimeMillis() + ahead),
    unsafeCurrentTimeNanos: () => real.unsafeCurrentTimeNanos() + BigInt(ahead) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => real.unsafeCurrentTimeNanos() + BigInt(ahead) * 1_000_000n),
    sleep: real.sleep
  }
})()

/** Bytes of the file a killed download is supposed to have left in its `.part`. */
const PREFIX = 1_000_000

const outcome = <A, E extends { readonly _tag: string; readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.match(effect, {
    onSuccess: (value) => ({ ok: true as const, value }),
    onFailure: (error) => ({ ok: false as const, tag: error._tag, message: error.message })
  })

const program = Effect.gen(function*() {
  const config = globalThis.__config
  const api = yield* WandbApi.WandbApi
  const fs = yield* FileSystem.FileSystem
  yield* fs.remove("e2e", { recursive: true, force: true })

  const runs = Chunk.toReadonlyArray(yield* Stream.runCollect(api.runs(config.project)))
  const files = Chunk.toReadonlyArray(yield* Stream.runCollect(api.files(`${config.project}/${config.run}`)))
  const file = files.find((f) => f.name === config.fileName)
  if (file === undefined) return yield* Effect.dieMessage(`${config.fileName} is not listed`)
  const path = yield* Download.download(file, { root: "e2e" })
  const bytes = yield* fs.readFile(path)
  const again = yield* outcome(Download.download(file, { root: "e2e" }))
  const replaced = yield* outcome(Download.download(file, { root: "e2e", replace: true }))
  const directory = path.replace(/\/[^/]*$/, "")
  const listing = yield* fs.readDirectory(directory)

  // `.part` files left by downloads killed midway. A page cannot date an OPFS file back, so the
  // downloads that should find them stale run on a clock an hour ahead.
  const part = (id: string) => `${directory}/.${path.slice(directory.length + 1)}.${id}.part`
  const downloadAgain = Download.download(file, { root: "e2e", replace: true })
  const downloaded = Effect.flatMap(fs.readFile(path), sha256)
  const sortedListing = Effect.map(fs.readDirectory(directory), (names) => [...names].sort())
  yield* fs.writeFile(part("killed1"), bytes.subarray(0, PREFIX))
  yield* fs.writeFile(part("killed2"), bytes.subarray(0, 1000))
  yield* downloadAgain
  const partsWhileFresh = { sha256: yield* downloaded, listing: yield* sortedListing }
  yield* Effect.withClock(downloadAgain, hourAhead)
  const prefixResumed = { sha256: yield* downloaded, listing: yield* sortedListing }
  yield* fs.writeFile(part("killed3"), new Uint8Array(100_000).fill(0xab))
  yield* Effect.withClock(downloadAgain, hourAhead)
  const otherBytesRefetched = { sha256: yield* downloaded, listing: yield* sortedListing }

  // The OPFS FileSystem beyond what a download touches.
  const missingParent = yield* outcome(fs.writeFileString("e2e/fs/a.txt", "first"))
  yield* fs.makeDirectory("e2e/fs/deep/er", { recursive: true })
  yield* fs.writeFileString("e2e/fs/a.txt", "first")
  yield* fs.writeFileString("e2e/fs/b.txt", "second")
  const exclusive = yield* outcome(fs.writeFileString("e2e/fs/a.txt", "x", { flag: "wx" }))
  yield* fs.rename("e2e/fs/b.txt", "e2e/fs/a.txt")
  const renamed = yield* fs.readFileString("e2e/fs/a.txt")
  const bGone = !(yield* fs.exists("e2e/fs/b.txt"))
  const stat = yield* fs.stat("e2e/fs/a.txt")
  const dirStat = yield* fs.stat("e2e/fs/deep")
  const chunks = yield* fs.stream("e2e/fs/a.txt", { chunkSize: FileSystem.Size(4) }).pipe(
    Stream.map((chunk) => new TextDecoder().decode(chunk)),
    Stream.runCollect
  )
  const unsupported = yield* outcome(fs.chmod("e2e/fs/a.txt", 0o600))
  const escape = yield* outcome(fs.readFile("../outside"))
  yield* fs.remove("e2e/fs", { recursive: true })
  const fsGone = !(yield* fs.exists("e2e/fs"))

  // An artifact into OPFS: staged, verified, kept on the second download; verify sees a change.
  yield* fs.remove("e2e-artifact", { recursive: true, force: true })
  const artifacts = yield* Artifacts.Artifacts
  const artifact = yield* artifacts.artifact(`${config.project}/${config.artifact}`)
  const first = yield* ArtifactDownload.download(artifact, { root: "e2e-artifact" })
  const second = yield* ArtifactDownload.download(artifact, { root: "e2e-artifact" })
  const intact = yield* ArtifactDownload.verify(artifact, "e2e-artifact")
  const shard = yield* fs.readFile("e2e-artifact/shards/train-000.bin")
  yield* fs.writeFileString("e2e-artifact/labels.json", "{}")
  const tampered = yield* ArtifactDownload.verify(artifact, "e2e-artifact")
  const rootListing = yield* fs.readDirectory(".")

  return {
    artifact: {
      name: artifact.qualifiedName,
      fetched: [...first.fetched].sort(),
      present: [...second.present].sort(),
      intact,
      tampered,
      shardSize: shard.length,
      shardSha256: yield* sha256(shard),
      shardDigest: (yield* artifacts.manifest(artifact)).entry("shards/train-000.bin")!.digest,
      staging: rootListing.filter((name) => name.endsWith(".staging"))
    },
    runs: runs.map((run) => run.id),
    files: files.map((f) => f.name),
    path,
    size: bytes.length,
    sha256: yield* sha256(bytes),
    again,
    replaced,
    listing,
    parts: { partsWhileFresh, prefixResumed, otherBytesRefetched },
    fs: {
      missingParent,
      exclusive,
      chunks: Chunk.toReadonlyArray(chunks),
      renamed,
      bGone,
      size: Number(stat.size),
      type: stat.type,
      dirType: dirStat.type,
      unsupported,
      escape,
      fsGone
    }
  }
})

const config = globalThis.__config
program.pipe(
  Effect.provide(
    Artifacts.layer.pipe(
      Layer.provideMerge(BrowserWandb.layer({ baseUrl: globalThis.location.origin, apiKey: config.apiKey, retry: { maxAttempts: 1 } }))
    )
  ),
  Effect.match({
    onSuccess: (value) => ({ ok: true, value }),
    onFailure: (error) => ({ ok: false, error: { tag: error._tag, message: error.message } })
  }),
  Effect.catchAllDefect((defect) => Effect.succeed({ ok: false, defect: String(defect) })),
  Effect.runPromise
).then((result) => {
  globalThis.__result = result
})
