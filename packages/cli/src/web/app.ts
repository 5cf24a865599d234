/**
 * The web page's script (bundled for the browser by `WebBundle`): pick a project, filter and sort
 * its runs, overlay the metric histories of the selected runs, download a run's files, and follow
 * artifacts: the ones a run logged and used, an artifact's versions, files and runs (each run a link
 * back to the table). It uses the effect-wandb library only — `BrowserWandb` (fetch + OPFS), the
 * core client and `Artifacts` —
 * against its own origin, whose server proxies to W&B and adds the API key.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Artifact from "@effect-wandb/core/Artifact"
import * as Artifacts from "@effect-wandb/core/Artifacts"
import * as Download from "@effect-wandb/core/Download"
import * as Histories from "@effect-wandb/core/Histories"
import type * as Run from "@effect-wandb/core/Run"
import type * as RunFile from "@effect-wandb/core/RunFile"
import * as Sweeps from "@effect-wandb/core/Sweeps"
import * as WandbApi from "@effect-wandb/core/WandbApi"
import * as BrowserWandb from "@effect-wandb/platform-browser/BrowserWandb"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Chart from "./Chart.js"
import type { PageConfig } from "./page.js"

const config = (globalThis as { __EFFECT_WANDB_WEB__?: PageConfig }).__EFFECT_WANDB_WEB__ ?? {
  upstream: "",
  entity: null,
  project: null
}

// The page talks to its own origin; the server proxies to W&B and adds the real key there.
// The client insists on some key, so the page sends a placeholder that the proxy drops.
const runtime = ManagedRuntime.make(
  Artifacts.layer.pipe(
    Layer.provideMerge(BrowserWandb.layer({ baseUrl: location.origin, apiKey: "replaced-by-the-effect-wandb-web-proxy" }))
  )
)

const $ = <E extends HTMLElement>(id: string): E => document.getElementById(id) as E

const state = {
  entity: "",
  project: "",
  order: "+created_at",
  runs: [] as ReadonlyArray<Run.Run>,
  selected: new Set<string>(),
  focus: null as Run.Run | null,
  metricColumns: [] as ReadonlyArray<string>
}

const setStatus = (text: string, isError = false) => {
  const el = $("status")
  el.textContent = text
  el.classList.toggle("error", isError)
}

/** Runs an effect on the client; a failure is shown in the status line (its typed message). */
const run = async <A, E>(effect: Effect.Effect<A, E, BrowserWandb.Services | Artifacts.Artifacts>): Promise<A | undefined> => {
  const exit = await runtime.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  const error = Cause.squash(exit.cause)
  setStatus(`error: ${error instanceof Error ? error.message : String(error)}`, true)
  return undefined
}

/**
 * A view refresher that several events may start at once (a run ticked, then another): `load`
 * gets `current()`, false once a later call has started, and drops its answer then, so that a
 * slower, older answer never overwrites a newer one.
 */
const newestOnly = <Args extends ReadonlyArray<unknown>>(
  load: (current: () => boolean, ...args: Args) => Promise<void>
) => {
  let calls = 0
  return (...args: Args): Promise<void> => {
    const call = ++calls
    return load(() => call === calls, ...args)
  }
}

const el = (tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement => {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v)
  if (text !== undefined) node.textContent = text
  return node
}

const formatValue = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)))
  if (value instanceof Date) return value.toISOString().replace("T", " ").slice(0, 19)
  if (Array.isArray(value)) return value.join(", ")
  return typeof value === "object" ? JSON.stringify(value) : String(value)
}

const preferredMetrics = ["loss", "accuracy", "val_loss", "val_accuracy"]

/** Up to four numeric summary metrics shown as columns (the usual ones first). */
const pickMetricColumns = (runs: ReadonlyArray<Run.Run>): ReadonlyArray<string> => {
  const numeric = new Set<string>()
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.summary)) if (!k.startsWith("_") && typeof v === "number") numeric.add(k)
  }
  const ordered = [...preferredMetrics.filter((k) => numeric.has(k)), ...[...numeric].filter((k) => !preferredMetrics.includes(k)).sort()]
  return ordered.slice(0, 4)
}

const columns = (): ReadonlyArray<{ label: string; order: string; get: (r: Run.Run) => unknown; numeric?: boolean }> => [
  { label: "id", order: "name", get: (r) => r.id },
  { label: "name", order: "display_name", get: (r) => r.name },
  { label: "state", order: "state", get: (r) => r.state },
  { label: "created", order: "created_at", get: (r) => r.createdAt },
  ...state.metricColumns.map((k) => ({ label: k, order: `summary_metrics.${k}`, get: (r: Run.Run) => r.summary[k], numeric: true }))
]

const renderRuns = () => {
  const head = $("runs").querySelector("thead")!
  const body = $("runs").querySelector("tbody")!
  head.replaceChildren()
  body.replaceChildren()
  const headRow = el("tr")
  headRow.append(el("th"))
  for (const c of columns()) {
    const arrow = state.order === `+${c.order}` ? " ▲" : state.order === `-${c.order}` ? " ▼" : ""
    headRow.append(el("th", { "data-order": c.order }, c.label + arrow))
  }
  head.append(headRow)
  for (const r of state.runs) {
    const row = el("tr", { "data-run": r.id })
    row.classList.toggle("selected", state.selected.has(r.id))
    const box = el("input", { type: "checkbox", class: "pick" }) as HTMLInputElement
    box.checked = state.selected.has(r.id)
    const pickCell = el("td")
    pickCell.append(box)
    row.append(pickCell)
    for (const c of columns()) {
      const cell = el("td", c.numeric ? { class: "num" } : {}, formatValue(c.get(r)))
      if (c.label === "state") cell.classList.add(`state-${r.state}`)
      row.append(cell)
    }
    body.append(row)
  }
  $("run-count").textContent = `${state.runs.length} run${state.runs.length === 1 ? "" : "s"}`
}

const readFilter = (): Record<string, unknown> | undefined | null => {
  const text = ($("filter") as HTMLInputElement).value.trim()
  if (text === "") return undefined
  try {
    const parsed = JSON.parse(text) as unknown
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch {
    // reported below
  }
  setStatus("error: the filter must be a JSON object, e.g. {\"state\": \"finished\"}", true)
  return null
}

const loadRuns = newestOnly(async (current) => {
  const filters = readFilter()
  if (filters === null || state.project === "") return
  setStatus(`loading runs of ${state.entity}/${state.project}…`)
  const runs = await run(
    Effect.flatMap(WandbApi.WandbApi, (api) =>
      Stream.runCollect(Stream.take(api.runs(`${state.entity}/${state.project}`, { filters, order: state.order, perPage: 200 }), 1000)))
  )
  if (runs === undefined || !current()) return
  state.runs = Chunk.toReadonlyArray(runs)
  const ids = new Set(state.runs.map((r) => r.id))
  for (const id of [...state.selected]) if (!ids.has(id)) state.selected.delete(id)
  state.metricColumns = pickMetricColumns(state.runs)
  renderRuns()
  setStatus(`${state.runs.length} runs of ${state.entity}/${state.project} (order ${state.order})`)
  void loadSweeps()
  updateMetrics()
  await drawChart()
})

const selectedRuns = () => state.runs.filter((r) => state.selected.has(r.id))

const updateMetrics = () => {
  const select = $("metric") as HTMLSelectElement
  const current = select.value
  const keys = new Set<string>()
  for (const r of selectedRuns()) for (const k of Object.keys(r.historyKeys.keys)) if (!k.startsWith("_")) keys.add(k)
  const sorted = [...keys].sort()
  select.replaceChildren(...sorted.map((k) => el("option", { value: k }, k)))
  select.value = keys.has(current) ? current : preferredMetrics.find((k) => keys.has(k)) ?? sorted[0] ?? ""
}

const toNumber = (value: unknown): number | null => (typeof value === "number" ? value : null)

const drawChart = newestOnly(async (current) => {
  const chart = $("chart")
  const metric = ($("metric") as HTMLSelectElement).value
  const runs = selectedRuns()
  chart.dataset["state"] = "loading"
  if (runs.length === 0 || metric === "") {
    chart.innerHTML = "<p class=\"muted\">Select one or more runs to plot their history.</p>"
    chart.dataset["state"] = "empty"
    return
  }
  const samples = Number(($("samples") as HTMLInputElement).value) || 500
  // every selected run's history in one request (per 50 runs)
  const series = await run(
    Stream.runCollect(Histories.histories(Stream.fromIterable(runs), { keys: [metric], samples })).pipe(
      Effect.map(Chunk.map((h, i): Chart.Series => ({
        name: runs[i]!.name ?? runs[i]!.id,
        points: h.rows.map((row) => [row._step, toNumber(row[metric])] as const)
      }))),
      Effect.map(Chunk.toReadonlyArray)
    )
  )
  if (series === undefined || !current()) return
  chart.innerHTML = Chart.lineChart(series, { title: metric, xLabel: "_step", width: 620, height: 340 })
  chart.dataset["state"] = "ready"
  chart.dataset["metric"] = metric
})

const loadFiles = newestOnly(async (current, target: Run.Run) => {
  state.focus = target
  $("files-run").textContent = `of ${target.name ?? target.id}`
  const files = await run(Effect.flatMap(WandbApi.WandbApi, (api) => Stream.runCollect(api.files(target))))
  if (files === undefined || !current()) return
  const body = $("files").querySelector("tbody")!
  body.replaceChildren()
  for (const f of files) {
    const row = el("tr")
    row.append(el("td", {}, f.name), el("td", { class: "num" }, formatValue(f.sizeBytes)))
    const cell = el("td")
    const button = el("button", { class: "download", "data-name": f.name }, "download")
    button.addEventListener("click", () => void downloadFile(f))
    cell.append(button)
    row.append(cell)
    body.append(row)
  }
})

/** A link that calls `onClick`; `data` attributes identify it for tests. */
const link = (className: string, text: string, data: Record<string, string>, onClick: () => void): HTMLElement => {
  const a = el("a", { class: className, ...Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, v])) }, text)
  a.addEventListener("click", onClick)
  return a
}

/** The artifacts a run logged and used, each a link to its versions and files. */
const loadRunArtifacts = newestOnly(async (current, target: Run.Run) => {
  $("artifacts-run").textContent = `of ${target.name ?? target.id}`
  const found = await run(Effect.gen(function*() {
    const artifacts = yield* Artifacts.Artifacts
    const logged = yield* Stream.runCollect(artifacts.loggedArtifacts(target))
    const used = yield* Stream.runCollect(artifacts.usedArtifacts(target))
    return [
      ...Chunk.toReadonlyArray(logged).map((artifact) => ({ artifact, role: "logged" })),
      ...Chunk.toReadonlyArray(used).map((artifact) => ({ artifact, role: "used" }))
    ]
  }))
  if (found === undefined || !current()) return
  const body = $("run-artifacts").querySelector("tbody")!
  body.replaceChildren()
  for (const { artifact, role } of found) {
    const row = el("tr", { "data-artifact": artifact.name, "data-role": role })
    const cell = el("td")
    cell.append(link("artifact-link", artifact.name, { artifact: artifact.name }, () => void showArtifact(artifact)))
    row.append(cell, el("td", {}, artifact.type), el("td", {}, role), el("td", {}, formatValue(artifact.aliases)))
    body.append(row)
  }
})

/** Selects a run of the table (or, when the table does not list it, shows its artifacts alone). */
const focusRun = async (path: string) => {
  const [entity, project, id] = path.split("/")
  const listed = entity === state.entity && project === state.project ? state.runs.find((r) => r.id === id) : undefined
  if (listed !== undefined) {
    state.selected.add(listed.id)
    renderRuns()
    updateMetrics()
    void drawChart()
    await Promise.all([loadFiles(listed), loadRunArtifacts(listed)])
    return
  }
  const other = await run(Effect.flatMap(WandbApi.WandbApi, (api) => api.run(path)))
  if (other !== undefined) await loadRunArtifacts(other)
}

/** An artifact version: its lineage (runs as links), the versions of its collection and its files. */
const showArtifact = newestOnly(async (current, artifact: Artifact.Artifact) => {
  const detail = await run(Effect.gen(function*() {
    const artifacts = yield* Artifacts.Artifacts
    const versions = yield* Stream.runCollect(artifacts.versions(artifact.type, `${artifact.entity}/${artifact.project}/${artifact.collection}`))
    const files = yield* Stream.runCollect(artifacts.files(artifact))
    const createdBy = yield* artifacts.createdBy(artifact)
    const usedBy = yield* artifacts.usedBy(artifact)
    return { versions: Chunk.toReadonlyArray(versions), files: Chunk.toReadonlyArray(files), createdBy, usedBy }
  }))
  if (detail === undefined || !current()) return
  $("artifact-name").textContent = `${artifact.qualifiedName} (${artifact.type})`
  $("artifact-detail").dataset["artifact"] = artifact.name
  const lineage = $("artifact-lineage")
  lineage.replaceChildren(el("span", {}, "logged by "))
  for (const creator of Option.toArray(detail.createdBy)) {
    lineage.append(link("run-link", creator.id, { run: creator.id, role: "logged" }, () => void focusRun(creator.path)))
  }
  lineage.append(el("span", {}, "; used by "))
  for (const user of detail.usedBy) {
    lineage.append(link("run-link", user.id, { run: user.id, role: "used" }, () => void focusRun(user.path)), el("span", {}, " "))
  }
  const versions = $("artifact-versions").querySelector("tbody")!
  versions.replaceChildren()
  for (const version of detail.versions) {
    const row = el("tr", { "data-version": version.version })
    row.classList.toggle("selected", version.id === artifact.id)
    const cell = el("td")
    cell.append(link("artifact-link", version.version, { artifact: version.name }, () => void showArtifact(version)))
    row.append(cell, el("td", {}, formatValue(version.aliases)), el("td", { class: "num" }, formatValue(version.size)), el("td", {}, formatValue(version.createdAt)))
    versions.append(row)
  }
  const files = $("artifact-files").querySelector("tbody")!
  files.replaceChildren()
  for (const file of detail.files) {
    const row = el("tr", { "data-path": file.name })
    row.append(el("td", {}, file.name), el("td", { class: "num" }, formatValue(file.sizeBytes)))
    files.append(row)
  }
  setStatus(`${artifact.qualifiedName}: ${detail.versions.length} versions, ${detail.files.length} files`)
})

/** Downloads into OPFS (verified against the md5), then offers the stored bytes as a browser download. */
const downloadFile = async (file: RunFile.RunFile) => {
  setStatus(`downloading ${file.name}…`)
  const url = new URL(file.url)
  const local = { name: file.name, url: `${location.origin}${url.pathname}${url.search}`, md5: file.md5, sizeBytes: file.sizeBytes }
  const saved = await run(
    Effect.gen(function*() {
      const path = yield* Download.download(local, { root: `downloads/${file.runId}`, replace: true })
      const fs = yield* FileSystem.FileSystem
      const bytes = yield* fs.readFile(path)
      return { path, bytes }
    })
  )
  if (saved === undefined) return
  const href = URL.createObjectURL(new Blob([new Uint8Array(saved.bytes)], { type: file.mimetype ?? "application/octet-stream" }))
  const link = el("a", { href, download: file.name.split("/").pop() ?? file.name }) as HTMLAnchorElement
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
  const note = `saved ${file.name} (${saved.bytes.length} bytes, md5 verified) to the browser's private storage at ${saved.path}`
  $("downloads").textContent = note
  $("downloads").dataset["bytes"] = String(saved.bytes.length)
  setStatus(note)
}

/** The project's sweeps, each with its best run by the metric of its config. */
const loadSweeps = newestOnly(async (current) => {
  const sweeps = await run(
    Stream.runCollect(Sweeps.sweeps(`${state.entity}/${state.project}`).pipe(
      Stream.mapEffect((sweep) => Effect.map(Sweeps.bestRun(sweep), (best) => ({ sweep, best })), { concurrency: 4 })
    ))
  )
  if (sweeps === undefined || !current()) return
  const body = $("sweeps").querySelector("tbody")!
  body.replaceChildren()
  for (const { best, sweep } of sweeps) {
    const row = el("tr", { "data-sweep": sweep.id })
    const bestRun = best._tag === "Some" ? best.value : null
    const metric = Sweeps.metricOrder(sweep)?.replace(/^([+-])summary_metrics\./, (_, sign) => (sign === "+" ? "min " : "max ")) ?? ""
    row.append(
      el("td", {}, sweep.name ?? sweep.id),
      el("td", {}, sweep.method ?? ""),
      el("td", { class: `state-${sweep.state.toLowerCase()}` }, sweep.state),
      el("td", { class: "num" }, String(sweep.runCount)),
      el("td", {}, metric),
      el("td", { class: "best" }, bestRun === null ? "" : bestRun.name ?? bestRun.id)
    )
    body.append(row)
  }
  $("sweep-count").textContent = `${sweeps.length} sweep${sweeps.length === 1 ? "" : "s"}`
})

const loadProjects = newestOnly(async (current) => {
  setStatus(`loading projects of ${state.entity}…`)
  const projects = await run(Effect.flatMap(WandbApi.WandbApi, (api) => Stream.runCollect(api.projects(state.entity))))
  if (projects === undefined || !current()) return
  const select = $("project") as HTMLSelectElement
  const names = Chunk.toReadonlyArray(projects).map((p) => p.name)
  select.replaceChildren(...names.map((n) => el("option", { value: n }, n)))
  state.project = config.project !== null && names.includes(config.project) ? config.project : names[0] ?? ""
  select.value = state.project
  state.selected.clear()
  await loadRuns()
})

const wire = () => {
  ($("entity") as HTMLInputElement).addEventListener("change", (e) => {
    state.entity = (e.target as HTMLInputElement).value.trim()
    void loadProjects()
  })
  ;($("project") as HTMLSelectElement).addEventListener("change", (e) => {
    state.project = (e.target as HTMLSelectElement).value
    state.selected.clear()
    void loadRuns()
  })
  $("apply").addEventListener("click", () => void loadRuns())
  $("filter").addEventListener("keydown", (e) => {
    if (e.key === "Enter") void loadRuns()
  })
  $("runs").querySelector("thead")!.addEventListener("click", (e) => {
    const order = (e.target as HTMLElement).closest("th")?.dataset["order"]
    if (order === undefined) return
    state.order = state.order === `+${order}` ? `-${order}` : `+${order}`
    void loadRuns()
  })
  $("runs").querySelector("tbody")!.addEventListener("change", (e) => {
    const row = (e.target as HTMLElement).closest("tr")
    const id = row?.dataset["run"]
    if (id === undefined) return
    if ((e.target as HTMLInputElement).checked) state.selected.add(id)
    else state.selected.delete(id)
    row!.classList.toggle("selected", state.selected.has(id))
    const target = state.runs.find((r) => r.id === id)
    if (target !== undefined && state.selected.has(id)) {
      void loadFiles(target)
      void loadRunArtifacts(target)
    }
    updateMetrics()
    void drawChart()
  })
  $("metric").addEventListener("change", () => void drawChart())
  $("samples").addEventListener("change", () => void drawChart())
}

const start = async () => {
  wire()
  const entity = config.entity ?? (await run(Effect.flatMap(WandbApi.WandbApi, (api) => api.defaultEntity)))
  if (entity === undefined) return
  state.entity = entity
  ;($("entity") as HTMLInputElement).value = entity
  await loadProjects()
}

void start()
