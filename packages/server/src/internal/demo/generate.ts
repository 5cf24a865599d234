/**
 * Pure generators for the demo dataset: run plans (columns, config), history and system-event
 * rows, sweep YAML and run files. Everything derives from a seeded {@link Random}; nothing reads
 * the clock.
 *
 * @internal
 */
import { hashSeed, makeRandom, streamBytes } from "./random.js"

/** ISO-8601 UTC without zone designator, whole seconds (the runs' stored form). @internal */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().slice(0, 19)

const PROJECT_NAMES = ["mnist-cnn", "cifar-resnet", "llm-finetune", "rl-cartpole", "speech-ctc", "gan-faces"]

/** The name of project `index`: a realistic name for the first few, then `project-<n>`. @internal */
export const projectName = (index: number): string => PROJECT_NAMES[index] ?? `project-${index + 1}`

const PROJECT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  "mnist-cnn": "Small convolutional nets on MNIST",
  "cifar-resnet": "ResNet baselines on CIFAR-10",
  "llm-finetune": "Instruction fine-tuning of a 7B model"
}

/** @internal */
export const projectDescription = (name: string): string | null => PROJECT_DESCRIPTIONS[name] ?? null

const ADJECTIVES = [
  "noble",
  "brave",
  "calm",
  "eager",
  "fiery",
  "gentle",
  "hardy",
  "icy",
  "jolly",
  "lucky",
  "misty",
  "proud",
  "quiet",
  "rosy",
  "silent",
  "twilight",
  "vivid",
  "wise"
]
const NOUNS = [
  "sky",
  "wind",
  "lake",
  "river",
  "forest",
  "mountain",
  "dawn",
  "field",
  "firefly",
  "meadow",
  "moon",
  "ocean",
  "pine",
  "snow",
  "star",
  "sun",
  "water",
  "wave"
]
const TAGS = ["baseline", "tuned", "ablation", "v2", "gpu", "augment", "debug"]
const OPTIMIZERS = ["adam", "adamw", "sgd"]
const BATCH_SIZES = [16, 32, 64, 128]

/** The metric keys of history rows, in order; `metricKeys` takes a prefix (then `metric_<n>`). */
const METRICS = ["loss", "accuracy", "lr", "val_loss", "val_accuracy", "grad_norm", "throughput", "epoch"]
/** Keys logged only every `SPARSE_EVERY` steps. */
const SPARSE = new Set(["val_loss", "val_accuracy", "epoch"])
const SPARSE_EVERY = 10
/** A system event row is written every `EVENT_EVERY` steps. */
export const EVENT_EVERY = 5

/** @internal */
export const metricNames = (count: number): ReadonlyArray<string> =>
  Array.from({ length: Math.max(0, count) }, (_, i) => METRICS[i] ?? `metric_${i + 1}`)

/** Everything needed to write one run. @internal */
export interface RunPlan {
  readonly seed: number
  readonly name: string
  readonly displayName: string
  readonly state: string
  readonly createdMs: number
  readonly steps: number
  readonly stepSeconds: number
  readonly tags: ReadonlyArray<string>
  readonly group: string | null
  readonly jobType: string
  readonly host: string
  readonly commit: string
  readonly notes: string | null
  readonly sweep: string | null
  readonly diverges: boolean
  readonly hyper: {
    readonly lr: number
    readonly batchSize: number
    readonly optimizer: string
    readonly epochs: number
    readonly dropout: number
  }
}

/** Wrapped W&B config (`{"value": v, "desc": null}` per key, `wandb_version` unwrapped). @internal */
export const runConfig = (plan: RunPlan): Record<string, unknown> => {
  const wrap = (value: unknown) => ({ value, desc: null })
  return {
    wandb_version: 1,
    _wandb: {
      value: {
        cli_version: "0.19.8",
        python_version: "3.11.9",
        framework: "torch",
        start_time: plan.createdMs / 1000,
        t: { "1": [1, 5, 41, 53, 55], "2": [1, 5, 41, 53, 55], "3": [13, 16, 23, 55], "4": "3.11.9", "5": "0.19.8" }
      }
    },
    lr: wrap(plan.hyper.lr),
    batch_size: wrap(plan.hyper.batchSize),
    optimizer: wrap({ name: plan.hyper.optimizer, betas: [0.9, 0.999], weight_decay: 0.01 }),
    epochs: wrap(plan.hyper.epochs),
    dropout: wrap(plan.hyper.dropout),
    architecture: wrap(plan.jobType === "eval" ? "resnet18-eval" : "resnet18")
  }
}

/** Plans run `index` of a project; `sweep` runs get their hyper-parameters from the sweep's grid. @internal */
export const planRun = (options: {
  readonly seed: number
  readonly projectIndex: number
  readonly index: number
  readonly baseMs: number
  readonly steps: number
  readonly usedIds: Set<string>
  readonly sweep: string | null
}): RunPlan => {
  const seed = hashSeed(options.seed, options.projectIndex, options.index)
  const rng = makeRandom(seed)
  let name = rng.id(8)
  while (options.usedIds.has(name)) name = rng.id(8)
  options.usedIds.add(name)
  // run 0 of every project is finished with all its steps; run 2 of the first project diverged
  const diverges = options.projectIndex === 0 && options.index === 2
  const roll = rng.next()
  const state = options.index === 0
    ? "finished"
    : diverges
    ? "crashed"
    : roll < 0.8
    ? "finished"
    : roll < 0.88
    ? "running"
    : roll < 0.94
    ? "crashed"
    : "failed"
  const steps = state === "finished"
    ? options.steps
    : Math.max(1, Math.round(options.steps * (0.4 + 0.5 * rng.next())))
  const tags = TAGS.filter(() => rng.chance(0.25))
  const sweepGrid = options.sweep === null ? undefined : {
    lr: [1e-4, 1e-3, 1e-2][options.index % 3]!,
    batchSize: [32, 64][Math.floor(options.index / 3) % 2]!
  }
  return {
    seed,
    name,
    displayName: `${rng.pick(ADJECTIVES)}-${rng.pick(NOUNS)}-${options.index + 1}`,
    state,
    createdMs: options.baseMs + options.index * 37 * 60_000 + rng.int(0, 600) * 1000,
    steps,
    stepSeconds: 2 + rng.next() * 18,
    tags,
    group: rng.chance(0.5) ? `exp-${1 + (options.index % 3)}` : null,
    jobType: rng.chance(0.85) ? "train" : "eval",
    host: `gpu-node-${String(rng.int(1, 8)).padStart(2, "0")}`,
    commit: rng.hex(40),
    notes: rng.chance(0.3) ? "Trying a longer warmup." : null,
    sweep: options.sweep,
    diverges,
    hyper: {
      lr: sweepGrid?.lr ?? Number(rng.logUniform(1e-5, 1e-1).toPrecision(3)),
      batchSize: sweepGrid?.batchSize ?? rng.pick(BATCH_SIZES),
      optimizer: rng.pick(OPTIMIZERS),
      epochs: rng.int(5, 50),
      dropout: Math.round(rng.next() * 50) / 100
    }
  }
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** Runtime in seconds of a run at `step`. @internal */
export const runtimeAt = (plan: RunPlan, step: number): number => round((step + 1) * plan.stepSeconds, 3)

/** Generates a run's history rows in order, a chunk at a time. @internal */
export const makeHistory = (plan: RunPlan, metricKeys: number) => {
  const rng = makeRandom(hashSeed(plan.seed, 1))
  const metrics = metricNames(metricKeys)
  const tau = Math.max(1, plan.steps / 4)
  const initial = 2.3 + rng.next() * 0.3
  const floor = 0.05 + rng.next() * 0.2
  const divergeAt = plan.diverges ? Math.floor(plan.steps * 0.8) : Number.POSITIVE_INFINITY
  const stepsPerEpoch = Math.max(1, Math.floor(plan.steps / plan.hyper.epochs))
  const value = (key: string, step: number): number => {
    const decay = Math.exp(-step / tau)
    switch (key) {
      case "loss":
        return step >= divergeAt ? Number.NaN : round(floor + (initial - floor) * decay * (1 + 0.08 * rng.normal()), 5)
      case "accuracy":
        return round(Math.min(1, Math.max(0, 0.98 - 0.88 * decay + 0.01 * rng.normal())), 5)
      case "lr": {
        const warmup = Math.max(1, Math.floor(plan.steps * 0.05))
        const scale = step < warmup ? (step + 1) / warmup : 0.5 * (1 + Math.cos(Math.PI * step / plan.steps))
        return Number((plan.hyper.lr * scale).toPrecision(6))
      }
      case "val_loss":
        return round(floor * 1.1 + (initial - floor) * decay * (1 + 0.05 * rng.normal()), 5)
      case "val_accuracy":
        return round(Math.min(1, Math.max(0, 0.96 - 0.86 * decay + 0.01 * rng.normal())), 5)
      case "grad_norm":
        return step >= divergeAt || rng.chance(0.0005) ? Number.POSITIVE_INFINITY : round(Math.abs(1 + rng.normal()), 4)
      case "throughput":
        return round(plan.hyper.batchSize * (40 + 2 * rng.normal()), 2)
      case "epoch":
        return Math.floor(step / stepsPerEpoch)
      default:
        return round(rng.normal(), 5)
    }
  }
  const row = (step: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const key of metrics) {
      if (!SPARSE.has(key) || step % SPARSE_EVERY === 0) out[key] = value(key, step)
    }
    out._step = step
    const runtime = runtimeAt(plan, step)
    out._runtime = runtime
    out._timestamp = round(plan.createdMs / 1000 + runtime, 3)
    return out
  }
  return {
    /** Rows `[from, to)`. */
    rows: (from: number, to: number): ReadonlyArray<Record<string, unknown>> =>
      Array.from({ length: to - from }, (_, i) => row(from + i))
  }
}

/** Generates a run's system-event rows (one every {@link EVENT_EVERY} steps). @internal */
export const makeEvents = (plan: RunPlan) => {
  const rng = makeRandom(hashSeed(plan.seed, 2))
  const row = (index: number): Record<string, unknown> => {
    const runtime = runtimeAt(plan, index * EVENT_EVERY)
    return {
      "system.cpu": round(35 + 30 * rng.next(), 1),
      "system.memory_percent": round(40 + 10 * rng.next(), 1),
      "system.proc.memory.rssMB": round(2048 + 512 * rng.next(), 2),
      "system.gpu.0.gpu": round(85 + 14 * rng.next(), 1),
      "system.gpu.0.memory": round(60 + 20 * rng.next(), 1),
      "system.gpu.0.temp": round(60 + 15 * rng.next(), 1),
      _runtime: runtime,
      _timestamp: round(plan.createdMs / 1000 + runtime, 3),
      _wandb: true
    }
  }
  return {
    count: Math.ceil(plan.steps / EVENT_EVERY),
    rows: (from: number, to: number): ReadonlyArray<Record<string, unknown>> =>
      Array.from({ length: to - from }, (_, i) => row(from + i))
  }
}

/** The sweep's YAML configuration text. @internal */
export const sweepYaml = (method: string): string =>
  [
    `method: ${method}`,
    "metric:",
    "  goal: minimize",
    "  name: val_loss",
    "parameters:",
    "  lr:",
    ...(method === "grid"
      ? ["    values: [0.0001, 0.001, 0.01]"]
      : ["    distribution: log_uniform_values", "    min: 0.0001", "    max: 0.01"]),
    "  batch_size:",
    "    values: [32, 64]",
    "program: train.py",
    ""
  ].join("\n")

/** A run file: name, mimetype and bytes (or a chunk generator for large files). @internal */
export interface FileSpec {
  readonly name: string
  readonly mimetype: string
  readonly content: Uint8Array | { readonly size: number; readonly chunk: (offset: number, length: number) => Uint8Array }
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

const yamlConfig = (config: Record<string, unknown>): string =>
  Object.entries(config).map(([key, value]) => {
    const wrapped = typeof value === "object" && value !== null && "value" in value
    return wrapped
      ? `${key}:\n  desc: null\n  value: ${JSON.stringify((value as { value: unknown }).value)}\n`
      : `${key}: ${JSON.stringify(value)}\n`
  }).join("\n")

/** A fake PNG: a real signature and IHDR-looking header, then deterministic bytes. */
const pngBytes = (seed: number, size: number): Uint8Array => {
  const bytes = streamBytes(seed, 0, size)
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52].slice(0, size))
  return bytes
}

/** The media image a run's summary points at (`media/images/examples_<step>_<hash>.png`). @internal */
export const exampleImage = (plan: RunPlan, step: number) => {
  const rng = makeRandom(hashSeed(plan.seed, 3, step))
  const size = rng.int(800, 20_000)
  return {
    name: `media/images/examples_${step}_${rng.hex(20)}.png`,
    bytes: () => pngBytes(hashSeed(plan.seed, 4, step), size)
  }
}

/**
 * The run's files, at most `count`, most common first. The first run of the first project
 * additionally gets `checkpoints/model.pt` of `largeFileBytes` (when > 0), generated chunk by
 * chunk.
 *
 * @internal
 */
export const runFiles = (
  plan: RunPlan,
  options: {
    readonly count: number
    readonly largeFileBytes: number
    readonly summaryText: string
    readonly lastStep: number
  }
): ReadonlyArray<FileSpec> => {
  const layers = makeRandom(hashSeed(plan.seed, 5)).int(10, 400)
  const logLines = () =>
    Array.from(
    { length: Math.min(plan.steps, 2000) },
    (_, i) => `step ${i}: loss=${(2 * Math.exp(-i / Math.max(1, plan.steps / 4))).toFixed(4)}`
  )
  const images = [
    ...new Set([options.lastStep, ...Array.from({ length: 4 }, (_, i) => Math.floor(options.lastStep * i / 4))])
  ]
  const image = (step: number) => {
    const { bytes, name } = exampleImage(plan, step)
    return { name, mimetype: "image/png", content: bytes }
  }
  // contents are thunks so that only the files asked for are generated
  const candidates: Array<{ readonly name: string; readonly mimetype: string; readonly content: () => Uint8Array }> = [
    { name: "config.yaml", mimetype: "text/plain", content: () => text(yamlConfig(runConfig(plan))) },
    {
      name: "requirements.txt",
      mimetype: "text/plain",
      content: () => text(["torch==2.3.1", "torchvision==0.18.1", "numpy==1.26.4", "wandb==0.19.8", ""].join("\n"))
    },
    { name: "output.log", mimetype: "text/plain", content: () => text(logLines().join("\n") + "\n") },
    { name: "wandb-summary.json", mimetype: "application/json", content: () => text(options.summaryText) },
    {
      name: "wandb-metadata.json",
      mimetype: "application/json",
      content: () =>
        text(JSON.stringify({ os: "Linux", python: "3.11.9", host: plan.host, git: { commit: plan.commit } }))
    },
    image(images[0]!),
    {
      name: "code/src/train.py",
      mimetype: "text/x-python",
      content: () => text(`import wandb\n\nwandb.init(project="demo", config={"lr": ${plan.hyper.lr}})\n`)
    },
    {
      name: "code/src/models/resnet.py",
      mimetype: "text/x-python",
      content: () => text("import torch.nn as nn\n\n" + "# layer\n".repeat(layers))
    },
    ...images.slice(1).map(image)
  ]
  const files: Array<FileSpec> = candidates.slice(0, Math.max(0, options.count)).map((c) => ({
    name: c.name,
    mimetype: c.mimetype,
    content: c.content()
  }))
  if (options.largeFileBytes > 0) {
    const seed = hashSeed(plan.seed, 6)
    files.push({
      name: "checkpoints/model.pt",
      mimetype: "application/octet-stream",
      content: { size: options.largeFileBytes, chunk: (offset, length) => streamBytes(seed, offset, length) }
    })
  }
  return files
}
