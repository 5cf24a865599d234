/**
 * A pause until the next turn of the host's event loop.
 *
 * Fibers resume one another in microtasks: when a page arrives, the fiber that converts it
 * would run before the fiber that sends the next request reaches the network. Waiting for a
 * macrotask first lets every ready fiber run up to its next I/O, so the request is on the wire
 * while the page is converted.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

type Schedule = (callback: () => void) => () => void

/** What Node, Bun and Deno add to the global object (core has no Node types). */
interface Immediate {
  readonly setImmediate?: (callback: () => void) => unknown
  readonly clearImmediate?: (handle: unknown) => void
}

const { clearImmediate, setImmediate } = globalThis as Immediate

/** `setImmediate` (Node, Bun, Deno), else a `MessageChannel` message (browsers: no 4 ms timer clamp), else `setTimeout`. */
const schedule: Schedule = setImmediate !== undefined && clearImmediate !== undefined
  ? (callback) => {
    const handle = setImmediate(callback)
    return () => clearImmediate(handle)
  }
  : typeof globalThis.MessageChannel === "function"
  ? (callback) => {
    const channel = new globalThis.MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      callback()
    }
    channel.port2.postMessage(undefined)
    return () => channel.port1.close()
  }
  : (callback) => {
    const handle = globalThis.setTimeout(callback, 0)
    return () => globalThis.clearTimeout(handle)
  }

/** @internal */
export const macrotask: Effect.Effect<void> = Effect.async<void>((resume) => {
  const cancel = schedule(() => resume(Effect.void))
  return Effect.sync(cancel)
})
