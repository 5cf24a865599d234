import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const src = new URL("../src", import.meta.url).pathname

const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

const NODE_ONLY = /from\s+["'](node:[^"']+|fs|path|os|crypto|http|https|stream|url|undici|@effect\/platform-node[^"']*)["']|require\(/

describe("packages/core is platform-neutral", () => {
  it("no source imports a Node-only module", () => {
    const files = sources(src)
    expect(files.length).toBeGreaterThan(10)
    const offenders = files.filter((file) => NODE_ONLY.test(readFileSync(file, "utf8")))
    expect(offenders).toEqual([])
  })

  it("the source build has no ambient Node types", () => {
    const tsconfig = JSON.parse(readFileSync(new URL("../tsconfig.src.json", import.meta.url), "utf8"))
    expect(tsconfig.compilerOptions.types).toEqual([])
  })

  it("the package depends on nothing Node-specific", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
    expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).sort()).toEqual(["@effect/platform", "effect", "yaml"])
  })
})
