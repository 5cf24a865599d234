/**
 * @since 0.1.0
 */
export * as BrowserFileSystem from "./BrowserFileSystem.js"
