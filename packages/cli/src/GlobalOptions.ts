/**
 * The options every command that talks to W&B accepts: output format, base URL, default entity
 * and project, and where the API key comes from. The key is read from env `WANDB_API_KEY` or
 * from a file (`--api-key-file`); it is never a flag (flags show up in `ps` and shell history)
 * and is never printed.
 *
 * @since 0.1.0
 */
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import { InvalidArgument } from "@effect-wandb/core/Errors"
import * as WandbConfig from "@effect-wandb/core/WandbConfig"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Output from "./Output.js"
import * as Stdio from "./Stdio.js"

/**
 * `--format table|json|ndjson|csv` (default: `table` on a terminal, `ndjson` otherwise).
 *
 * @since 0.1.0
 * @category options
 */
export const format = Options.choice("format", Output.formats).pipe(
  Options.withDescription("Output format: table, json, ndjson or csv (default: table on a terminal, ndjson otherwise)"),
  Options.optional
)

/**
 * The format to use: the flag, else {@link Output.defaultFormat} for the current stdout.
 *
 * @since 0.1.0
 * @category options
 */
export const resolveFormat = (flag: Option.Option<Output.Format>): Output.Format =>
  Option.getOrElse(flag, () => Output.defaultFormat(Stdio.stdoutIsTty()))

function optionalText(name: string, description: string) {
  return Options.text(name).pipe(Options.withDescription(description), Options.optional)
}

/**
 * Connection options: `--base-url`, `--entity`, `--project`, `--api-key-file`, `--retries`.
 *
 * @since 0.1.0
 * @category options
 */
export const connection = {
  baseUrl: optionalText("base-url", "W&B API base URL (default: env WANDB_BASE_URL, else https://api.wandb.ai)"),
  entity: optionalText("entity", "Default entity for paths that name none (default: env WANDB_ENTITY, else the key's user)"),
  project: optionalText("project", "Default project for paths that name none (default: env WANDB_PROJECT)"),
  apiKeyFile: optionalText("api-key-file", "Read the API key from this file instead of env WANDB_API_KEY"),
  retries: Options.integer("retries").pipe(
    Options.withDescription("Retries of a failed request (408, 429, 5xx, network errors); 0 fails fast (default: up to 9 within 20 s)"),
    Options.optional
  )
}

/**
 * The parsed connection options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Connection {
  readonly baseUrl: Option.Option<string>
  readonly entity: Option.Option<string>
  readonly project: Option.Option<string>
  readonly apiKeyFile: Option.Option<string>
  readonly retries: Option.Option<number>
}

/**
 * The API key of this invocation: from `--api-key-file`, else env `WANDB_API_KEY`, else none.
 *
 * @since 0.1.0
 * @category constructors
 */
export const apiKey = (
  apiKeyFile: Option.Option<string>
): Effect.Effect<Option.Option<Redacted.Redacted>, InvalidArgument, FileSystem.FileSystem> =>
  Option.match(apiKeyFile, {
    onSome: (path) => Effect.map(WandbConfig.readApiKeyFile(path), Option.some),
    onNone: () => {
      const env = process.env["WANDB_API_KEY"]?.trim()
      return Effect.succeed(env === undefined || env === "" ? Option.none() : Option.some(Redacted.make(env)))
    }
  })

/**
 * Client settings from the connection options (unset ones fall back to the environment).
 * Also registers the key with {@link Stdio.registerSecret} so no output can carry it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const clientOptions = (
  connection: Connection
): Effect.Effect<WandbConfig.Options, InvalidArgument, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const key = yield* apiKey(connection.apiKeyFile)
    if (Option.isSome(key)) yield* Stdio.registerSecret(Redacted.value(key.value))
    const retries = Option.getOrUndefined(connection.retries)
    if (retries !== undefined && (!Number.isSafeInteger(retries) || retries < 0)) {
      return yield* new InvalidArgument({ argument: "--retries", reason: `expected an integer ≥ 0, got ${retries}` })
    }
    return {
      apiKey: Option.getOrUndefined(key),
      baseUrl: Option.getOrUndefined(connection.baseUrl),
      entity: Option.getOrUndefined(connection.entity),
      project: Option.getOrUndefined(connection.project),
      retry: retries === undefined ? undefined : { maxAttempts: retries + 1 }
    }
  })
