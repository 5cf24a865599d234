/**
 * The program the browser end-to-end test runs in Chromium (bundled by esbuild). It reads its
 * settings from `globalThis.__config` and leaves a JSON-able report in `globalThis.__result`.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Download from "@effect-wandb/core/Download"
import * as BrowserWandb from "@effect-wandb/platform-browser/BrowserWandb"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

interface E2eConfig {
  readonly apiKey: string
  readonly file: Download.DownloadableFile
}

declare const globalThis: { __config: E2eConfig; __result: unknown; location: { origin: string } }

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

const outcome = <A, E extends { readonly _tag: string; readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.match(effect, {
    onSuccess: (value) => ({ ok: true as const, value }),
    onFailure: (error) => ({ ok: false as const, tag: error._tag, message: error.message })
  })

const program = Effect.gen(function*() {
  const config = globalThis.__config
  const fs = yield* FileSystem.FileSystem
  yield* fs.remove("e2e", { recursive: true, force: true })

  const path = yield* Download.download(config.file, { root: "e2e" })
  const bytes = yield* fs.readFile(path)
  const again = yield* outcome(Download.download(config.file, { root: "e2e" }))
  const replaced = yield* outcome(Download.download(config.file, { root: "e2e", replace: true }))
  const listing = yield* fs.readDirectory(path.replace(/\/[^/]*$/, ""))

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

  return {
    path,
    size: bytes.length,
    hex: hex(bytes),
    again,
    replaced,
    listing,
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
  Effect.provide(BrowserWandb.layer({ baseUrl: globalThis.location.origin, apiKey: config.apiKey, retry: { maxAttempts: 1 } })),
  Effect.match({
    onSuccess: (value) => ({ ok: true, value }),
    onFailure: (error) => ({ ok: false, error: { tag: error._tag, message: error.message } })
  }),
  Effect.catchAllDefect((defect) => Effect.succeed({ ok: false, defect: String(defect) })),
  Effect.runPromise
).then((result) => {
  globalThis.__result = result
})
