import { describe, expect, it } from "@effect/vitest"
import { historyPageRows } from "../src/internal/historyPageBody.js"

const bytes = (text: string) => new TextEncoder().encode(text)

/** A `HistoryPage` answer as graphql-js (and W&B) write it: `JSON.stringify` of the result. */
const answer = (history: ReadonlyArray<unknown>) => JSON.stringify({ data: { project: { run: { history } } } })

describe("historyPageRows", () => {
  it("reads the rows of the compact answer exactly as JSON.parse does", () => {
    const rows = [
      JSON.stringify({ _step: 0, loss: 0.5, name: "quote \" backslash \\ slash / tab \t newline \n" }),
      JSON.stringify({ _step: 1, "ключ": "значение", emoji: "🚀", separators: "\u2028\u2029", nul: "\u0000" }),
      "{\"_step\": 2, \"acc\": NaN, \"lr\": Infinity}",
      "",
      "\\"
    ]
    for (const history of [rows, [], [rows[0]!]]) {
      const body = answer(history)
      expect(historyPageRows(bytes(body))).toEqual(JSON.parse(body).data.project.run.history)
      expect(historyPageRows(bytes(`${body}\n`))).toEqual(history)
    }
  })

  it("reads the list the same way whatever the slices it is parsed in", () => {
    const history = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({ _step: i, text: i % 7 === 0 ? "\",\"\\\n" : "ü".repeat(i), big: i === 50 ? "x".repeat(5000) : 0 }))
    const body = bytes(answer(history))
    for (const sliceBytes of [0, 1, 7, 64, 390, 1000, 4096, 16 * 1024, body.length]) {
      expect(historyPageRows(body, sliceBytes), `slices of ${sliceBytes} bytes`).toEqual(history)
    }
    // a raw control character in a later slice still sends the whole body to the generic reader
    const rows = Array.from({ length: 40 }, (_, i) => `{"_step":${i}}`)
    const bad = answer(rows).replace(`{\\"_step\\":35}`, "a\u0001b")
    expect(bad).toContain("a\u0001b")
    for (const sliceBytes of [1, 100, 16 * 1024]) expect(historyPageRows(bytes(bad), sliceBytes)).toBeUndefined()
  })

  it("leaves every other body to the generic reader", () => {
    const rows = [JSON.stringify({ _step: 0 })]
    const other = [
      JSON.stringify({ errors: [{ message: "boom" }], data: { project: { run: { history: rows } } } }),
      JSON.stringify({ data: { project: { run: { history: rows } } }, extensions: {} }),
      JSON.stringify({ data: { project: null } }),
      JSON.stringify({ data: { project: { run: null } } }),
      JSON.stringify({ data: { project: { run: { history: null } } } }),
      JSON.stringify({ data: { project: { run: { history: [1, "{}"] } } } }),
      JSON.stringify({ data: { project: { run: { history: ["{}", ["{}"]] } } } }),
      `{"data":{"project":{"run":{"history":["{}"],"x":["{}"]}}}}`, // another member, ending like the list
      `{"data":{"project":{"run":{"history":["{}",]}}}}`, // a trailing comma
      JSON.stringify({ data: { project: { run: { history: rows } } } }, null, 2),
      answer(rows).slice(0, -3), // cut short after the list
      answer(rows).slice(0, 45), // cut short inside a row
      answer(rows).replace("]", "] "), // whitespace inside
      answer(rows) + "x",
      `{"data":{"project":{"run":{"history":["a\u0001b"]}}}}`, // a raw control character: not JSON
      ""
    ]
    for (const body of other) expect(historyPageRows(bytes(body)), body).toBeUndefined()
  })
})
