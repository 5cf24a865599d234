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

  it("reads pages of any length the same way (rows are parsed in batches)", () => {
    for (const length of [31, 32, 33, 64, 100]) {
      const history = Array.from({ length }, (_, i) => JSON.stringify({ _step: i, text: i % 7 === 0 ? "\"\\\n" : "ü" }))
      expect(historyPageRows(bytes(answer(history)))).toEqual(history)
    }
    // a raw control character in a later batch still sends the whole body to the generic reader
    const rows = Array.from({ length: 40 }, (_, i) => `{"_step":${i}}`)
    const body = answer(rows).replace(`{\\"_step\\":35}`, "a\u0001b")
    expect(body).toContain("a\u0001b")
    expect(historyPageRows(bytes(body))).toBeUndefined()
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
