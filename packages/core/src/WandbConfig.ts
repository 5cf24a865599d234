/**
 * Client settings: API key, base URL, default entity/project/run, timeouts, retry policy and
 * cache size. {@link layer} reads the standard environment variables through Effect `Config`
 * (`WANDB_API_KEY`, `WANDB_BASE_URL`, `WANDB_APP_URL`, `WANDB_ENTITY`, `WANDB_PROJECT`,
 * `WANDB_HTTP_TIMEOUT`); explicit options take precedence over the environment.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { InvalidArgument } from "./Errors.js"

/**
 * When and how often failed requests are retried. Retried: HTTP 408, 429 and 5xx except 501,
 * connection errors, GraphQL answers cut short or not parsing, and per-request timeouts
 * (downloads cut short resume with `Range`; there only attempts in a row that received no new
 * byte count, and `maxRetryTime` runs from the last byte). Never retried: other statuses (400,
 * 401, 403, 404, …) and GraphQL `errors` in a 200 answer. The wait before retry `n` (1-based) is
 * `min(maxDelay, baseDelay × 2^(n-1)) × U[1, 1.25]`, or the server's `Retry-After` when it sends
 * a valid one (negative or invalid values are ignored). Retrying stops after `maxAttempts`
 * attempts in all, or when the next wait would end more than `maxRetryTime` after the first
 * attempt started.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Attempts in all, including the first. Default 10; 1 disables retries. */
  readonly maxAttempts: number
  /** Default 1 second. */
  readonly baseDelay: Duration.Duration
  /** Default 30 seconds. */
  readonly maxDelay: Duration.Duration
  /** Default 20 seconds (the Python client's window). */
  readonly maxRetryTime: Duration.Duration
}

/**
 * Settings as given by the user; every field is optional and falls back to the environment,
 * then to the documented default.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default: env `WANDB_API_KEY`. Without a key every request fails with `Unauthorized`. */
  readonly apiKey?: Redacted.Redacted | string | undefined
  /** Default: env `WANDB_BASE_URL`, else `https://api.wandb.ai`. Trailing `/` removed. */
  readonly baseUrl?: string | undefined
  /** Web app URL used for `url` attributes. Default: env `WANDB_APP_URL`, else derived from the base URL. */
  readonly appUrl?: string | undefined
  /** Default entity. Default: env `WANDB_ENTITY`, else the viewer's default entity (fetched once). */
  readonly entity?: string | undefined
  /** Default project. Default: env `WANDB_PROJECT`. */
  readonly project?: string | undefined
  /** Default run id for run paths that name none. */
  readonly run?: string | undefined
  /** Per-attempt timeout. Default: env `WANDB_HTTP_TIMEOUT` (seconds), else 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  readonly retry?: {
    readonly maxAttempts?: number | undefined
    readonly baseDelay?: Duration.DurationInput | undefined
    readonly maxDelay?: Duration.DurationInput | undefined
    readonly maxRetryTime?: Duration.DurationInput | undefined
  } | undefined
  /** How many runs `WandbApi.run` keeps cached. Default 1024. */
  readonly runCacheCapacity?: number | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class WandbConfig extends Context.Tag("@effect-wandb/core/WandbConfig")<WandbConfig, WandbConfig.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace WandbConfig {
  /**
   * The resolved settings.
   *
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    readonly apiKey: Option.Option<Redacted.Redacted>
    /** Without trailing `/`. */
    readonly baseUrl: string
    /** Without trailing `/`. */
    readonly appUrl: string
    readonly entity: Option.Option<string>
    readonly project: Option.Option<string>
    readonly run: Option.Option<string>
    readonly timeout: Duration.Duration
    readonly retry: RetryPolicy
    readonly runCacheCapacity: number
  }
}

/**
 * The default base URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl = "https://api.wandb.ai"

/**
 * The web app URL for a base URL (W&B's rules): `://api.wandb.test` → `://app.wandb.test`,
 * `://api.wandb.` → drop `api.`, other `://api.` → `://app.`, anything else unchanged.
 *
 * @since 0.1.0
 * @category utils
 */
export const appUrlFor = (baseUrl: string): string => {
  if (baseUrl.includes("://api.wandb.test")) return baseUrl.replace("://api.", "://app.")
  if (baseUrl.includes("://api.wandb.")) return baseUrl.replace("://api.", "://")
  if (baseUrl.includes("://api.")) return baseUrl.replace("://api.", "://app.")
  return baseUrl
}

const validateUrl = (argument: string, input: string): Effect.Effect<string, InvalidArgument> => {
  const trimmed = input.trim().replace(/\/+$/, "")
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return Effect.fail(new InvalidArgument({ argument, reason: `not a URL: ${JSON.stringify(input)}` }))
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Effect.fail(new InvalidArgument({ argument, reason: `expected an http(s) URL, got ${url.protocol}` }))
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return Effect.fail(
      new InvalidArgument({ argument, reason: "must not carry a query, fragment or credentials" })
    )
  }
  return Effect.succeed(trimmed)
}

const positiveInt = (argument: string, value: number): Effect.Effect<number, InvalidArgument> =>
  Number.isSafeInteger(value) && value >= 1
    ? Effect.succeed(value)
    : Effect.fail(new InvalidArgument({ argument, reason: `expected a positive integer, got ${value}` }))

const duration = (argument: string, input: Duration.DurationInput): Effect.Effect<Duration.Duration, InvalidArgument> =>
  Option.match(Duration.decodeUnknown(input), {
    onNone: () => Effect.fail(new InvalidArgument({ argument, reason: `not a duration: ${String(input)}` })),
    onSome: (d) =>
      Duration.greaterThan(d, Duration.zero)
        ? Effect.succeed(d)
        : Effect.fail(new InvalidArgument({ argument, reason: "must be positive" }))
  })

const nonEmpty = (value: string | undefined): Option.Option<string> =>
  value === undefined || value.trim() === "" ? Option.none() : Option.some(value.trim())

/**
 * The environment variables as a `Config` of {@link Options}.
 *
 * @since 0.1.0
 * @category config
 */
export const fromEnv: Config.Config<Options> = Config.all({
  apiKey: Config.option(Config.redacted("WANDB_API_KEY")),
  baseUrl: Config.option(Config.string("WANDB_BASE_URL")),
  appUrl: Config.option(Config.string("WANDB_APP_URL")),
  entity: Config.option(Config.string("WANDB_ENTITY")),
  project: Config.option(Config.string("WANDB_PROJECT")),
  timeoutSeconds: Config.option(Config.integer("WANDB_HTTP_TIMEOUT"))
}).pipe(
  Config.map((env): Options => ({
    apiKey: Option.getOrUndefined(Option.filter(env.apiKey, (key) => Redacted.value(key).trim() !== "")),
    baseUrl: Option.getOrUndefined(env.baseUrl),
    appUrl: Option.getOrUndefined(env.appUrl),
    entity: Option.getOrUndefined(env.entity),
    project: Option.getOrUndefined(env.project),
    timeout: Option.getOrUndefined(Option.map(env.timeoutSeconds, Duration.seconds))
  }))
)

/**
 * Resolves settings from explicit options alone (no environment lookup), validating them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<WandbConfig.Service, InvalidArgument> =>
  Effect.gen(function*() {
    const baseUrl = yield* validateUrl("baseUrl", options.baseUrl ?? defaultBaseUrl)
    const appUrl = options.appUrl === undefined ? appUrlFor(baseUrl) : yield* validateUrl("appUrl", options.appUrl)
    const apiKey = options.apiKey === undefined
      ? Option.none()
      : Option.some(typeof options.apiKey === "string" ? Redacted.make(options.apiKey) : options.apiKey)
    const retry = options.retry ?? {}
    return {
      apiKey,
      baseUrl,
      appUrl,
      entity: nonEmpty(options.entity),
      project: nonEmpty(options.project),
      run: nonEmpty(options.run),
      timeout: yield* duration("timeout", options.timeout ?? "30 seconds"),
      retry: {
        maxAttempts: yield* positiveInt("retry.maxAttempts", retry.maxAttempts ?? 10),
        baseDelay: yield* duration("retry.baseDelay", retry.baseDelay ?? "1 second"),
        maxDelay: yield* duration("retry.maxDelay", retry.maxDelay ?? "30 seconds"),
        maxRetryTime: yield* duration("retry.maxRetryTime", retry.maxRetryTime ?? "20 seconds")
      },
      runCacheCapacity: yield* positiveInt("runCacheCapacity", options.runCacheCapacity ?? 1024)
    }
  })

const definedOnly = (options: Options): Options =>
  Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Options

/**
 * Resolves settings from the environment ({@link fromEnv}) with `overrides` taking precedence.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFromEnv = (
  overrides: Options = {}
): Effect.Effect<WandbConfig.Service, InvalidArgument | ConfigError.ConfigError> =>
  Effect.flatMap(fromEnv, (env) => make({ ...definedOnly(env), ...definedOnly(overrides) }))

/**
 * Settings from the environment, `overrides` taking precedence.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (overrides?: Options): Layer.Layer<WandbConfig, InvalidArgument | ConfigError.ConfigError> =>
  Layer.effect(WandbConfig, makeFromEnv(overrides))

/**
 * Settings from explicit options only; the environment is not read.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutEnv = (options?: Options): Layer.Layer<WandbConfig, InvalidArgument> =>
  Layer.effect(WandbConfig, make(options))

/**
 * Settings from a `Config` description of the options (e.g. other variable names), with the
 * standard environment variables filling what it leaves undefined.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options>
): Layer.Layer<WandbConfig, InvalidArgument | ConfigError.ConfigError> =>
  Layer.effect(WandbConfig, Effect.flatMap(Config.unwrap(config), makeFromEnv))

/**
 * Reads an API key file: the first non-empty line, trimmed. A missing, unreadable or empty file
 * is an `InvalidArgument` (for `argument`, by default the command-line flag `--api-key-file`)
 * that names the file but never its content.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readApiKeyFile = (
  path: string,
  argument = "--api-key-file"
): Effect.Effect<Redacted.Redacted<string>, InvalidArgument, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.mapError((error) =>
      new InvalidArgument({ argument, reason: `cannot read ${path}: ${error._tag === "SystemError" ? error.reason : error.message}` })
    ),
    Effect.flatMap((text) => {
      const key = text.split(/\r?\n/).map((line) => line.trim()).find((line) => line !== "")
      return key === undefined
        ? Effect.fail(new InvalidArgument({ argument, reason: `${path} is empty` }))
        : Effect.succeed(Redacted.make(key))
    })
  )
