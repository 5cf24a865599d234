/**
 * Every GraphQL document the client sends, as the Current Python client writes them
 * (protocol §4; `Runs` and `RunFiles` ask for less, see there), with the schemas of their `data`.
 *
 * @internal
 */
import { operation } from "../GraphQLClient.js"
import * as wire from "./wire.js"

/** The Current client's `RunFragment` (full run fields), shared by `Run`, `Runs` and the update. */
const RUN_FRAGMENT = `fragment RunFragment on Run {
    id
    tags
    name
    displayName
    sweepName
    state
    config
    group
    jobType
    commit
    readOnly
    createdAt
    heartbeatAt
    description
    notes
    systemMetrics
    summaryMetrics
    historyLineCount
    user {
        name
        username
    }
    historyKeys
}
`

const API_KEY_FRAGMENT = `fragment ApiKeyFragment on ApiKey {
  id
  name
  description
}

`

export const PAGE_INFO_FRAGMENT = `fragment PageInfoFragment on PageInfo {
  __typename
  endCursor
  hasNextPage
}

`

/** `ProjectFragment` and the `UserFragment` it spreads. */
const PROJECT_FRAGMENTS = `fragment ProjectFragment on Project {
  __typename
  id
  name
  entityName
  createdAt
  isBenchmark
  user {
    ...UserFragment
  }
}

fragment UserFragment on User {
  id
  name
  username
  email
  admin
  flags
  entity
  deletedAt
  apiKeys {
    edges {
      node {
        ...ApiKeyFragment
      }
    }
  }
  teams {
    edges {
      node {
        name
      }
    }
  }
}
`

/** `Api.viewer` (the key owner). */
export const GetViewer = `
query GetViewer {
  viewer {
    id
    name
    username
    email
    entity
    teams {
      edges {
        node {
          name
        }
      }
    }
  }
}
`

/** `Api.default_entity` (Current client, verbatim). */
export const GetDefaultEntity = `
query GetDefaultEntity {
  viewer {
    id
    entity
  }
}
`

/** `Api.projects` (Current client, verbatim). */
export const GetProjects = `
query GetProjects($entity: String, $cursor: String, $perPage: Int = 50) {
  models(entityName: $entity, after: $cursor, first: $perPage) {
    pageInfo {
      ...PageInfoFragment
    }
    edges {
      node {
        ...ProjectFragment
      }
    }
  }
}

${API_KEY_FRAGMENT}${PAGE_INFO_FRAGMENT}${PROJECT_FRAGMENTS}`

/** `Api.project` (Current client; same fragments as `GetProjects`). */
export const GetProject = `
query GetProject($name: String!, $entity: String!) {
  project(name: $name, entityName: $entity) {
    ...ProjectFragment
  }
}

${API_KEY_FRAGMENT}${PROJECT_FRAGMENTS}`

/**
 * `Api.runs` with the full `RunFragment` (the Current client's `lazy=False` form), so no per-run
 * follow-up requests are needed, less the project's `internalId`, `readOnly` and
 * `runCount(filters: $filters)`, which the Current client asks with every page (for `len(runs)`)
 * and no page needs. Counting applies the filters to every run of the project, not to one page's:
 * asked with each of a listing's pages, it made a filtered listing quadratic in the project's
 * runs (the local server, 10,000 runs, a `config.*` filter: 4.8-7.4 s against 1.2-1.7 s without).
 * `WandbApi.countRuns` counts once (`RunsCount`).
 */
export const Runs = `#graphql
        query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50, $order: String, $filters: JSONString) {
            project(name: $project, entityName: $entity) {
                runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {
                    edges {
                        node {
                            projectId
                            ...RunFragment
                        }
                        cursor
                    }
                    pageInfo {
                        endCursor
                        hasNextPage
                    }
                }
            }
        }
        ${RUN_FRAGMENT}        `

/** `len(api.runs(...))` without fetching a page: only `runCount(filters)`. */
export const RunsCount = `#graphql
        query RunsCount($project: String!, $entity: String!, $filters: JSONString) {
            project(name: $project, entityName: $entity) {
                runCount(filters: $filters)
            }
        }
        `

/** `Api.run` (Current client, verbatim). */
export const Run = `#graphql
        query Run($project: String!, $entity: String!, $name: String!) {
            project(name: $project, entityName: $entity) {
                run(name: $name) {
                    projectId
                    ...RunFragment
                }
            }
        }
        ${RUN_FRAGMENT}        `

/** The Current client's `SweepFragment`, shared by `GetSweep` and `GetSweeps`. */
export const SWEEP_FRAGMENT = `fragment SweepFragment on Sweep {
  __typename
  id
  name
  displayName
  method
  state
  description
  bestLoss
  config
  createdAt
  updatedAt
  runCount
  runCountExpected
}
`

/** `Api.sweep` step 1 (Current client, verbatim). */
export const GetSweep = `
query GetSweep($name: String!, $project: String, $entity: String) {
  project(name: $project, entityName: $entity) {
    sweep(sweepName: $name) {
      ...SweepFragment
    }
  }
}

${SWEEP_FRAGMENT}`

/**
 * `Run.files` / `Run.file` (Current client) less the project's `internalId` and the run's
 * `fileCount`, which the Current client asks with every page and no page needs. The count covers
 * all the run's files on every page: a listing of a run with many files (images logged step by
 * step) was quadratic in them (the local server, 60,000 files: 5.7-7.1 s against 3.3 s without).
 */
export const RunFiles = `#graphql
            query RunFiles($project: String!, $entity: String!, $name: String!, $fileCursor: String,
                $fileLimit: Int = 50, $fileNames: [String] = [], $upload: Boolean = false, $pattern: String) {
                project(name: $project, entityName: $entity) {
                    run(name: $name) {
                        ...RunFilesFragment
                    }
                }
            }
            fragment RunFilesFragment on Run {
    files(names: $fileNames, after: $fileCursor, first: $fileLimit, pattern: $pattern) {
        edges {
            node {
                id
                name
                url(upload: $upload)
                directUrl
                sizeBytes
                mimetype
                updatedAt
                md5
            }
            cursor
        }
        pageInfo {
            endCursor
            hasNextPage
        }
    }
}
            `

/** `Api.create_run` (Current client, verbatim). */
export const UpsertBucketCreate = `
        mutation UpsertBucket($project: String, $entity: String, $name: String!, $state: String) {
            upsertBucket(input: {modelName: $project, entityName: $entity, name: $name, state: $state}) {
                bucket {
                    project {
                        name
                        entity { name }
                    }
                    id
                    name
                }
                inserted
            }
        }
        `

/** `Run.update` step 1 (Current client, verbatim). */
export const UpsertBucketUpdate = `
        mutation UpsertBucket($id: String!, $description: String, $display_name: String, $notes: String, $tags: [String!], $config: JSONString!, $groupName: String, $jobType: String) {
            upsertBucket(input: {id: $id, description: $description, displayName: $display_name, notes: $notes, tags: $tags, config: $config, groupName: $groupName, jobType: $jobType}) {
                bucket {
                    ...RunFragment
                }
            }
        }
        ${RUN_FRAGMENT}        `

/** `Run.update` step 2, the summary (Current client, verbatim). */
export const UpsertBucketSummary = `
        mutation UpsertBucket( $id: String, $summaryMetrics: JSONString) {
            upsertBucket(input: { id: $id, summaryMetrics: $summaryMetrics}) {
                bucket { id }
            }
        }
        `

/** @internal */
export const operations = {
  viewer: operation("GetViewer", GetViewer, wire.ViewerData),
  defaultEntity: operation("GetDefaultEntity", GetDefaultEntity, wire.DefaultEntityData),
  projects: operation("GetProjects", GetProjects, wire.ProjectsData),
  project: operation("GetProject", GetProject, wire.ProjectData),
  runs: operation("Runs", Runs, wire.RunsData),
  runsCount: operation("RunsCount", RunsCount, wire.RunsCountData),
  run: operation("Run", Run, wire.RunData),
  sweep: operation("GetSweep", GetSweep, wire.SweepData),
  runFiles: operation("RunFiles", RunFiles, wire.RunFilesData),
  createRun: operation("UpsertBucket", UpsertBucketCreate, wire.CreateRunData),
  updateRun: operation("UpsertBucket", UpsertBucketUpdate, wire.UpdateRunData),
  updateSummary: operation("UpsertBucket", UpsertBucketSummary, wire.UpdateSummaryData)
} as const
