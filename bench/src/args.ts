/** Command-line flags of the benchmark scripts. */

/** The number after flag `name` (e.g. `--rounds 3`), or `fallback` when the flag is absent. */
export const numberFlag = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(name)
  return index === -1 ? fallback : Number(process.argv[index + 1])
}
