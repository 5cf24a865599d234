/**
 * Command-line arguments of `effect-wandb-server`, parsed into server options.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type * as DemoData from "../DemoData.js"
import * as FaultInjection from "../FaultInjection.js"
import type * as LocalServer from "../LocalServer.js"

/** @internal */
export const usage = `usage: effect-wandb-server [options]

  --port <n>               port to listen on (default 8080; 0 = any free port)
  --host <address>         interface to listen on (default 127.0.0.1)
  --db <path|:memory:>     SQLite database file, reused if it exists (default :memory:)
  --seed demo              write the deterministic demo dataset on start
  --seed-value <n>         PRNG seed of the demo dataset (default 1)
  --projects <n>           demo projects (default 3)
  --runs-per-project <n>   demo runs per project (default 8)
  --steps-per-run <n>      demo history rows per finished run (default 200)
  --files-per-run <n>      demo files per run (default 6)
  --latency-ms <n>         latency added to every request (default 0)
  --faults <spec>          inject faults, e.g. "503=0.2,drop@files=0.1,max-consecutive=2"
                           (kinds: 500 502 503 429 drop truncate slow html graphql-errors corrupt stall;
                           routes: @graphql @files @graphql:<Operation>; see FaultInjection)
  --fault-seed <n>         seed of the fault decisions (default 1)
  --api-key <key>          the API key to accept (default: the documented local key)
  --username <name>        the user owning that key (default demo-user)
  --entity <name>          that user's default entity (default demo)
  --help                   print this help
`

const integer = (flag: string, value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got ${JSON.stringify(value)}`)
  return n
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** Flags taking a string, and the server option each sets. */
const stringFlags = {
  "--host": "host",
  "--db": "database",
  "--api-key": "apiKey",
  "--username": "username",
  "--entity": "entity"
} as const satisfies Record<string, keyof LocalServer.Options>

/** Flags taking a non-negative integer, and the server option each sets. */
const integerFlags = { "--port": "port", "--latency-ms": "latencyMs" } as const satisfies Record<
  string,
  keyof LocalServer.Options
>

/** Flags sizing the demo dataset, and the demo option each sets. */
const demoFlags = {
  "--seed-value": "seed",
  "--projects": "projects",
  "--runs-per-project": "runsPerProject",
  "--steps-per-run": "stepsPerRun",
  "--files-per-run": "filesPerRun"
} as const satisfies Record<string, keyof DemoData.DemoOptions>

const lookup = <T extends object>(table: T, name: string): T[keyof T] | undefined =>
  Object.hasOwn(table, name) ? table[name as keyof T] : undefined

/**
 * Parses `argv` (without node and script); `"help"` when help was asked for. Throws `Error`
 * with a readable message on bad input.
 *
 * @internal
 */
export const parseArgs = (argv: ReadonlyArray<string>): LocalServer.Options | "help" => {
  const options: Mutable<LocalServer.Options> = { port: 8080 }
  const demo: Mutable<DemoData.DemoOptions> = {}
  let seed = false
  let faults: string | undefined
  let faultSeed: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    if (flag === "--help" || flag === "-h") return "help"
    const eq = flag.indexOf("=")
    const name = eq > 0 ? flag.slice(0, eq) : flag
    const value = eq > 0 ? flag.slice(eq + 1) : argv[++i]
    if (value === undefined) throw new Error(`${name} needs a value`)
    const stringOption = lookup(stringFlags, name)
    const integerOption = lookup(integerFlags, name)
    const demoOption = lookup(demoFlags, name)
    if (stringOption !== undefined) options[stringOption] = value
    else if (integerOption !== undefined) options[integerOption] = integer(name, value)
    else if (demoOption !== undefined) demo[demoOption] = integer(name, value)
    else if (name === "--faults") faults = value
    else if (name === "--fault-seed") faultSeed = integer(name, value)
    else if (name === "--seed") {
      if (value !== "demo") throw new Error(`--seed supports only "demo", got ${JSON.stringify(value)}`)
      seed = true
    } else throw new Error(`unknown option ${name}`)
  }
  if (seed) options.seed = demo
  if (faults !== undefined || faultSeed !== undefined) {
    const plan = FaultInjection.parse(faults ?? "")
    if (Either.isLeft(plan)) throw new Error(`--faults: ${plan.left.reason}`)
    options.faults = faultSeed === undefined ? plan.right : { ...plan.right, seed: faultSeed }
  }
  return options
}
