/**
 * The artifact fixture on top of `seedMain` (`ent/proj`): a `dataset` collection `mnist` with
 * `v0` and `v1` (alias `best`, used by `def456`), both logged by `abc123`, and one reference
 * entry in `v1`.
 */
import { Effect } from "effect"
import { putArtifact } from "../src/ArtifactStore.js"
import { patternBytes } from "./fixtures.js"

export const TRAIN_CSV = "x,y\n1,2\n3,4\n"
export const WEIGHTS_SIZE = 1024 * 1024 + 4321

export const seedArtifacts = Effect.gen(function*() {
  const v0 = yield* putArtifact({
    entity: "ent",
    project: "proj",
    type: "dataset",
    collection: "mnist",
    description: "first cut",
    metadata: { rows: 2 },
    files: [{ path: "data/train.csv", content: TRAIN_CSV, mimetype: "text/csv" }],
    createdBy: "abc123",
    createdAt: "2024-06-01T11:00:00"
  })
  const v1 = yield* putArtifact({
    entity: "ent",
    project: "proj",
    type: "dataset",
    collection: "mnist",
    description: "with weights",
    metadata: { rows: 2, note: "second" },
    aliases: ["best"],
    files: [
      { path: "data/train.csv", content: TRAIN_CSV, mimetype: "text/csv" },
      { path: "weights.bin", content: patternBytes(WEIGHTS_SIZE, 3) },
      { path: "external/big.parquet", ref: "s3://bucket/big.parquet", digest: "etag-123", size: 99 }
    ],
    createdBy: "abc123",
    usedBy: ["def456"],
    createdAt: "2024-06-01T12:00:00"
  })
  return { v0, v1 }
})
