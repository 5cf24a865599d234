/**
 * Writing the command's output to stdout and its messages to stderr: with back-pressure (a
 * million-row scan never piles up in memory), in batches (one write per chunk of rows), and with
 * a last line of defence that masks the API key should it ever reach a write.
 *
 * @since 0.1.0
 */
import * as Secrets from "@effect-wandb/core/Secrets"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Stream from "effect/Stream"

// The secrets of this process (the API key once read). A process-wide list rather than a
// FiberRef so that every writer (including the final error line printed by `main`) sees it.
const secrets: Array<string> = []

/**
 * Registers a secret (the API key of this invocation) to mask, in all its forms (see
 * `Secrets.forms`), in everything written.
 *
 * @since 0.1.0
 * @category secrets
 */
export const registerSecret = (secret: string): Effect.Effect<void> =>
  Effect.sync(() => {
    for (const form of Secrets.forms(secret)) if (!secrets.includes(form)) secrets.push(form)
  })

/**
 * Replaces every occurrence of each registered form in `text` by `***`.
 *
 * @since 0.1.0
 * @category secrets
 */
export const mask = (text: string, secretList: ReadonlyArray<string> = secrets): string =>
  Secrets.mask(text, secretList, "***")

const writeTo = (stream: NodeJS.WriteStream, text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (stream.write(mask(text))) resume(Effect.void)
    else stream.once("drain", () => resume(Effect.void))
  })

/**
 * Writes text to stdout, waiting while the pipe is full.
 *
 * @since 0.1.0
 * @category output
 */
export const out = (text: string): Effect.Effect<void> => writeTo(process.stdout, text)

/**
 * Writes one line to stderr.
 *
 * @since 0.1.0
 * @category output
 */
export const errLine = (text: string): Effect.Effect<void> => writeTo(process.stderr, text + "\n")

/**
 * Effect's log lines (shown with `--log-level debug|all`, stack traces included) go to stderr,
 * masked like every other write: stdout carries only the command's output.
 *
 * @since 0.1.0
 * @category output
 */
export const logger: Logger.Logger<unknown, void> = Logger.make((options) => {
  process.stderr.write(mask(Logger.stringLogger.log(options)) + "\n")
})

/**
 * Replaces Effect's default logger (stdout) by {@link logger}.
 *
 * @since 0.1.0
 * @category output
 */
export const loggerLayer: Layer.Layer<never> = Logger.replace(Logger.defaultLogger, logger)

/**
 * Writes a stream of text to stdout, one write per chunk.
 *
 * @since 0.1.0
 * @category output
 */
export const outStream = <E, R>(texts: Stream.Stream<string, E, R>): Effect.Effect<void, E, R> =>
  Stream.runForEachChunk(texts, (chunk) => out(Array.from(chunk).join("")))

/**
 * Whether stdout is a terminal (decides the default output format).
 *
 * @since 0.1.0
 * @category output
 */
export const stdoutIsTty = (): boolean => process.stdout.isTTY === true
