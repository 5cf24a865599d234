import { buildCli, buildServerForTests, buildWeb } from "../scripts/build.js"

export default async function setup() {
  await Promise.all([buildCli(), buildWeb(), buildServerForTests()])
}
