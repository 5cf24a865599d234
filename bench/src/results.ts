/**
 * Writing a benchmark's section into bench/RESULTS.md: replaces the section `## {title}` (up
 * to the next `## `) or appends it, leaving the other benchmarks' sections as they are.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const file = fileURLToPath(new URL("../RESULTS.md", import.meta.url))

export const writeSection = (title: string, lines: ReadonlyArray<string>): void => {
  const section = [`## ${title}`, "", ...lines, ""].join("\n")
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n"
  const start = current.indexOf(`## ${title}`)
  const end = start === -1 ? -1 : current.indexOf("\n## ", start + 1)
  const next = start === -1
    ? `${current.trimEnd()}\n\n${section}`
    : current.slice(0, start) + section + (end === -1 ? "" : current.slice(end + 1))
  writeFileSync(file, next)
}

/** Replaces the text between the `# Benchmarks` title and the first section with `lines`. */
export const writePreamble = (lines: ReadonlyArray<string>): void => {
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n"
  const first = current.indexOf("\n## ")
  const rest = first === -1 ? "" : current.slice(first + 1)
  writeFileSync(file, ["# Benchmarks", "", ...lines, "", rest].join("\n").trimEnd() + "\n")
}
