/**
 * Frees the bytes of an answer that was read and parsed, without waiting for the garbage
 * collector to find them.
 *
 * A large answer's buffer often outlives two young-generation collections while it is read and
 * parsed (the rest of the program allocates meanwhile), and is promoted. Its bytes live outside
 * the JavaScript heap, and V8 starts the full collection that frees them only once such memory
 * has grown by tens of MiB: a history scan's answers piled up until then (bench/RESULTS.md, "CLI
 * scan"). Transferring the buffer moves its bytes to a new, unreferenced `ArrayBuffer`, which
 * the next young collection frees, and leaves the old one empty (detached).
 *
 * Only for a buffer nobody else reads: any view or later read of it sees zero bytes.
 *
 * @internal
 */

/** @internal */
export const releaseBytes = (bytes: ArrayBuffer): void => {
  try {
    structuredClone(bytes, { transfer: [bytes] })
  } catch {
    // not transferable here (already detached, or a host without `structuredClone`): left to the collector
  }
}
