/**
 * The browser end to end: Debian's chromium (driven by playwright-core) runs a bundle of core +
 * platform-browser against the real local server (through a same-origin proxy): it lists runs
 * and files, downloads a file into OPFS, reads it back, and gets `FileAlreadyExists` on a second
 * download without `replace`; leaves fresh `.part` files alone, resumes a stale one holding a
 * prefix of the file and fetches the file again after one holding other bytes; downloads an
 * artifact into OPFS (staged, verified, kept when already there) and verifies it. Fails (never
 * skips) when chromium is missing.
 */
import { describe, expect, layer } from "@effect/vitest"
import { DemoData, LocalServer } from "@effect-wandb/server"
import { Effect, Redacted } from "effect"
import { createHash } from "node:crypto"
import { bundleEntry, runPage, serveHarness } from "./harness.js"

/** Bytes the server serves at `urlPath` (`/files/…`, `/artifacts/…`), fetched from Node with the key. */
const served = (baseUrl: string, apiKey: Redacted.Redacted<string>, urlPath: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${baseUrl}${urlPath}`, {
      headers: { authorization: `Basic ${Buffer.from(`api:${Redacted.value(apiKey)}`).toString("base64")}` }
    })
    return new Uint8Array(await response.arrayBuffer())
  })

describe("browser end to end", () => {
  layer(LocalServer.layerWithSql(), { excludeTestServices: true })("against the local server", (it) => {
    it.scoped("lists runs, downloads into OPFS, reads back, refuses to clobber", () =>
      Effect.gen(function*() {
        const { apiKey, baseUrl } = yield* LocalServer.LocalServer
        const demo = yield* DemoData.seedDemo({
          projects: 1,
          runsPerProject: 3,
          stepsPerRun: 20,
          largeFileBytes: 3 * 1024 * 1024 + 7
        }).pipe(Effect.orDie)
        const project = demo.projects[0]!
        const large = demo.largeFile!
        const bundle = yield* bundleEntry
        const { fileRanges, url } = yield* serveHarness({
          bundle,
          upstream: baseUrl,
          config: {
            apiKey: Redacted.value(apiKey),
            project: `${demo.entity}/${project.name}`,
            run: large.run,
            fileName: large.name,
            artifact: "training-data:stable"
          }
        })
        const result = yield* runPage(url)
        expect(result.ok, JSON.stringify(result)).toBe(true)
        const value = result.value
        const shardHex = Buffer.from(value.artifact.shardDigest, "base64").toString("hex")
        const shard = yield* served(baseUrl, apiKey, `/artifacts/${demo.entity}/${shardHex}`)
        expect(value.artifact).toEqual({
          name: `${demo.entity}/${project.name}/training-data:v1`,
          fetched: ["README.md", "images/sample-000.png", "images/sample-001.png", "labels.json", "shards/train-000.bin"],
          present: ["README.md", "images/sample-000.png", "images/sample-001.png", "labels.json", "shards/train-000.bin"],
          intact: { missing: [], changed: [], extra: [], references: [], ok: true },
          tampered: { missing: [], changed: ["labels.json"], extra: [], references: [], ok: false },
          shardSize: shard.length,
          shardSha256: createHash("sha256").update(shard).digest("hex"),
          shardDigest: value.artifact.shardDigest,
          staging: []
        })
        expect(shard.length).toBe(3 * 1024 * 1024)
        expect([...value.runs].sort()).toEqual(project.runs.map((run) => run.name).sort())
        expect(value.files).toContain(large.name)
        expect(value.path).toBe(`e2e/${large.name}`)
        const bytes = yield* served(baseUrl, apiKey, `/files/${demo.entity}/${project.name}/${large.run}/${large.name}`)
        expect(bytes.length).toBe(large.size)
        expect(value.size).toBe(large.size)
        expect(value.sha256).toBe(createHash("sha256").update(bytes).digest("hex"))
        expect(value.again).toMatchObject({ ok: false, tag: "FileAlreadyExists" })
        expect(value.replaced).toEqual({ ok: true, value: value.path })
        // Only the file itself is left in its directory: no temporary files.
        const base = large.name.split("/").pop()!
        expect(value.listing).toEqual([base])
        // Parts written just now may belong to a live download: left alone, the file fetched whole.
        // Stale (an hour later), the larger part holding a prefix is resumed and the smaller one
        // removed; a part holding other bytes fails the md5 and the file is fetched again whole.
        const whole = { sha256: value.sha256, listing: [base] }
        expect(value.parts).toEqual({
          partsWhileFresh: { sha256: value.sha256, listing: [`.${base}.killed1.part`, `.${base}.killed2.part`, base] },
          prefixResumed: whole,
          otherBytesRefetched: whole
        })
        // download, replace, fresh parts left alone, resumed, other bytes (resumed, then again)
        expect(fileRanges).toEqual([null, null, null, "bytes=1000000-", "bytes=100000-", null])
        expect(value.fs).toEqual({
          missingParent: { ok: false, tag: "SystemError", message: expect.stringContaining("NotFound") },
          exclusive: { ok: false, tag: "SystemError", message: expect.stringContaining("AlreadyExists") },
          chunks: ["seco", "nd"],
          renamed: "second",
          bGone: true,
          size: 6,
          type: "File",
          dirType: "Directory",
          unsupported: { ok: false, tag: "BadArgument", message: expect.stringContaining("not supported") },
          escape: { ok: false, tag: "BadArgument", message: expect.stringContaining("above the OPFS root") },
          fsGone: true
        })
      }), 120_000)
  })
})
