/**
 * The fault suite's scenarios, shared by `faults.test.ts` and `scripts/fault-suite.ts`.
 *
 * A scenario starts a local server (real HTTP over loopback, real SQLite) with the
 * deterministic demo data and a fault injector, runs a workload once without faults (the
 * baseline) and once with the scenario's faults, and compares: the runs listing (every field
 * of every run, in order), full history scans (every row) and downloads of every file (every
 * byte). Each stage must either equal the baseline exactly or fail with one of the typed
 * errors the scenario allows — and no partial file may be left on disk either way.
 */
import { Download, History, LenientJson, WandbApi, WandbConfig } from "@effect-wandb/core"
import { NodeWandb } from "@effect-wandb/platform-node"
import { DemoData, FaultInjection, LocalServer } from "@effect-wandb/server"
import { FileSystem, HttpServerResponse, Path } from "@effect/platform"
import { Chunk, Context, Effect, Either, Layer, Option, Stream } from "effect"
import type { Scope } from "effect"
import { cutAfter, cutAndClose } from "./cuts.js"

/** The server's `SqlClient` (platform-node has no direct dependency on `@effect/sql`). */
type Sql = Effect.Effect.Context<ReturnType<typeof DemoData.seedDemo>>
const Sql = Context.GenericTag<Sql>("@effect/sql/SqlClient")

/** The stages of the workload. */
export type Stage = "listing" | "scan" | "download"

/** What a stage may end in besides the baseline's result: error tags. */
export type Allowed = Partial<Record<Stage, ReadonlyArray<string>>>

/**
 * Faults the server's plans do not have, played by the suite's own hooks on the same server:
 * file bodies cut every `bytes` bytes (every response, resumes included, so each resume makes
 * progress); the first answer to each file with every byte but a Content-Length `extra` bytes
 * too long (the resume then gets the server's 416); the first answer to each GraphQL request a
 * complete 200 whose JSON is cut short.
 */
export type CustomFault =
  | { readonly _tag: "DropEvery"; readonly bytes: number }
  | { readonly _tag: "LongContentLength"; readonly extra: number }
  | { readonly _tag: "TruncatedJson" }

export interface Scenario {
  readonly name: string
  /** The fault plan (text form, see `FaultInjection.parse`). */
  readonly spec: string
  /** A fault played by the suite's hooks (with `spec` empty, or on top of it). */
  readonly custom?: CustomFault
  /** Typed errors the stage may end in instead of equal results; none = must be equal. */
  readonly allowed?: Allowed
  /** Client settings beyond the suite's defaults (small backoff). */
  readonly client?: WandbConfig.Options
}

const RETRY = { maxAttempts: 6, baseDelay: "2 millis", maxDelay: "20 millis", maxRetryTime: "30 seconds" } as const

/**
 * Every fault kind at rate 1 with `max-consecutive=2` — every request of every page fails
 * twice before it goes through — then seeded mixes, then faults that outlast the retry budget.
 */
export const scenarios: ReadonlyArray<Scenario> = [
  { name: "HTTP 500 on every request (twice)", spec: "500=1,max-consecutive=2" },
  { name: "HTTP 502 on every request (twice)", spec: "502=1,max-consecutive=2" },
  { name: "HTTP 503 + Retry-After: 0 on every request (twice)", spec: "503=1,max-consecutive=2,retry-after=0" },
  { name: "HTTP 429 + Retry-After: 0 on every request (twice)", spec: "429=1,max-consecutive=2,retry-after=0" },
  { name: "dropped connection on every request (twice)", spec: "drop=1,max-consecutive=2" },
  { name: "truncated body on every request (twice)", spec: "truncate=1,max-consecutive=2" },
  { name: "HTML proxy page (502) on every request (twice)", spec: "html=1,max-consecutive=2" },
  {
    name: "slow answer beyond the client timeout on every request (once)",
    spec: "slow=1,max-consecutive=1,slow-ms=30000",
    client: { timeout: "400 millis" }
  },
  {
    name: "file bodies stalling beyond the client timeout (twice)",
    spec: "stall=1,max-consecutive=2,slow-ms=30000",
    client: { timeout: "400 millis" }
  },
  {
    name: "mix of every retryable kind, 60% of requests, seed 1",
    spec: "500=0.1,502=0.1,503=0.1,429=0.1,drop=0.1,truncate=0.05,html=0.05,retry-after=0,max-consecutive=3,seed=1"
  },
  {
    name: "mix of every retryable kind, 60% of requests, seed 2",
    spec: "500=0.1,502=0.1,503=0.1,429=0.1,drop=0.1,truncate=0.05,html=0.05,retry-after=0,max-consecutive=3,seed=2"
  },
  {
    name: "file connections dropped every 16 KiB (each resume progresses)",
    spec: "",
    custom: { _tag: "DropEvery", bytes: 16 * 1024 },
    // progress resets the budget: 2 attempts would not get far if resumes that progress counted
    client: { retry: { ...RETRY, maxAttempts: 2 } }
  },
  {
    name: "file Content-Length 100 bytes too long (416 after every byte)",
    spec: "",
    custom: { _tag: "LongContentLength", extra: 100 }
  },
  {
    name: "complete 200 GraphQL answers with JSON cut short (once each)",
    spec: "",
    custom: { _tag: "TruncatedJson" }
  },
  {
    name: "corrupt file bytes on every download",
    spec: "corrupt=1,max-consecutive=100",
    allowed: { download: ["ChecksumMismatch"] }
  },
  {
    name: "GraphQL errors in HTTP 200 answers (never retried)",
    spec: "graphql-errors=1,max-consecutive=100",
    allowed: { listing: ["ServerError"], scan: ["ServerError"], download: ["ServerError"] }
  },
  {
    name: "HTTP 503 outlasting the retry budget",
    spec: "503=1,max-consecutive=100,retry-after=0",
    client: { retry: { ...RETRY, maxAttempts: 3 } },
    allowed: { listing: ["ServerError"], scan: ["ServerError"], download: ["ServerError"] }
  },
  {
    name: "HTTP 429 outlasting the retry budget",
    spec: "429=1,max-consecutive=100,retry-after=0",
    client: { retry: { ...RETRY, maxAttempts: 3 } },
    allowed: { listing: ["RateLimited"], scan: ["RateLimited"], download: ["RateLimited"] }
  },
  {
    name: "dropped connections outlasting the retry budget",
    spec: "drop=1,max-consecutive=100",
    client: { retry: { ...RETRY, maxAttempts: 3 } },
    allowed: { listing: ["TransportError"], scan: ["TransportError"], download: ["TransportError"] }
  }
]

/** Demo data: one project, 7 runs (3 listing pages), 120 history rows each, 3 files per run. */
export const DEMO: DemoData.DemoOptions = {
  projects: 1,
  runsPerProject: 7,
  stepsPerRun: 120,
  filesPerRun: 3,
  largeFileBytes: 300_000
}
/** Runs whose history is scanned and whose files are downloaded. */
const SCANNED_RUNS = 3

/** A stage's result: comparable text and figures, or the typed error it ended in. */
type StageResult<A> = Either.Either<A, { readonly _tag: string; readonly message: string }>

interface Snapshot {
  readonly listing: StageResult<{ readonly runs: ReadonlyArray<string> }>
  readonly scan: StageResult<{ readonly rows: ReadonlyArray<string> }>
  /** Per file (`run/name`): its bytes, or the tag of the error it failed with. */
  readonly download: StageResult<ReadonlyMap<string, Uint8Array | string>>
  readonly partialFiles: number
}

/** Figures of one scenario. */
export interface Figures {
  readonly scenario: string
  readonly spec: string
  readonly faultsInjected: number
  readonly requestsRetried: number
  readonly runsCompared: number
  readonly rowsCompared: number
  readonly filesCompared: number
  readonly bytesCompared: number
  /** Stages (or files) that ended in an allowed typed error, by error tag. */
  readonly typedErrors: Readonly<Record<string, number>>
  readonly partialFiles: number
  /** Differences from the baseline and unexpected errors; empty when the scenario passed. */
  readonly problems: ReadonlyArray<string>
}

const stage = <A, E extends { readonly _tag: string; readonly message: string }, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<StageResult<A>, never, R> => Effect.either(effect)

/** Everything under `root` whose name marks an unfinished download, plus targets of failed files. */
const leftovers = (root: string, failedTargets: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const entries = yield* fs.readDirectory(root, { recursive: true })
    const parts = entries.filter((entry) => entry.endsWith(".part"))
    const present = yield* Effect.filter(failedTargets, (target) => fs.exists(target))
    return parts.length + present.length
  }).pipe(Effect.orDie)

/** Runs the workload once against the server at `server` with client settings `options`. */
const snapshot = (
  server: LocalServer.LocalServer["Type"],
  targets: ReadonlyArray<History.HistoryTarget>,
  options: WandbConfig.Options
): Effect.Effect<Snapshot, never, Scope.Scope | FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const api = yield* WandbApi.WandbApi
    const { entity, project } = targets[0]!
    const listing = yield* stage(
      Effect.map(
        Stream.runCollect(api.runs(`${entity}/${project}`, { perPage: 3 })),
        (runs) => ({ runs: Chunk.toReadonlyArray(runs).map((run) => LenientJson.stringify(run)) })
      )
    )
    const scan = yield* stage(
      Effect.map(
        Effect.forEach(targets, (target) =>
          Stream.runCollect(History.scanHistory(target, { pageSize: 40, concurrency: 2 })), { concurrency: 2 }),
        (perRun) => ({ rows: perRun.flatMap((rows) => Chunk.toReadonlyArray(rows).map((row) => LenientJson.stringify(row))) })
      )
    )
    const root = yield* fs.makeTempDirectoryScoped({ prefix: "wandb-faults-" }).pipe(Effect.orDie)
    const failedTargets: Array<string> = []
    const download = yield* stage(Effect.gen(function*() {
      const files = new Map<string, Uint8Array | string>()
      for (const target of targets) {
        const listed = yield* Stream.runCollect(api.files(`${target.entity}/${target.project}/${target.id}`))
        const dir = path.join(root, target.id)
        const events = yield* Stream.runCollect(Download.downloadAll(listed, { root: dir, concurrency: 3 }))
        for (const event of events) {
          if (event._tag === "Finished") {
            files.set(`${target.id}/${event.name}`, yield* Effect.orDie(fs.readFile(event.path)))
          } else if (event._tag === "Failed") {
            files.set(`${target.id}/${event.name}`, event.error._tag)
            failedTargets.push(path.join(dir, event.name))
          }
        }
      }
      return files as ReadonlyMap<string, Uint8Array | string>
    }))
    return { listing, scan, download, partialFiles: yield* leftovers(root, failedTargets) }
  }).pipe(
    Effect.provide(
      NodeWandb.layerFrom(
        WandbConfig.layerWithoutEnv({ baseUrl: server.baseUrl, apiKey: server.apiKey, retry: RETRY, ...options })
      ).pipe(Layer.orDie)
    )
  )

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0

/** Compares a faulted snapshot with the baseline; returns the figures. */
const compare = (scenario: Scenario, baseline: Snapshot, faulted: Snapshot, counters: FaultInjection.FaultCounters) => {
  const problems: Array<string> = []
  const typedErrors: Record<string, number> = {}
  const allowedError = (name: Stage, tag: string) => {
    if ((scenario.allowed?.[name] ?? []).includes(tag)) typedErrors[tag] = (typedErrors[tag] ?? 0) + 1
    else problems.push(`${name}: unexpected ${tag}`)
  }
  let runsCompared = 0
  let rowsCompared = 0
  let filesCompared = 0
  let bytesCompared = 0
  const compareStage = <A>(
    name: Stage,
    base: StageResult<A>,
    got: StageResult<A>,
    equal: (a: A, b: A) => void
  ) => {
    if (Either.isLeft(base)) return problems.push(`${name}: the baseline failed: ${base.left.message}`)
    if (Either.isLeft(got)) return allowedError(name, got.left._tag)
    equal(base.right, got.right)
  }
  compareStage("listing", baseline.listing, faulted.listing, (a, b) => {
    if (a.runs.length !== b.runs.length) problems.push(`listing: ${b.runs.length} runs, expected ${a.runs.length}`)
    a.runs.forEach((run, i) => run === b.runs[i] ? runsCompared++ : problems.push(`listing: run ${i} differs`))
  })
  compareStage("scan", baseline.scan, faulted.scan, (a, b) => {
    if (a.rows.length !== b.rows.length) problems.push(`scan: ${b.rows.length} rows, expected ${a.rows.length}`)
    a.rows.forEach((row, i) => row === b.rows[i] ? rowsCompared++ : problems.push(`scan: row ${i} differs`))
  })
  compareStage("download", baseline.download, faulted.download, (a, b) => {
    if (a.size !== b.size) problems.push(`download: ${b.size} files, expected ${a.size}`)
    for (const [name, bytes] of a) {
      const got = b.get(name)
      if (typeof bytes === "string") problems.push(`download: ${name} failed in the baseline (${bytes})`)
      else if (typeof got === "string") allowedError("download", got)
      else if (got === undefined || !sameBytes(bytes, got)) problems.push(`download: ${name} differs`)
      else {
        filesCompared++
        bytesCompared += bytes.length
      }
    }
  })
  if (faulted.partialFiles > 0) problems.push(`${faulted.partialFiles} partial file(s) left behind`)
  return {
    scenario: scenario.name,
    spec: scenario.spec,
    faultsInjected: counters.injected,
    requestsRetried: counters.repeated,
    runsCompared,
    rowsCompared,
    filesCompared,
    bytesCompared,
    typedErrors,
    partialFiles: baseline.partialFiles + faulted.partialFiles,
    problems
  } satisfies Figures
}

/** A complete, well-formed HTTP answer whose JSON stops halfway. */
const truncatedJson = "{\"data\":{\"project\":{\"runs\":{\"edges\":[{\"node\":{\"id\":\"UnVu"

/**
 * The server hooks that play a {@link CustomFault} once `active`, counting the faults they
 * inject and the requests they see again (those the server's injector does not see).
 */
const customHooks = (fault: CustomFault | undefined) => {
  const state = {
    active: false,
    injected: 0,
    retried: 0,
    /** Baseline bytes of each file by its URL path (for answers the hooks make themselves). */
    files: new Map<string, Uint8Array>()
  }
  const seen = new Set<string>()
  const faultInjection: LocalServer.FaultInjection = (request) =>
    Effect.gen(function*() {
      if (!state.active || fault === undefined) return Option.none()
      const path = decodeURIComponent(request.url.split("?")[0]!)
      if (fault._tag === "TruncatedJson" && path === "/graphql") {
        const identity = yield* Effect.orElseSucceed(request.text, () => "")
        if (seen.has(identity)) return void state.retried++, Option.none()
        seen.add(identity)
        state.injected++
        return Option.some(HttpServerResponse.text(truncatedJson, { status: 200, contentType: "application/json" }))
      }
      if (fault._tag === "LongContentLength" && path.startsWith("/files/")) {
        if (request.headers["range"] !== undefined) return void state.retried++, Option.none()
        const bytes = state.files.get(path)
        if (bytes === undefined || bytes.length === 0) return Option.none()
        state.injected++
        return Option.some(HttpServerResponse.stream(cutAndClose(request, bytes, bytes.length), {
          status: 200,
          contentType: "application/octet-stream",
          contentLength: bytes.length + fault.extra
        }))
      }
      return Option.none()
    })
  const transformFileBody: LocalServer.FileBodyTransform = (_file, body) =>
    !state.active || fault?._tag !== "DropEvery"
      ? body
      : cutAfter(body, fault.bytes, () => void state.injected++)
  return { state, faultInjection, transformFileBody }
}

/**
 * Runs one scenario on its own server: baseline without faults, then the workload with them.
 */
export const runScenario = (
  scenario: Scenario
): Effect.Effect<Figures, never, FileSystem.FileSystem | Path.Path> =>
  Effect.scoped(Effect.gen(function*() {
    const faults = yield* Effect.orDie(FaultInjection.make(""))
    const custom = customHooks(scenario.custom)
    const { server, sql } = yield* Effect.orDie(
      LocalServer.make({ faults, faultInjection: custom.faultInjection, transformFileBody: custom.transformFileBody })
    )
    const summary = yield* DemoData.seedDemo(DEMO).pipe(Effect.provideService(Sql, sql), Effect.orDie)
    const project = summary.projects[0]!
    const targets = project.runs.slice(0, SCANNED_RUNS).map((run) => ({
      entity: summary.entity,
      project: project.name,
      id: run.name
    }))
    const baseline = yield* snapshot(server, targets, {})
    if (Either.isRight(baseline.download)) {
      for (const [key, bytes] of baseline.download.right) {
        if (typeof bytes !== "string") custom.state.files.set(`/files/${summary.entity}/${project.name}/${key}`, bytes)
      }
    }
    yield* Effect.orDie(faults.setPlan(scenario.spec))
    custom.state.active = true
    const faulted = yield* snapshot(server, targets, scenario.client ?? {})
    const counters = yield* faults.counters
    return compare(scenario, baseline, faulted, {
      ...counters,
      injected: counters.injected + custom.state.injected,
      repeated: counters.repeated + custom.state.retried
    })
  }))
