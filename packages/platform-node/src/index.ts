/**
 * @since 0.1.0
 */
export * as NodeHashing from "./NodeHashing.js"
/**
 * @since 0.1.0
 */
export * as NodeWandb from "./NodeWandb.js"
