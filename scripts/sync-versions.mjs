/**
 * Writes each package's version (from its package.json) into the constants that report it:
 * `effect-wandb --version`, `effect-wandb-server --version` and the client's user agent.
 * `npm run changeset-version` runs it after `changeset version` has bumped the packages; a cli
 * test (test/cli.test.ts) fails when a constant and its package.json disagree.
 *
 *   node scripts/sync-versions.mjs
 */
import { readFileSync, writeFileSync } from "node:fs"

/** [package directory, source file, pattern whose first group is the version] */
const places = [
  ["packages/cli", "src/Main.ts", /export const version = "([^"]+)"/],
  ["packages/server", "src/ServerCommand.ts", /export const version = "([^"]+)"/],
  ["packages/core", "src/WandbHttpClient.ts", /export const userAgent = "W&B Public Client effect-wandb\/([^"]+)"/]
]

for (const [dir, file, pattern] of places) {
  const { version } = JSON.parse(readFileSync(new URL(`../${dir}/package.json`, import.meta.url), "utf8"))
  const url = new URL(`../${dir}/${file}`, import.meta.url)
  const source = readFileSync(url, "utf8")
  const match = pattern.exec(source)
  if (match === null) throw new Error(`${dir}/${file}: no version constant matching ${pattern}`)
  if (match[1] === version) continue
  writeFileSync(url, source.replace(match[0], match[0].replace(match[1], version)))
  console.log(`${dir}/${file}: ${match[1]} → ${version}`)
}
