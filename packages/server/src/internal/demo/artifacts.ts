/**
 * The demo's artifacts: per project a `dataset` collection `training-data` and a `model`
 * collection `classifier`, three versions each, logged by the project's first runs and used by
 * later ones (so lineage shows both ways). Contents are generated from the seed, never stored.
 *
 * @internal
 */
import type { SqlError } from "@effect/sql/SqlError"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import { type ArtifactFileSpec, putArtifact } from "../../ArtifactStore.js"
import type { DemoArtifact } from "../../DemoData.js"
import { isoSeconds } from "./generate.js"
import { hashSeed } from "./random.js"


/** Size of the dataset's shard file (the same bytes in every version). @internal */
export const DEMO_SHARD_BYTES = 3 * 1024 * 1024

/** Deterministic bytes for any range of a file identified by `salt`. */
const generated = (size: number, salt: number) => ({
  size,
  chunk: (offset: number, length: number) => {
    const out = new Uint8Array(length)
    let x = (salt ^ Math.imul(offset + 1, 0x9e3779b1)) >>> 0
    for (let i = 0; i < length; i++) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      out[i] = x & 0xff
    }
    return out
  }
})

const datasetFiles = (seed: number, project: string, version: number): ReadonlyArray<ArtifactFileSpec> => [
  { path: "README.md", content: `# ${project} training data\n\nVersion ${version} of the demo dataset.\n`, mimetype: "text/markdown" },
  {
    path: "labels.json",
    content: JSON.stringify({ classes: Array.from({ length: 10 + version }, (_, i) => `class_${i}`) }),
    mimetype: "application/json"
  },
  { path: "images/sample-000.png", content: generated(4096, hashSeed(seed, 301, version)), mimetype: "image/png" },
  { path: "images/sample-001.png", content: generated(4096, hashSeed(seed, 302)), mimetype: "image/png" },
  { path: "shards/train-000.bin", content: generated(DEMO_SHARD_BYTES, hashSeed(seed, 303)) }
]

const modelFiles = (seed: number, version: number): ReadonlyArray<ArtifactFileSpec> => [
  {
    path: "config.json",
    content: JSON.stringify({ architecture: "cnn", layers: 4 + version, dropout: 0.1 * (version + 1) }),
    mimetype: "application/json"
  },
  { path: "weights/model.safetensors", content: generated(256 * 1024, hashSeed(seed, 311, version)) }
]

/**
 * Writes the demo artifacts of one project whose runs are `runs` (ids in creation order),
 * starting at `baseMs`. Nothing without runs.
 *
 * @internal
 */
export const seedProjectArtifacts = (
  seed: number,
  entity: string,
  project: string,
  runs: ReadonlyArray<string>,
  baseMs: number
): Effect.Effect<ReadonlyArray<DemoArtifact>, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    if (runs.length === 0) return []
    const run = (i: number) => runs[i % runs.length]!
    const at = (minutes: number) => isoSeconds(baseMs + minutes * 60_000)
    for (let v = 0; v < 3; v++) {
      yield* putArtifact({
        entity,
        project,
        type: "dataset",
        collection: "training-data",
        description: `Training split, revision ${v}`,
        metadata: { rows: 50_000 + v * 1_000, classes: 10 + v, source: "synthetic" },
        aliases: v === 1 ? ["stable"] : [],
        files: datasetFiles(seed, project, v),
        createdBy: run(v),
        usedBy: v === 1 ? [run(3), run(4)] : v === 2 ? [run(5)] : [],
        createdAt: at(10 + v * 20)
      })
    }
    for (let v = 0; v < 3; v++) {
      yield* putArtifact({
        entity,
        project,
        type: "model",
        collection: "classifier",
        description: `Classifier checkpoint ${v}`,
        metadata: { val_accuracy: [0.91, 0.95, 0.93][v], epochs: 10 * (v + 1) },
        aliases: v === 1 ? ["best"] : [],
        files: modelFiles(seed, v),
        createdBy: run(3 + v),
        usedBy: v === 1 ? [run(6), run(7)] : [],
        createdAt: at(90 + v * 20)
      })
    }
    return [
      { project, type: "dataset", collection: "training-data", versions: 3 },
      { project, type: "model", collection: "classifier", versions: 3 }
    ]
  })
