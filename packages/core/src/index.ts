/**
 * @since 0.1.0
 */
export * as Download from "./Download.js"
/**
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"
/**
 * @since 0.1.0
 */
export * as GraphQLClient from "./GraphQLClient.js"
/**
 * @since 0.1.0
 */
export * as Hashing from "./Hashing.js"
/**
 * @since 0.1.0
 */
export * as History from "./History.js"
/**
 * @since 0.1.0
 */
export * as Json from "./Json.js"
/**
 * @since 0.1.0
 */
export * as LenientJson from "./LenientJson.js"
/**
 * @since 0.1.0
 */
export * as Project from "./Project.js"
/**
 * @since 0.1.0
 */
export * as Run from "./Run.js"
/**
 * @since 0.1.0
 */
export * as RunFile from "./RunFile.js"
/**
 * @since 0.1.0
 */
export * as RunFilters from "./RunFilters.js"
/**
 * @since 0.1.0
 */
export * as Secrets from "./Secrets.js"
/**
 * @since 0.1.0
 */
export * as Sweep from "./Sweep.js"
/**
 * @since 0.1.0
 */
export * as Viewer from "./Viewer.js"
/**
 * @since 0.1.0
 */
export * as WandbApi from "./WandbApi.js"
/**
 * @since 0.1.0
 */
export * as WandbConfig from "./WandbConfig.js"
/**
 * @since 0.1.0
 */
export * as WandbHttpClient from "./WandbHttpClient.js"
/**
 * @since 0.1.0
 */
export * as Lifecycle from "./Lifecycle.js"
/**
 * @since 0.1.0
 */
export * as ConsoleLog from "./ConsoleLog.js"
/**
 * @since 0.1.0
 */
export * as Sweeps from "./Sweeps.js"
/**
 * @since 0.1.0
 */
export * as LightRuns from "./LightRuns.js"
/**
 * @since 0.1.0
 */
export * as Histories from "./Histories.js"
