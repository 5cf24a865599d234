/**
 * The GraphQL documents of run lifecycle, sweeps listing and console logs, as the official
 * client writes them (wandb b6e2950: `wandb/apis/public/*.py`, `wandb/apis/_generated`,
 * `core/api/graphql`), with the schemas of their `data`.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import { operation } from "../GraphQLClient.js"
import { PAGE_INFO_FRAGMENT, SWEEP_FRAGMENT } from "./documents.js"

const nullish = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

/** Whether a run exists, its storage id, and whether it may be changed (not an official document). */
const RunStatus = `
query RunStatus($project: String!, $entity: String!, $name: String!) {
  project(name: $project, entityName: $entity) {
    readOnly
    run(name: $name) {
      id
      readOnly
      projectId
    }
  }
}
`

/** `Run.delete` (official, with `delete_artifacts=True`). */
const DeleteRun = `
            mutation DeleteRun(
                $id: ID!,
                $deleteArtifacts: Boolean
            ) {
                deleteRun(input: {
                    id: $id,
                    deleteArtifacts: $deleteArtifacts
                }) {
                    clientMutationId
                }
            }
        `

/** `Run.stop` (the Go sidecar's `mutation_stop_run.graphql`). */
const StopRun = `mutation StopRun(
    $id: ID!,
) {
    stopRun(
        input: {
            id: $id,
        }
    ) {
        success
    }
}
`

/** `Run.update_state` (official). */
const UpdateRunState = `
            mutation UpdateRunState($input: UpdateRunStateInput!) {
                updateRunState(input: $input) {
                    success
                }
            }
            `

/** `File.delete` (official). */
const DeleteFiles = `
            mutation deleteFiles($files: [ID!]!, $projectId: Int) {
                deleteFiles(input: {
                    files: $files
                    projectId: $projectId
                }) {
                    success
                }
            }
        `

/** `Api.create_project` (official `CREATE_PROJECT_GQL`). */
const CreateProject = `
mutation CreateProject($input: UpsertModelInput!) {
  result: upsertModel(input: $input) {
    project {
      ...CreatedProjectFragment
    }
    model {
      ...CreatedProjectFragment
    }
    inserted
  }
}

fragment CreatedProjectFragment on Project {
  id
  name
  entityName
  description
  access
  views
}
`

/** `Project.sweeps` (official `GET_SWEEPS_GQL`). */
const GetSweeps = `
query GetSweeps($project: String!, $entity: String!, $filters: JSONString!, $cursor: String, $perPage: Int = 50) {
  project(name: $project, entityName: $entity) {
    totalSweeps
    sweeps(after: $cursor, first: $perPage, filters: $filters) {
      pageInfo {
        ...PageInfoFragment
      }
      edges {
        node {
          ...SweepFragment
        }
      }
    }
  }
}

${PAGE_INFO_FRAGMENT}${SWEEP_FRAGMENT}`

const LOG_LINE_NODE = `edges {
                    node {
                        number
                        timestamp
                        level
                        label
                        line
                    }
                }`

/** `Run.console_logs(last=n)` (the Go sidecar's `RunConsoleLogTail`). */
const RunConsoleLogTail = `query RunConsoleLogTail(
    $entity: String!
    $project: String!
    $runName: String!
    $last: Int!
) {
    project(name: $project, entityName: $entity) {
        run(name: $runName) {
            logLineCount
            logLines(last: $last) {
                ${LOG_LINE_NODE}
            }
        }
    }
}
`

/** `Run.console_logs()` (the Go sidecar's `RunConsoleLogPage`). */
const RunConsoleLogPage = `query RunConsoleLogPage(
    $entity: String!
    $project: String!
    $runName: String!
    $first: Int
    $after: String
) {
    project(name: $project, entityName: $entity) {
        run(name: $runName) {
            logLineCount
            logLines(
                first: $first
                after: $after
                useImprovedPagination: true
            ) {
                ${LOG_LINE_NODE}
                pageInfo {
                    endCursor
                    hasNextPage
                }
            }
        }
    }
}
`

/** @internal */
export const LogLineNode = Schema.Struct({
  number: Schema.Number,
  timestamp: nullish(Schema.String),
  level: nullish(Schema.String),
  label: nullish(Schema.String),
  line: Schema.String
})

const LogLines = Schema.Struct({
  edges: Schema.Array(Schema.Struct({ node: LogLineNode })),
  pageInfo: Schema.optional(Schema.Struct({ endCursor: nullish(Schema.String), hasNextPage: Schema.Boolean }))
})

const ConsoleLogData = Schema.Struct({
  project: nullish(Schema.Struct({ run: nullish(Schema.Struct({ logLines: nullish(LogLines) })) }))
})

/** @internal */
export const operations = {
  runStatus: operation(
    "RunStatus",
    RunStatus,
    Schema.Struct({
      project: nullish(Schema.Struct({
        readOnly: nullish(Schema.Boolean),
        run: nullish(Schema.Struct({
          id: Schema.String,
          readOnly: nullish(Schema.Boolean),
          projectId: nullish(Schema.Number)
        }))
      }))
    })
  ),
  deleteRun: operation("DeleteRun", DeleteRun, Schema.Struct({ deleteRun: nullish(Schema.Unknown) })),
  stopRun: operation(
    "StopRun",
    StopRun,
    Schema.Struct({ stopRun: nullish(Schema.Struct({ success: nullish(Schema.Boolean) })) })
  ),
  updateRunState: operation(
    "UpdateRunState",
    UpdateRunState,
    Schema.Struct({ updateRunState: nullish(Schema.Struct({ success: nullish(Schema.Boolean) })) })
  ),
  deleteFiles: operation(
    "deleteFiles",
    DeleteFiles,
    Schema.Struct({ deleteFiles: nullish(Schema.Struct({ success: nullish(Schema.Boolean) })) })
  ),
  createProject: operation(
    "CreateProject",
    CreateProject,
    Schema.Struct({ result: nullish(Schema.Struct({ inserted: nullish(Schema.Boolean) })) })
  ),
  sweeps: operation(
    "GetSweeps",
    GetSweeps,
    Schema.Struct({
      project: nullish(Schema.Struct({
        sweeps: nullish(Schema.Struct({
          edges: Schema.Array(Schema.Struct({ node: Schema.Unknown })),
          pageInfo: Schema.Struct({ endCursor: nullish(Schema.String), hasNextPage: Schema.Boolean })
        }))
      }))
    })
  ),
  consoleLogTail: operation("RunConsoleLogTail", RunConsoleLogTail, ConsoleLogData),
  consoleLogPage: operation("RunConsoleLogPage", RunConsoleLogPage, ConsoleLogData)
} as const
