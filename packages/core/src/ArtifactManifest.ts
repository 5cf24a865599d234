/**
 * An artifact version's contents: its manifest (W&B's manifest v1: every path with its digest,
 * size and, for reference entries, the external URI) and its stored files.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { JsonObject } from "./Json.js"

/**
 * One manifest entry. `digest` is the base64 MD5 of the bytes for a stored file; a reference
 * entry (`ref` set: `s3://…`, `gs://…`, `https://…`) is stored elsewhere and its digest is
 * whatever that storage reported (an ETag, …). `birthArtifactId` is the version that first
 * stored the bytes.
 *
 * @since 0.1.0
 * @category models
 */
export class ManifestEntry extends Schema.Class<ManifestEntry>("@effect-wandb/core/ManifestEntry")({
  path: Schema.String,
  digest: Schema.String,
  size: Schema.NullOr(Schema.Number),
  ref: Schema.NullOr(Schema.String),
  birthArtifactId: Schema.NullOr(Schema.String),
  extra: JsonObject
}) {
  /**
   * Whether the bytes live outside W&B (`ref` set).
   *
   * @since 0.1.0
   */
  get isReference(): boolean {
    return this.ref !== null
  }
}

/**
 * A version's manifest: `entries` sorted by path.
 *
 * @since 0.1.0
 * @category models
 */
export class Manifest extends Schema.Class<Manifest>("@effect-wandb/core/Manifest")({
  version: Schema.Number,
  storagePolicy: Schema.String,
  storagePolicyConfig: JsonObject,
  entries: Schema.Array(ManifestEntry)
}) {
  /**
   * The entry of `path`, if any.
   *
   * @since 0.1.0
   */
  entry(path: string): ManifestEntry | undefined {
    return this.entries.find((entry) => entry.path === path)
  }
}

/**
 * A stored file of a version (`Artifacts.files`): `name` is its path in the artifact,
 * `directUrl` where its bytes are fetched.
 *
 * @since 0.1.0
 * @category models
 */
export class ArtifactFile extends Schema.Class<ArtifactFile>("@effect-wandb/core/ArtifactFile")({
  id: Schema.String,
  name: Schema.String,
  url: Schema.NullOr(Schema.String),
  directUrl: Schema.NullOr(Schema.String),
  sizeBytes: Schema.Number,
  /** Base64 MD5, as in the manifest. */
  digest: Schema.NullOr(Schema.String),
  md5: Schema.NullOr(Schema.String),
  mimetype: Schema.NullOr(Schema.String),
  storagePath: Schema.NullOr(Schema.String),
  updatedAt: Schema.NullOr(Schema.Date)
}) {}

/** The manifest JSON as W&B stores it (`contents` keyed by path). */
const ManifestJson = Schema.Struct({
  version: Schema.Number,
  storagePolicy: Schema.String,
  storagePolicyConfig: Schema.optional(Schema.NullOr(JsonObject)),
  contents: Schema.Record({
    key: Schema.String,
    value: Schema.Struct({
      digest: Schema.String,
      size: Schema.optional(Schema.NullOr(Schema.Number)),
      ref: Schema.optional(Schema.NullOr(Schema.String)),
      birthArtifactID: Schema.optional(Schema.NullOr(Schema.String)),
      extra: Schema.optional(Schema.NullOr(JsonObject))
    })
  })
})

/**
 * Reads the manifest JSON W&B stores (`{version, storagePolicy, storagePolicyConfig, contents}`)
 * into a {@link Manifest}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ManifestFromJson: Schema.Schema<Manifest, typeof ManifestJson.Encoded> = Schema.transform(
  ManifestJson,
  Schema.typeSchema(Manifest),
  {
    strict: true,
    decode: (json) =>
      new Manifest({
        version: json.version,
        storagePolicy: json.storagePolicy,
        storagePolicyConfig: json.storagePolicyConfig ?? {},
        entries: Object.keys(json.contents).sort().map((path) => {
          const entry = json.contents[path]!
          return new ManifestEntry({
            path,
            digest: entry.digest,
            size: entry.size ?? null,
            ref: entry.ref ?? null,
            birthArtifactId: entry.birthArtifactID ?? null,
            extra: entry.extra ?? {}
          })
        })
      }),
    encode: (manifest) => ({
      version: manifest.version,
      storagePolicy: manifest.storagePolicy,
      storagePolicyConfig: manifest.storagePolicyConfig,
      contents: Object.fromEntries(manifest.entries.map((entry) => [entry.path, {
        digest: entry.digest,
        ...(entry.size === null ? {} : { size: entry.size }),
        ...(entry.ref === null ? {} : { ref: entry.ref }),
        ...(entry.birthArtifactId === null ? {} : { birthArtifactID: entry.birthArtifactId }),
        ...(Object.keys(entry.extra).length === 0 ? {} : { extra: entry.extra })
      }]))
    })
  }
)
