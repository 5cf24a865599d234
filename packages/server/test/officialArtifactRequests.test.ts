/**
 * Every artifact document of the official Python client (test/fixtures/official-artifact-requests)
 * parses, validates and executes against the server with real data back; the manifest and file
 * URLs it hands out serve the bytes the manifest describes.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { LocalServer } from "../src/index.js"
import { seedArtifacts, TRAIN_CSV, WEIGHTS_SIZE } from "./artifactFixtures.js"
import { getBytes, md5Base64, post, seedMain } from "./fixtures.js"

interface Line {
  readonly call: string
  readonly operation: string
  readonly query: string
  readonly variables: Record<string, unknown>
}

const file = new URL("./fixtures/official-artifact-requests/wandb-b6e2950.jsonl", import.meta.url)
const lines: ReadonlyArray<Line> = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) =>
  JSON.parse(l)
)

const names = (connection: any) => connection.edges.map((e: any) => e.node.name)

const expectations: Record<string, (data: any, variables: any) => void> = {
  ProjectArtifactTypes: (data) => expect(names(data.project.artifactTypes)).toEqual(["dataset"]),
  ProjectArtifactType: (data) => expect(data.project.artifactType).toMatchObject({ __typename: "ArtifactType", name: "dataset" }),
  ProjectArtifactCollections: (data) => {
    expect(data.project.artifactCollections.totalCount).toBe(1)
    expect(data.project.artifactCollections.edges[0].node).toMatchObject({
      __typename: "ArtifactSequence",
      name: "mnist",
      type: { name: "dataset" },
      project: { name: "proj", entity: { name: "ent" } }
    })
  },
  ArtifactTypeArtifactCollections: (data) =>
    expect(names(data.project.artifactType.artifactCollections)).toEqual(["mnist"]),
  ProjectArtifactCollection: (data) =>
    expect(data.project.artifactType.artifactCollection).toMatchObject({ name: "mnist", description: null }),
  ProjectArtifacts: (data) => {
    const artifacts = data.project.artifactType.artifactCollection.artifacts
    expect(artifacts.totalCount).toBe(2)
    expect(artifacts.edges.map((e: any) => e.version)).toEqual(["v1", "v0"])
    expect(artifacts.edges[0].node).toMatchObject({ versionIndex: 1, state: "COMMITTED", fileCount: 3 })
    expect(artifacts.edges[0].node.aliases.map((a: any) => a.alias)).toEqual(["best", "latest"])
  },
  ArtifactMembershipByName: (data, variables) => {
    const membership = data.project.artifactCollectionMembership
    expect(membership.versionIndex).toBe(variables.name === "mnist:v0" ? 0 : 1)
    expect(membership.artifactCollection.name).toBe("mnist")
    expect(membership.artifact.artifactType.name).toBe("dataset")
    expect(JSON.parse(membership.artifact.metadata).rows).toBe(2)
  },
  ArtifactByID: (data) =>
    expect(data.artifact).toMatchObject({ versionIndex: 1, artifactSequence: { name: "mnist" }, description: "with weights" }),
  FetchArtifactManifest: (data) => expect(data.artifact.currentManifest.file.directUrl).toMatch(/^http:\/\/127\.0\.0\.1/),
  ArtifactMembershipFiles: (data, variables) => {
    const files = data.project.artifactCollection.artifactMembership.files
    // the reference entry has no stored bytes, so no file node
    expect(names(files)).toEqual(variables.fileNames === null ? ["data/train.csv", "weights.bin"] : ["data/train.csv"])
    expect(files.totalCount).toBe(files.edges.length)
    expect(files.edges[0].node).toMatchObject({ sizeBytes: TRAIN_CSV.length, md5: md5Base64(new TextEncoder().encode(TRAIN_CSV)) })
  },
  GetArtifactMembershipFileUrls: (data) =>
    expect(names(data.project.artifactCollection.artifactMembership.files)).toEqual(["data/train.csv", "weights.bin"]),
  RunOutputArtifacts: (data) => expect(data.project.run.artifacts.totalCount).toBe(2),
  RunInputArtifacts: (data) => expect(data.project.run.artifacts.edges.map((e: any) => e.node.versionIndex)).toEqual([1]),
  ArtifactUsedBy: (data) => expect(names(data.artifact.usedBy)).toEqual(["def456"]),
  ArtifactCreatedBy: (data) => expect(data.artifact.createdBy).toMatchObject({ __typename: "Run", name: "abc123" })
}

const seeded = LocalServer.layerWithSql()

describe("official artifact requests", () => {
  it("covers every operation of the protocol note", () =>
    expect(new Set(lines.map((l) => l.operation)).size).toBe(Object.keys(expectations).length))

  layer(seeded, { excludeTestServices: true })("wandb-b6e2950", (it) => {
    it.effect("every document executes with real data, and the URLs serve what the manifest says", () =>
      Effect.gen(function*() {
        yield* seedMain
        yield* seedArtifacts
        const server = yield* LocalServer.LocalServer
        const replies: Record<string, any> = {}
        for (const line of lines) {
          const reply = yield* post(server, { query: line.query, variables: line.variables })
          const context = `${line.call} ${line.operation}`
          expect(reply.status, `${context}: ${JSON.stringify(reply.body)}`).toBe(200)
          expect(reply.body.errors, context).toBeUndefined()
          expectations[line.operation]!(reply.body.data, line.variables)
          replies[line.operation] = reply.body.data
        }
        // the manifest, as the client reads it from the directUrl
        const manifestReply = yield* getBytes(server, replies.FetchArtifactManifest.artifact.currentManifest.file.directUrl)
        expect(manifestReply.status).toBe(200)
        const manifest = JSON.parse(new TextDecoder().decode(manifestReply.bytes))
        expect(manifest).toMatchObject({ version: 1, storagePolicy: "wandb-storage-policy-v1" })
        expect(Object.keys(manifest.contents)).toEqual(["data/train.csv", "external/big.parquet", "weights.bin"])
        expect(manifest.contents["external/big.parquet"]).toMatchObject({ ref: "s3://bucket/big.parquet", digest: "etag-123" })
        // train.csv was born in v0 (Artifact:1), weights.bin in v1
        expect(manifest.contents["data/train.csv"].birthArtifactID).toBe(Buffer.from("Artifact:1").toString("base64"))
        expect(manifest.contents["weights.bin"].birthArtifactID).toBe(Buffer.from("Artifact:2").toString("base64"))
        // every file URL serves bytes of the manifest's digest and size, and Range works
        for (const edge of replies.GetArtifactMembershipFileUrls.project.artifactCollection.artifactMembership.files.edges) {
          const entry = manifest.contents[edge.node.name]
          const body = yield* getBytes(server, edge.node.directUrl)
          expect(body.status).toBe(200)
          expect(body.bytes.length).toBe(entry.size)
          expect(md5Base64(body.bytes)).toBe(entry.digest)
        }
        const weights = manifest.contents["weights.bin"]
        const url = replies.GetArtifactMembershipFileUrls.project.artifactCollection.artifactMembership.files.edges[1].node
          .directUrl
        const tail = yield* getBytes(server, url, { range: `bytes=${WEIGHTS_SIZE - 10}-` })
        expect(tail.status).toBe(206)
        expect(tail.bytes.length).toBe(10)
        expect(weights.size).toBe(WEIGHTS_SIZE)
        // unknown names, aliases and ids are nulls, not errors
        const missing = yield* post(server, {
          query: lines.find((l) => l.operation === "ArtifactMembershipByName")!.query,
          variables: { entity: "ent", project: "proj", name: "mnist:v9" }
        })
        expect(missing.body.data.project.artifactCollectionMembership).toBeNull()
        const noId = yield* post(server, {
          query: lines.find((l) => l.operation === "ArtifactByID")!.query,
          variables: { id: Buffer.from("Run:1").toString("base64") }
        })
        expect(noId.body.data.artifact).toBeNull()
      }))
  })
})
