/**
 * The Node layer caps the sockets per host: many concurrent calls queue on the agent instead of
 * opening one socket each (which exhausted file descriptors under `ulimit -n 256`).
 */
import { describe, expect, it } from "@effect/vitest"
import { WandbConfig, WandbHttpClient } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { Effect, Layer } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** A server that answers after 50 ms and records how many connections were open at most. */
const countingServer = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly peak: () => number; readonly server: ReturnType<typeof createServer> }>(
    (resume) => {
      let open = 0
      let peak = 0
      const server = createServer((_request, response) => {
        setTimeout(() => response.end("ok"), 50)
      })
      server.on("connection", (socket) => {
        open++
        peak = Math.max(peak, open)
        socket.on("close", () => open--)
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, peak: () => peak, server }))
      })
    }
  ),
  ({ server }) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
)

const concurrentGets = (url: string, n: number, layer: Layer.Layer<WandbHttpClient.WandbHttpClient, unknown>) =>
  Effect.flatMap(WandbHttpClient.WandbHttpClient, (http) =>
    Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      (i) => Effect.flatMap(http.get(`${url}/x/${i}`), (response) => response.text),
      { concurrency: "unbounded" }
    )).pipe(Effect.provide(layer))

const client = (url: string, maxSockets?: number) =>
  NodeWandb.layerFrom(WandbConfig.layerWithoutEnv({ baseUrl: url, apiKey: "k" }), {
    ...(maxSockets === undefined ? {} : { maxSockets })
  })

describe("sockets per host", () => {
  it.scopedLive("60 concurrent calls use at most 16 sockets by default", () =>
    Effect.gen(function*() {
      const server = yield* countingServer
      const answers = yield* concurrentGets(server.url, 60, client(server.url))
      expect(answers).toHaveLength(60)
      expect(answers.every((text) => text === "ok")).toBe(true)
      expect(server.peak()).toBeGreaterThan(1)
      expect(server.peak()).toBeLessThanOrEqual(16)
    }), 20_000)

  it.scopedLive("maxSockets is configurable", () =>
    Effect.gen(function*() {
      const server = yield* countingServer
      const answers = yield* concurrentGets(server.url, 20, client(server.url, 3))
      expect(answers).toHaveLength(20)
      expect(server.peak()).toBeLessThanOrEqual(3)
    }), 20_000)
})
