/**
 * Command-line arguments of `effect-wandb-server`, parsed into server options.
 *
 * @internal
 */
import type * as DemoData from "../DemoData.js"
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

/**
 * Parses `argv` (without node and script); `"help"` when help was asked for. Throws `Error`
 * with a readable message on bad input.
 *
 * @internal
 */
export const parseArgs = (argv: ReadonlyArray<string>): LocalServer.Options | "help" => {
  const options: { -readonly [K in keyof LocalServer.Options]: LocalServer.Options[K] } = { port: 8080 }
  const demo: { -readonly [K in keyof DemoData.DemoOptions]: DemoData.DemoOptions[K] } = {}
  let seed = false
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    if (flag === "--help" || flag === "-h") return "help"
    const eq = flag.indexOf("=")
    const name = eq > 0 ? flag.slice(0, eq) : flag
    const value = eq > 0 ? flag.slice(eq + 1) : argv[++i]
    if (value === undefined) throw new Error(`${name} needs a value`)
    switch (name) {
      case "--port":
        options.port = integer(name, value)
        break
      case "--host":
        options.host = value
        break
      case "--db":
        options.database = value
        break
      case "--seed":
        if (value !== "demo") throw new Error(`--seed supports only "demo", got ${JSON.stringify(value)}`)
        seed = true
        break
      case "--seed-value":
        demo.seed = integer(name, value)
        break
      case "--projects":
        demo.projects = integer(name, value)
        break
      case "--runs-per-project":
        demo.runsPerProject = integer(name, value)
        break
      case "--steps-per-run":
        demo.stepsPerRun = integer(name, value)
        break
      case "--files-per-run":
        demo.filesPerRun = integer(name, value)
        break
      case "--latency-ms":
        options.latencyMs = integer(name, value)
        break
      case "--api-key":
        options.apiKey = value
        break
      case "--username":
        options.username = value
        break
      case "--entity":
        options.entity = value
        break
      default:
        throw new Error(`unknown option ${name}`)
    }
  }
  if (seed) options.seed = demo
  return options
}
