// Prints vitest's totals as one plain closing line ("tests: N passed, N failed, N skipped"),
// read from the JSON report that `pnpm vitest` writes next to its console output.
import { readFileSync } from "node:fs"

const report = JSON.parse(readFileSync(new URL("../test-output/vitest.json", import.meta.url), "utf8"))
const skipped = report.numPendingTests + report.numTodoTests
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`)
process.exit(report.numFailedTests === 0 && report.numTotalTests > 0 ? 0 : 1)
