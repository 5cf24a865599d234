/**
 * The attacks on `effect-wandb web` of the security report, in real Chromium (Debian's, through
 * playwright-core): the user has opened the page (so the browser holds its cookie), then visits
 * a hostile site that posts a run-planting mutation cross-site as `text/plain` (no preflight), as
 * a form, and tries to read a query answer; and a site that rebinds its DNS name to the
 * server's address. Nothing may reach the upstream, no run may appear, nothing may be read.
 */
import * as WandbApi from "@effect-wandb/core/WandbApi"
import * as LocalServer from "@effect-wandb/server/LocalServer"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createServer } from "node:http"
import { apiKey, launchChromium, ServerWithApiLive } from "./helpers.js"
import { startWeb } from "./webProxyHarness.js"

const viewer = WandbApi.operations.find((operation) => operation.name === "GetViewer")!
const createRun = WandbApi.operations.find((operation) => /mutation /.test(operation.document))!

/** The hostile page: every way a cross-site page can send a POST, then `window.__done`. */
const hostilePage = (target: string) => `<!doctype html><html><body><iframe name="sink"></iframe><script>
(async () => {
  const plant = JSON.stringify({ query: ${JSON.stringify(createRun.document)},
    variables: { entity: "demo", project: "mnist-cnn", name: "planted-by-evil" } })
  const done = {}
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]) {
    try {
      await fetch("${target}/graphql", { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": type }, body: plant })
      done[type] = "sent"
    } catch (e) { done[type] = String(e) }
  }
  try {
    const r = await fetch("${target}/graphql", { method: "POST", credentials: "include",
      headers: { "content-type": "application/json" }, body: JSON.stringify({ query: ${JSON.stringify(viewer.document)} }) })
    done.read = await r.text()
  } catch (e) { done.read = "blocked" }
  const form = document.createElement("form")
  form.method = "POST"; form.action = "${target}/graphql"; form.enctype = "text/plain"; form.target = "sink"
  const input = document.createElement("input")
  input.name = plant.slice(0, -1) + ', "x": "'; input.value = '"}'
  form.append(input); document.body.append(form); form.submit()
  await new Promise((r) => document.querySelector("iframe").addEventListener("load", r, { once: true }))
  window.__done = done
})()
</script></body></html>`


layer(ServerWithApiLive, { excludeTestServices: true, timeout: 120_000 })("web server in Chromium", (it) => {
  it.scoped("a cross-site page can neither write through the proxy nor read from it", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.LocalServer
      const w = yield* startWeb(server.baseUrl, apiKey)
      const evil = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html" })
        res.end(hostilePage(`http://127.0.0.1:${w.port}`))
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          evil.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () => Effect.sync(() => void evil.close())
      )
      const address = evil.address()
      const evilUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/`

      const browser = yield* launchChromium()
      const context = yield* Effect.acquireRelease(Effect.promise(() => browser.newContext()), (c) => Effect.promise(() => c.close()))
      const page = yield* Effect.promise(() => context.newPage())
      page.setDefaultTimeout(20_000)

      // The user opens the page: the browser now holds the token cookie.
      yield* Effect.promise(() => page.goto(w.url))
      yield* Effect.promise(() => page.waitForSelector("#runs tbody tr"))
      // The page goes on to read histories and sweeps after the table shows: count once it is quiet.
      yield* Effect.promise(() => page.waitForLoadState("networkidle"))
      const cookies = yield* Effect.promise(() => context.cookies())
      expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([
        { name: `effect-wandb-web-${w.port}`, httpOnly: true, sameSite: "Strict" }
      ])
      const forwardedByPage = w.forwarded.length
      expect(forwardedByPage).toBeGreaterThan(0)

      // Then visits the hostile site.
      yield* Effect.promise(() => page.goto(evilUrl))
      const done = yield* Effect.promise(() => page.waitForFunction(() => (window as any).__done).then((h) => h.jsonValue()))
      expect(done["text/plain"]).toBe("sent")
      expect(done.read).toBe("blocked")
      expect(w.forwarded.length).toBe(forwardedByPage)
      const api = yield* WandbApi.WandbApi
      const planted = yield* Effect.flip(api.run("demo/mnist-cnn/planted-by-evil"))
      expect(planted._tag).toBe("RunNotFound")
    }), 120_000)

  it.scoped("a rebound DNS name pointing at the server gets nothing", () =>
    Effect.gen(function*() {
      const server = yield* LocalServer.LocalServer
      const w = yield* startWeb(server.baseUrl, apiKey)
      const browser = yield* launchChromium(["--host-resolver-rules=MAP rebind.test 127.0.0.1"])
      const context = yield* Effect.acquireRelease(Effect.promise(() => browser.newContext()), (c) => Effect.promise(() => c.close()))
      const page = yield* Effect.promise(() => context.newPage())
      page.setDefaultTimeout(20_000)

      // Even with the token (which the rebinding site would not have): the Host is not the server's.
      const response = yield* Effect.promise(() => page.goto(`http://rebind.test:${w.port}/?token=${w.token}`))
      expect(response?.status()).toBe(403)
      const read = yield* Effect.promise(() =>
        page.evaluate(async (query) => {
          const r = await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) })
          return { status: r.status, body: await r.text() }
        }, viewer.document)
      )
      expect(read.status).toBe(403)
      expect(read.body).not.toContain("username")
      expect(w.forwarded).toEqual([])
    }), 120_000)
})
