/**
 * The web page's artifacts in Chromium, against `effect-wandb web` in front of the demo server:
 * a run's logged and used artifacts, an artifact's versions and files, its runs as links back
 * to the runs table (and from there to that run's artifacts).
 */
import { Artifacts, WandbApi } from "@effect-wandb/core"
import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Stream } from "effect"
import type { Page } from "playwright-core"
import { launchChromium, ServerWithApiLive, startWebCli } from "./helpers.js"

const texts = (page: Page, selector: string) =>
  Effect.promise(() => page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent ?? "")))

layer(Artifacts.layer.pipe(Layer.provideMerge(ServerWithApiLive)), { excludeTestServices: true, timeout: 120_000 })("web page artifacts", (it) => {
  it.scoped("a run's artifacts, an artifact's versions, files and runs, linked both ways", () =>
    Effect.gen(function*() {
      const artifacts = yield* Artifacts.Artifacts
      const model = yield* artifacts.artifact("demo/mnist-cnn/classifier:v0")
      const producer = Option.getOrThrow(yield* artifacts.createdBy(model))
      const data = yield* artifacts.artifact("demo/mnist-cnn/training-data:v1")
      const users = (yield* artifacts.usedBy(data)).map((run) => run.id)
      const files = Chunk.toReadonlyArray(yield* Stream.runCollect(artifacts.files(model))).map((f) => f.name)

      const web = yield* startWebCli()
      const browser = yield* launchChromium()
      const context = yield* Effect.acquireRelease(
        Effect.promise(() => browser.newContext({ viewport: { width: 1600, height: 1200 } })),
        (c) => Effect.promise(() => c.close())
      )
      const page = yield* Effect.promise(() => context.newPage())
      page.setDefaultTimeout(20_000)
      const pageErrors: Array<string> = []
      page.on("pageerror", (e) => pageErrors.push(e.message))
      yield* Effect.promise(() => page.goto(web.url))
      yield* Effect.promise(() => page.waitForSelector(`tr[data-run="${producer.id}"] input.pick`))

      // The run that logged classifier:v0 (and used training-data:v1)
      yield* Effect.promise(() => page.check(`tr[data-run="${producer.id}"] input.pick`))
      yield* Effect.promise(() => page.waitForSelector("#run-artifacts tr[data-artifact='classifier:v0'][data-role=logged]"))
      yield* Effect.promise(() => page.waitForSelector("#run-artifacts tr[data-artifact='training-data:v1'][data-role=used]"))

      // → the artifact: its versions (this one marked), files and the run that logged it
      yield* Effect.promise(() => page.click("#run-artifacts a.artifact-link[data-artifact='classifier:v0']"))
      yield* Effect.promise(() => page.waitForSelector("#artifact-detail[data-artifact='classifier:v0']"))
      expect(yield* texts(page, "#artifact-versions tbody tr td:first-child")).toEqual(["v2", "v1", "v0"])
      expect(yield* texts(page, "#artifact-versions tr.selected td:first-child")).toEqual(["v0"])
      expect(yield* texts(page, "#artifact-files tbody tr td:first-child")).toEqual(files)
      expect(yield* texts(page, "#artifact-lineage a.run-link[data-role=logged]")).toEqual([producer.id])

      // → training-data:v1 and the runs that used it; a run link goes back to the runs table
      yield* Effect.promise(() => page.click("#run-artifacts a.artifact-link[data-artifact='training-data:v1']"))
      yield* Effect.promise(() => page.waitForSelector("#artifact-detail[data-artifact='training-data:v1']"))
      expect((yield* texts(page, "#artifact-lineage a.run-link[data-role=used]")).sort()).toEqual([...users].sort())
      const other = users.find((id) => id !== producer.id)!
      yield* Effect.promise(() => page.click(`#artifact-lineage a.run-link[data-run="${other}"]`))
      yield* Effect.promise(() => page.waitForSelector(`tr.selected[data-run="${other}"]`))
      const otherName = (yield* (yield* WandbApi.WandbApi).run(`demo/mnist-cnn/${other}`)).name
      yield* Effect.promise(() =>
        page.waitForFunction((name) => document.getElementById("artifacts-run")!.textContent === `of ${name}`, otherName)
      )
      expect(yield* texts(page, "#run-artifacts tr[data-role=used] td:first-child")).toEqual(["training-data:v1"])
      expect(pageErrors).toEqual([])
    }), 120_000)
})
