/**
 * The commands that change runs and projects, and the smaller readers beside them:
 * `run delete`, `project create`, `sweeps` (with each sweep's best run) and `logs` (a run's
 * console log).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ConsoleLog from "@effect-wandb/core/ConsoleLog"
import { InvalidArgument } from "@effect-wandb/core/Errors"
import * as Lifecycle from "@effect-wandb/core/Lifecycle"
import * as Sweeps from "@effect-wandb/core/Sweeps"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Client from "./Client.js"
import * as GlobalOptions from "./GlobalOptions.js"
import * as Output from "./Output.js"
import * as Stdio from "./Stdio.js"

const common = { format: GlobalOptions.format, ...GlobalOptions.connection }

const runPath = Args.text({ name: "run path" }).pipe(
  Args.withDescription("entity/project/run_id (also entity/project/runs/run_id, project/run_id, run_id)")
)

/**
 * `run delete <path> --yes [--delete-artifacts]`: deleting cannot be undone, so without `--yes`
 * nothing is sent and the command fails with a usage error.
 *
 * @since 0.1.0
 * @category commands
 */
export const runDelete = Command.make(
  "delete",
  {
    path: runPath,
    yes: Options.boolean("yes").pipe(Options.withDescription("Confirm the deletion (required: it cannot be undone)")),
    deleteArtifacts: Options.boolean("delete-artifacts").pipe(
      Options.withDescription("Also delete the artifacts the run logged")
    ),
    ...common
  },
  (o) =>
    o.yes
      ? Client.withApi(o, (api) =>
        Effect.gen(function*() {
          const run = yield* api.run(o.path)
          yield* Lifecycle.deleteRun(run, { deleteArtifacts: o.deleteArtifacts })
          yield* Stdio.out(Output.renderOne(GlobalOptions.resolveFormat(o.format), { path: run.pathString, deleted: true }))
        }))
      : new InvalidArgument({ argument: "--yes", reason: `deleting ${o.path} cannot be undone: add --yes to confirm` })
).pipe(Command.withDescription("Delete a run with its history and files (needs --yes)."))

const projectCreate = Command.make(
  "create",
  {
    path: Args.text({ name: "entity/project" }).pipe(
      Args.withDescription("entity/project, or project (entity: --entity, WANDB_ENTITY, else the API key's user)")
    ),
    description: Options.text("description").pipe(Options.withDescription("The project's description"), Options.optional),
    ...common
  },
  (o) =>
    Client.withApi(o, () =>
      Effect.gen(function*() {
        const parts = o.path.split("/")
        if (parts.length > 2) {
          return yield* new InvalidArgument({ argument: "entity/project", reason: `expected entity/project or project, got ${o.path}` })
        }
        const [entity, name] = parts.length === 2 ? [parts[0], parts[1]!] : [undefined, parts[0]!]
        const project = yield* Lifecycle.createProject(name, {
          entity,
          description: Option.getOrUndefined(o.description)
        })
        yield* Stdio.out(Output.renderOne(GlobalOptions.resolveFormat(o.format), Output.toJson(project) as Output.Row))
      }))
).pipe(Command.withDescription("Create a project (an existing one is left as it is)."))

/**
 * `project create`.
 *
 * @since 0.1.0
 * @category commands
 */
export const project = Command.make("project").pipe(
  Command.withDescription("Manage projects."),
  Command.withSubcommands([projectCreate])
)

/**
 * `sweeps <entity/project>`: the project's sweeps with the id of each one's best run (by the
 * metric of its config).
 *
 * @since 0.1.0
 * @category commands
 */
export const sweeps = Command.make(
  "sweeps",
  { path: Args.text({ name: "entity/project" }), ...common },
  (o) =>
    Client.withApi(o, () =>
      Stdio.outStream(Output.render(
        GlobalOptions.resolveFormat(o.format),
        ["id", "name", "method", "state", "runCount", "metric", "bestRun"],
        Sweeps.sweeps(o.path).pipe(
          Stream.mapEffect((sweep) =>
            Effect.map(Sweeps.bestRun(sweep), (best) => ({
              ...(Output.toJson(sweep) as object),
              metric: Sweeps.metricOrder(sweep) ?? null,
              bestRun: Option.getOrNull(Option.map(best, (run) => run.id))
            }))
          )
        ),
        { wholeRecords: true }
      )))
).pipe(Command.withDescription("List a project's sweeps, each with its best run (by the metric in its config)."))

/**
 * `logs <run path> [--last N]`: a run's console log, one line per line.
 *
 * @since 0.1.0
 * @category commands
 */
export const logs = Command.make(
  "logs",
  {
    path: runPath,
    last: Options.integer("last").pipe(Options.withDescription("Only the last N lines"), Options.optional),
    ...common
  },
  (o) =>
    Client.withApi(o, (api) =>
      Effect.gen(function*() {
        const run = yield* api.run(o.path)
        const lines = ConsoleLog.lines(run, { last: Option.getOrUndefined(o.last) })
        const format = GlobalOptions.resolveFormat(o.format)
        // table: the log as it was written; other formats: one record per line
        yield* format === "table"
          ? Stdio.outStream(Stream.map(lines, (line) => `${Output.escapeControls(line.content)}\n`))
          : Stdio.outStream(Output.render(format, ["number", "timestamp", "level", "label", "content"], lines))
      }))
).pipe(Command.withDescription("Print a run's console log (what it wrote to stdout and stderr)."))
