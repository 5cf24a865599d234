/**
 * @since 0.1.0
 */
export * as NodeWandb from "./NodeWandb.js"
