/**
 * Writing a benchmark's section into bench/RESULTS.md: replaces the section `## {title}` (up
 * to the next `## `) or appends it, leaving the other benchmarks' sections as they are.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const writeSection = (title: string, lines: ReadonlyArray<string>): void => {
  const file = fileURLToPath(new URL("../RESULTS.md", import.meta.url))
  const section = [`## ${title}`, "", ...lines, ""].join("\n")
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n"
  const start = current.indexOf(`## ${title}`)
  const end = start === -1 ? -1 : current.indexOf("\n## ", start + 1)
  const next = start === -1
    ? `${current.trimEnd()}\n\n${section}`
    : current.slice(0, start) + section + (end === -1 ? "" : current.slice(end + 1))
  writeFileSync(file, next)
}
