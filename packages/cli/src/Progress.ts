/**
 * A one-line progress bar on stderr for long scans and downloads. It draws only when stderr is
 * a terminal (never into pipes or logs), redraws at most ten times a second, and erases itself
 * when the work ends, so stdout stays clean for the command's output.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/**
 * What is being counted: `bytes` prints sizes (KiB, MiB, …), `rows` prints plain counts.
 *
 * @since 0.1.0
 * @category models
 */
export type Unit = "bytes" | "rows"

/**
 * Human-readable size: `512 B`, `1.5 KiB`, `20.0 MiB`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const formatBytes = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"]
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}

const amount = (n: number, unit: Unit): string => (unit === "bytes" ? formatBytes(n) : n.toLocaleString("en-US"))

/**
 * The text of the bar: `label [#########-----------]  45%  1.2 MiB / 2.6 MiB`; without a total,
 * just the label and the count so far.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderBar = (label: string, done: number, total: number | undefined, unit: Unit, width = 24): string => {
  if (total === undefined || total <= 0) return `${label} ${amount(done, unit)}`
  const ratio = Math.min(1, Math.max(0, done / total))
  const filled = Math.round(ratio * width)
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4)
  return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent}  ${amount(done, unit)} / ${amount(total, unit)}`
}

/**
 * A live progress line.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  /** Reports the current count (and total, when known). */
  readonly update: (done: number, total?: number) => Effect.Effect<void>
  /**
   * `items` unchanged, counted on this line as they pass (out of `total`, when known). The count
   * is taken in a pure chunk mapping: an effectful stage (`Stream.mapChunksEffect`) kept the
   * chunks passing it alive through young collections (a 100,000-row scan promoted 65-67 MB to
   * the old generation instead of 37-39 MB).
   */
  readonly counting: <A, E, R>(items: Stream.Stream<A, E, R>, total?: number) => Stream.Stream<A, E, R>
}

/**
 * Where a progress line is drawn (`process.stderr`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Terminal {
  readonly isTTY?: boolean | undefined
  readonly columns?: number | undefined
  readonly write: (text: string) => unknown
}

/**
 * A progress line that draws on stderr when it is a terminal, and does nothing otherwise. The
 * line is erased when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  label: string,
  unit: Unit,
  stderr: Terminal = process.stderr
): Effect.Effect<Progress, never, Scope.Scope> => {
  if (!stderr.isTTY) return Effect.succeed({ update: () => Effect.void, counting: (items) => items })
  let lastDraw = 0
  let drawn = false
  const draw = (done: number, total: number | undefined) => {
    const now = Date.now()
    if (now - lastDraw < 100 && (total === undefined || done < total)) return
    lastDraw = now
    drawn = true
    const columns = stderr.columns !== undefined && stderr.columns > 0 ? stderr.columns : 80
    stderr.write(`\r${renderBar(label, done, total, unit).slice(0, columns - 1)}\x1b[K`)
  }
  return Effect.as(
    Effect.addFinalizer(() => Effect.sync(() => drawn && stderr.write("\r\x1b[K"))),
    {
      update: (done, total) => Effect.sync(() => draw(done, total)),
      counting: (items, total) =>
        Stream.suspend(() => {
          let done = 0
          return Stream.mapChunks(items, (chunk) => {
            draw((done += chunk.length), total)
            return chunk
          })
        })
    }
  )
}
