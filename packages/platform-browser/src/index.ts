/**
 * @since 0.1.0
 */
export * as BrowserFileSystem from "./BrowserFileSystem.js"
/**
 * @since 0.1.0
 */
export * as BrowserHashing from "./BrowserHashing.js"
/**
 * @since 0.1.0
 */
export * as BrowserWandb from "./BrowserWandb.js"
