import { describe, expect, it } from "@effect/vitest"
import { WandbConfig } from "@effect-wandb/core"
import { ConfigProvider, Duration, Effect, Option, Redacted } from "effect"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("WandbConfig", () => {
  it.effect("reads the environment", () =>
    Effect.gen(function*() {
      const config = yield* WandbConfig.makeFromEnv().pipe(
        withEnv({
          WANDB_API_KEY: "k1",
          WANDB_BASE_URL: "http://localhost:8080/",
          WANDB_ENTITY: "acme",
          WANDB_PROJECT: "mnist",
          WANDB_HTTP_TIMEOUT: "7"
        })
      )
      expect(Option.map(config.apiKey, Redacted.value)).toEqual(Option.some("k1"))
      expect(config.baseUrl).toBe("http://localhost:8080")
      expect(config.appUrl).toBe("http://localhost:8080")
      expect(config.entity).toEqual(Option.some("acme"))
      expect(config.project).toEqual(Option.some("mnist"))
      expect(Duration.toMillis(config.timeout)).toBe(7000)
    }))

  it.effect("explicit options take precedence over the environment", () =>
    Effect.gen(function*() {
      const config = yield* WandbConfig.makeFromEnv({ apiKey: "k2", entity: "other", baseUrl: undefined }).pipe(
        withEnv({ WANDB_API_KEY: "k1", WANDB_ENTITY: "acme", WANDB_BASE_URL: "https://api.wandb.test" })
      )
      expect(Option.map(config.apiKey, Redacted.value)).toEqual(Option.some("k2"))
      expect(config.entity).toEqual(Option.some("other"))
      expect(config.baseUrl).toBe("https://api.wandb.test")
    }))

  it.effect("defaults: W&B cloud, no key, no entity/project, documented knobs", () =>
    Effect.gen(function*() {
      const config = yield* WandbConfig.makeFromEnv().pipe(withEnv({}))
      expect(config.baseUrl).toBe("https://api.wandb.ai")
      expect(config.appUrl).toBe("https://wandb.ai")
      expect(Option.isNone(config.apiKey)).toBe(true)
      expect(Option.isNone(config.entity)).toBe(true)
      expect(config.retry.maxAttempts).toBe(10)
      expect(Duration.toMillis(config.retry.maxRetryTime)).toBe(20_000)
      expect(Duration.toMillis(config.timeout)).toBe(30_000)
      expect(config.runCacheCapacity).toBe(1024)
    }))

  it("derives the app URL like W&B", () => {
    expect(WandbConfig.appUrlFor("https://api.wandb.ai")).toBe("https://wandb.ai")
    expect(WandbConfig.appUrlFor("https://api.wandb.test")).toBe("https://app.wandb.test")
    expect(WandbConfig.appUrlFor("https://api.acme.example")).toBe("https://app.acme.example")
    expect(WandbConfig.appUrlFor("http://localhost:8080")).toBe("http://localhost:8080")
  })

  it.effect("an invalid base URL or knob is an InvalidArgument", () =>
    Effect.gen(function*() {
      for (const baseUrl of ["not a url", "ftp://x.example", "https://x.example/?q=1"]) {
        const error = yield* Effect.flip(WandbConfig.make({ baseUrl }))
        expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "baseUrl" })
      }
      expect(yield* Effect.flip(WandbConfig.make({ retry: { maxAttempts: 0 } }))).toMatchObject({
        argument: "retry.maxAttempts"
      })
      expect(yield* Effect.flip(WandbConfig.make({ timeout: "-1 seconds" }))).toMatchObject({ argument: "timeout" })
    }))

  it.effect("a malformed WANDB_HTTP_TIMEOUT is a ConfigError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(WandbConfig.makeFromEnv().pipe(withEnv({ WANDB_HTTP_TIMEOUT: "soon" })))
      expect(error._tag).not.toBe("InvalidArgument")
    }))

  it.effect("the key stays redacted when the config is printed", () =>
    Effect.gen(function*() {
      const config = yield* WandbConfig.make({ apiKey: "super-secret-key" })
      expect(JSON.stringify(config)).not.toContain("super-secret-key")
      expect(String(Option.getOrThrow(config.apiKey))).not.toContain("super-secret-key")
    }))
})
