/**
 * Responses whose body nobody has started to read, per client, and what frees their
 * connections when a request waits too long for one.
 *
 * Streams of effect-wandb leave answers fetched ahead unread in their connections until the
 * consumer reaches them (a history scan up to its concurrency, 16 by default; a listing one). A
 * connection is only returned to the agent's pool once its body is read, and the agent opens at
 * most `maxSockets` per host (16 by default). So a request made while the consumer holds answers
 * in every connection (a request in the consumer's own code, say, while a scan waits ahead) would
 * wait for a connection that only the blocked consumer could free. When a request still waits for
 * a connection {@link PATIENCE_MS} after it was made, the bodies of the responses nobody has
 * claimed are read into memory (up to {@link BUFFERED_MAX} bytes each), which returns their
 * connections. Shorter waits are normal: a scan sends its next request just before it reads the
 * answer that frees a connection. From then on, as long as requests wait, every response that
 * arrives is read into memory unless a reader claims it within a turn of the event loop.
 *
 * @internal
 */
import type * as Http from "node:http"

/** A response whose body can be read into memory for a reader to come. @internal */
export interface Unclaimed {
  readonly readIntoMemory: () => void
}

/** How long a request may wait for a connection before unclaimed bodies are read into memory. @internal */
export const PATIENCE_MS = 100

/** The most a body read into memory for a reader to come holds; beyond it, the connection waits. @internal */
export const BUFFERED_MAX = 16 * 1024 * 1024

/** @internal */
export class UnreadResponses {
  private readonly unclaimed = new Set<Unclaimed>()
  /** Since a request waited too long, and as long as requests wait. */
  private pressed = false

  /** `requestsWaiting`: whether any request waits for a connection. */
  constructor(private readonly requestsWaiting: () => boolean) {}

  /** A response whose head is in and whose body nobody reads yet. */
  add(response: Unclaimed): void {
    this.unclaimed.add(response)
    if (!this.pressed) return
    if (!this.requestsWaiting()) {
      this.pressed = false
      return
    }
    setImmediate(() => {
      if (this.unclaimed.delete(response)) response.readIntoMemory()
    })
  }

  /** Its body is being read (or the response is gone). */
  claim(response: Unclaimed): void {
    this.unclaimed.delete(response)
  }

  /** `request` waits in its agent's queue for a connection. */
  queued(request: Http.ClientRequest): void {
    const timer = setTimeout(() => {
      if (request.socket !== null || request.destroyed) return
      this.pressed = true
      const responses = [...this.unclaimed]
      this.unclaimed.clear()
      for (const response of responses) response.readIntoMemory()
    }, PATIENCE_MS)
    timer.unref()
    request.once("socket", () => clearTimeout(timer))
    request.once("close", () => clearTimeout(timer))
  }
}
