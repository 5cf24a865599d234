/**
 * The web page in a real browser: Debian's chromium (playwright-core, never a downloaded browser)
 * opens `effect-wandb web` (the built binary) in front of the local server, checks the runs
 * table, sorting and filtering, that the chart draws exactly the points of the sampled history,
 * and that a file download arrives with the server's bytes. Saves a screenshot to test-output/.
 */
import * as History from "@effect-wandb/core/History"
import * as Sweeps from "@effect-wandb/core/Sweeps"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { mkdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { Page } from "playwright-core"
import { apiKey, cleanEnv, launchChromium, ServerWithApiLive, startWebCli } from "./helpers.js"

const outputDir = fileURLToPath(new URL("../test-output/", import.meta.url))

const rowIds = (page: Page) => page.$$eval("#runs tbody tr", (rows) => rows.map((r) => (r as HTMLElement).dataset["run"]!))


layer(ServerWithApiLive, { excludeTestServices: true, timeout: 120_000 })("web page", (it) => {
  it.scoped("shows runs, sorts, filters, plots histories and downloads a file", () =>
    Effect.gen(function*() {
      const api = yield* WandbApi.WandbApi
      const runs = Chunk.toReadonlyArray(yield* Stream.runCollect(api.runs("demo/mnist-cnn")))
      const web = yield* startWebCli()
      const browser = yield* launchChromium()
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

      // The project's sweep (the demo's first project has one), with its best run by val_loss.
      const [sweep] = Chunk.toReadonlyArray(yield* Stream.runCollect(Sweeps.sweeps("demo/mnist-cnn")))
      const best = Option.getOrThrow(yield* Sweeps.bestRun(sweep!))
      yield* Effect.promise(() => page.waitForFunction(() => document.querySelectorAll("#sweeps tbody tr").length === 1))
      expect(yield* Effect.promise(() => page.textContent(`tr[data-sweep="${sweep!.id}"] td.best`))).toBe(best.name)
      expect(yield* Effect.promise(() => page.textContent("#sweep-count"))).toBe("1 sweep")

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
