/**
 * A local W&B-compatible public API server: GraphQL over SQLite, file downloads, auth.
 *
 * @since 0.1.0
 */

/**
 * Writing artifact versions (files, aliases, metadata, lineage) into the server's database.
 *
 * @since 0.1.0
 */
export * as ArtifactStore from "./ArtifactStore.js"

/**
 * The deterministic demo dataset generator.
 *
 * @since 0.1.0
 */
export * as DemoData from "./DemoData.js"

/**
 * Start the server in-process (Layer / scoped) and its options.
 *
 * @since 0.1.0
 */
export * as LocalServer from "./LocalServer.js"

/**
 * The GraphQL schema (SDL and built schema).
 *
 * @since 0.1.0
 */
export * as Schema from "./Schema.js"

/**
 * Deterministic fault injection (error statuses, drops, truncation, stalls, corrupt bytes).
 *
 * @since 0.1.0
 */
export * as FaultInjection from "./FaultInjection.js"

/**
 * The command that starts the server: `effect-wandb-server`, and `effect-wandb server`.
 *
 * @since 0.1.0
 */
export * as ServerCommand from "./ServerCommand.js"
/**
 * What one request may cost the server (body size, query depth and complexity, page sizes,
 * filter size): the defaults and their overrides.
 *
 * @since 0.1.0
 */
export * as Limits from "./Limits.js"
