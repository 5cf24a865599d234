/**
 * The web page in a real browser: Debian's chromium (playwright-core, never a downloaded browser)
 * opens `effect-wandb web` (the built binary) in front of the local server, checks the runs
 * table, sorting and filtering, that the chart draws exactly the points of the sampled history,
 * and that a file download arrives with the server's bytes. Saves a screenshot to test-output/.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as History from "@effect-wandb/core/History"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import * as LocalServer from "@effect-wandb/server/LocalServer"
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { type Browser, chromium, type Page } from "playwright-core"
import { apiKey, bin, cleanEnv, serverEnv, ServerLive } from "./helpers.js"

const outputDir = fileURLToPath(new URL("../test-output/", import.meta.url))

/** `effect-wandb web --port 0` as a subprocess; its URL from the first line. */
const webServer = Effect.acquireRelease(
  Effect.flatMap(serverEnv, (env) =>
    Effect.async<{ url: string; kill: () => void }, Error>((resume) => {
      const child = spawn(process.execPath, [bin, "web", "--port", "0"], { env, stdio: ["ignore", "pipe", "pipe"] })
      let out = ""
      let err = ""
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d))
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d
        const match = /^serving (\S+)/m.exec(out)
        if (match !== null) resume(Effect.succeed({ url: match[1]!, kill: () => child.kill() }))
      })
      child.on("exit", (code) => resume(Effect.fail(new Error(`effect-wandb web exited (${code}): ${err}`))))
    })),
  (server) => Effect.sync(server.kill)
)

const launch = Effect.acquireRelease(
  Effect.suspend(() => {
    const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
    if (!existsSync(executablePath)) {
      return Effect.dieMessage(`chromium not found at ${executablePath}: run scripts/ensure-chromium.sh (apt-get install -y chromium) or set CHROMIUM_PATH`)
    }
    return Effect.promise(() =>
      chromium.launch({
        executablePath,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
      })
    )
  }),
  (browser: Browser) => Effect.promise(() => browser.close())
)

const rowIds = (page: Page) => page.$$eval("#runs tbody tr", (rows) => rows.map((r) => (r as HTMLElement).dataset["run"]!))

/** The client the test uses to know what the page should show. */
const ApiLive = Layer.unwrapEffect(
  Effect.map(LocalServer.LocalServer, (server) =>
    WandbApi.layer({ baseUrl: server.baseUrl, apiKey }).pipe(Layer.provide(NodeHttpClient.layerUndici)))
)

layer(Layer.provideMerge(ApiLive, ServerLive), { excludeTestServices: true, timeout: 120_000 })("web page", (it) => {
  it.scoped("shows runs, sorts, filters, plots histories and downloads a file", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const runs = Chunk.toReadonlyArray(yield* Stream.runCollect(api.runs("demo/mnist-cnn")))
      const web = yield* webServer
      const browser = yield* launch
      const context = yield* Effect.acquireRelease(
        Effect.promise(() => browser.newContext({ viewport: { width: 1600, height: 860 }, acceptDownloads: true })),
        (c) => Effect.promise(() => c.close())
      )
      const page = yield* Effect.promise(() => context.newPage())
      page.setDefaultTimeout(20_000)
      const pageErrors: Array<string> = []
      const authHeaders: Array<string> = []
      page.on("pageerror", (e) => pageErrors.push(e.message))
      page.on("request", (r) => {
        const auth = r.headers()["authorization"]
        if (auth !== undefined) authHeaders.push(auth)
      })
      yield* Effect.promise(() => page.goto(web.url))

      // The table: the first project's runs, in creation order.
      yield* Effect.promise(() => page.waitForFunction((n) => document.querySelectorAll("#runs tbody tr").length === n, runs.length))
      expect(yield* Effect.promise(() => page.inputValue("#project"))).toBe("mnist-cnn")
      expect(yield* Effect.promise(() => rowIds(page))).toEqual(runs.map((r) => r.id))
      expect(yield* Effect.promise(() => page.textContent("#run-count"))).toBe(`${runs.length} runs`)

      // Sorting: the table starts in creation order, so clicking "created" sorts descending (on the server).
      yield* Effect.promise(() => page.click("th[data-order=created_at]"))
      yield* Effect.promise(() => page.waitForSelector("th[data-order=created_at]:has-text('▼')"))
      expect(yield* Effect.promise(() => rowIds(page))).toEqual(runs.map((r) => r.id).reverse())

      // Filtering.
      const finished = runs.filter((r) => r.state === "finished")
      yield* Effect.promise(() => page.fill("#filter", "{\"state\": \"finished\"}"))
      yield* Effect.promise(() => page.click("#apply"))
      yield* Effect.promise(() => page.waitForFunction((n) => document.querySelectorAll("#runs tbody tr").length === n, finished.length))
      expect(new Set(yield* Effect.promise(() => rowIds(page)))).toEqual(new Set(finished.map((r) => r.id)))

      // Two runs overlaid: each series has exactly the finite points of its sampled history.
      const picked = finished.slice(0, 2)
      yield* Effect.promise(() => page.fill("#samples", "50"))
      for (const r of picked) yield* Effect.promise(() => page.check(`tr[data-run="${r.id}"] input.pick`))
      yield* Effect.promise(() =>
        page.waitForFunction(() =>
          document.getElementById("chart")!.dataset["state"] === "ready" && document.querySelectorAll("#chart g.series").length === 2
        )
      )
      expect(yield* Effect.promise(() => page.inputValue("#metric"))).toBe("loss")
      const drawn = yield* Effect.promise(() =>
        page.$$eval("#chart g.series", (groups) =>
          groups.map((g) => ({
            name: g.getAttribute("data-series"),
            declared: Number(g.getAttribute("data-points")),
            drawn: [...g.querySelectorAll("polyline")].reduce((n, p) => n + p.getAttribute("points")!.trim().split(/\s+/).length, 0) +
              g.querySelectorAll("circle").length
          })))
      )
      expect(drawn.map((d) => d.name).sort()).toEqual(picked.map((r) => r.name).sort())
      for (const r of picked) {
        const sampled = yield* History.history(r, { keys: ["loss"], samples: 50 })
        const finite = sampled.rows.filter((row) => typeof row["loss"] === "number" && Number.isFinite(row["loss"])).length
        expect(finite).toBeGreaterThan(10)
        expect(finite).toBeLessThanOrEqual(50)
        expect(drawn.find((d) => d.name === r.name)).toEqual({ name: r.name, declared: finite, drawn: finite })
      }

      // A file: into OPFS, then offered as a browser download with the server's bytes.
      const target = picked[1]!
      yield* Effect.promise(() => page.waitForSelector("#files button.download[data-name='config.yaml']"))
      const [download] = yield* Effect.promise(() =>
        Promise.all([page.waitForEvent("download"), page.click("#files button.download[data-name='config.yaml']")])
      )
      const savedPath = yield* Effect.promise(() => download.path())
      const file = yield* api.file(target, "config.yaml")
      const served = yield* Effect.promise(() =>
        fetch(file.url, { headers: { authorization: `Basic ${btoa(`api:${apiKey}`)}` } }).then((r) => r.arrayBuffer())
      )
      expect(download.suggestedFilename()).toBe("config.yaml")
      expect(new Uint8Array(readFileSync(savedPath))).toEqual(new Uint8Array(served))
      expect(yield* Effect.promise(() => page.textContent("#downloads"))).toContain("md5 verified")

      mkdirSync(outputDir, { recursive: true })
      yield* Effect.promise(() => page.screenshot({ path: `${outputDir}web-page.png`, fullPage: true }))

      // The key stayed on the server: not in the page, not in any request the page made.
      expect(yield* Effect.promise(() => page.content())).not.toContain(apiKey)
      expect(authHeaders.filter((h) => h.includes(btoa(`api:${apiKey}`)))).toEqual([])
      expect(pageErrors).toEqual([])
      expect(cleanEnv()["WANDB_API_KEY"]).toBeUndefined()
    }), 120_000)
})
