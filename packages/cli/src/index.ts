/**
 * @since 0.1.0
 */
export * as ArtifactCommands from "./ArtifactCommands.js"
/**
 * @since 0.1.0
 */
export * as Client from "./Client.js"
/**
 * @since 0.1.0
 */
export * as Commands from "./Commands.js"
/**
 * @since 0.1.0
 */
export * as ExitCode from "./ExitCode.js"
/**
 * @since 0.1.0
 */
export * as GlobalOptions from "./GlobalOptions.js"
/**
 * @since 0.1.0
 */
export * as Main from "./Main.js"
/**
 * @since 0.1.0
 */
export * as Output from "./Output.js"
/**
 * @since 0.1.0
 */
export * as Progress from "./Progress.js"
/**
 * @since 0.1.0
 */
export * as Stdio from "./Stdio.js"
/**
 * @since 0.1.0
 */
export * as WebAccess from "./WebAccess.js"
/**
 * @since 0.1.0
 */
export * as WebBundle from "./WebBundle.js"
/**
 * @since 0.1.0
 */
export * as WebCommand from "./WebCommand.js"
/**
 * @since 0.1.0
 */
export * as WebProxy from "./WebProxy.js"
/**
 * @since 0.1.0
 */
export * as WebServer from "./WebServer.js"
/**
 * @since 0.1.0
 */
export * as Chart from "./web/Chart.js"
