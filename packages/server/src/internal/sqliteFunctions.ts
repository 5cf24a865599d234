/**
 * SQL functions the server's queries need that SQLite lacks: `regexp(pattern, text)` for the
 * `$regex` run filter.
 *
 * Why a prototype patch: `@effect/sql-sqlite-node` opens its own `new Database(...)` inside
 * `SqliteClient.make` and offers no per-connection hook, so there is no place to call
 * `db.function(...)` on the connection it creates. Instead {@link installSqliteFunctions} wraps
 * `Database.prototype.prepare` and `exec` of `better-sqlite3` (the same module instance the
 * driver uses: one pinned version in the workspace) so that each connection registers the
 * functions lazily, once, before its first statement is prepared. Every statement the driver
 * runs goes through `prepare` (its `pragma` too), so the functions exist before any query
 * can reference them.
 *
 * @internal
 */
import Database from "better-sqlite3"
import { RE2JS } from "re2js"

/**
 * Compiles a `$regex` pattern with RE2 semantics — W&B documents RE2 syntax, and RE2 matches in
 * time linear in the text (no backtracking: `^(a+)+$` cannot block the event loop). The engine
 * is `re2js`, a pure-JavaScript port of RE2J (no native build). Inline flags such as `(?i)`,
 * `(?P<name>…)`, `\A` / `\z` and `\p{L}` work as in RE2; backreferences and lookarounds do not
 * exist there and are syntax errors. Throws for an invalid pattern.
 *
 * @internal
 */
export const compileRe2 = (pattern: string): RE2JS => RE2JS.compile(pattern)

const REGEX_CACHE_LIMIT = 256
const regexCache = new Map<string, RE2JS>()

const cachedRegex = (pattern: string): RE2JS => {
  let re = regexCache.get(pattern)
  if (re === undefined) {
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear()
    re = compileRe2(pattern)
    regexCache.set(pattern, re)
  }
  return re
}

/**
 * Thrown by `regexp()` when matching would take too long (see {@link REGEX_WORK_LIMIT} and
 * {@link REGEX_TIME_BUDGET_MS}); it aborts the statement, and the request gets 400.
 *
 * @internal
 */
export class RegexTooExpensive extends Error {}

/**
 * Most work one `regexp()` call may take on, in program instructions × text characters (RE2
 * simulates at most every instruction per character). re2js does roughly 3–5·10⁷ a second on
 * such patterns, so this is about half a second: a pattern of 1,600 instructions
 * (`(?:a?b?){400}[de]`) on a text of more than 12,500 characters is refused rather than run.
 *
 * @internal
 */
export const REGEX_WORK_LIMIT = 20_000_000

/**
 * Most time all `regexp()` calls of one synchronous stretch (one SQL statement, as
 * better-sqlite3 runs them; the event loop is blocked meanwhile) may take together.
 *
 * @internal
 */
export const REGEX_TIME_BUDGET_MS = 500

let spentMs = 0
let resetQueued = false

/** The compiled program's size (re2js internals, pinned version), else the pattern's length. */
const programSize = (re: RE2JS, pattern: string): number => {
  const inst = (re as unknown as { readonly re2Input?: { readonly prog?: { readonly inst?: { readonly length: number } } } })
    .re2Input?.prog?.inst
  return Math.max(inst?.length ?? 0, pattern.length, 1)
}

const tooExpensive = (pattern: string, why: string): never => {
  throw new RegexTooExpensive(`$regex ${JSON.stringify(pattern.slice(0, 80))} is too expensive: ${why}`)
}

/** `regexp(pattern, text)`: 1 when `text` contains a match, 0 otherwise (and for NULL). */
const regexpFunction = (pattern: unknown, text: unknown): number => {
  if (text === null || text === undefined || pattern === null || pattern === undefined) return 0
  const source = String(pattern)
  const subject = String(text)
  const re = cachedRegex(source)
  const work = programSize(re, source) * subject.length
  if (work > REGEX_WORK_LIMIT) tooExpensive(source, `${work} steps on a value of ${subject.length} characters`)
  if (!resetQueued) {
    resetQueued = true
    queueMicrotask(() => {
      spentMs = 0
      resetQueued = false
    })
  }
  const started = performance.now()
  const found = re.matcher(subject).find()
  spentMs += performance.now() - started
  if (spentMs > REGEX_TIME_BUDGET_MS) tooExpensive(source, `over ${REGEX_TIME_BUDGET_MS} ms of matching in one query`)
  return found ? 1 : 0
}

const registered = new WeakSet<Database.Database>()
let installed = false

const ensureFunctions = (db: Database.Database): void => {
  if (registered.has(db)) return
  registered.add(db)
  db.function("regexp", { deterministic: true }, regexpFunction)
}

/**
 * Registers the SQL function `regexp(pattern, text)` (RE2 pattern, see
 * {@link compileRe2}; NULL text → 0) on every `better-sqlite3` connection, lazily before its
 * first statement. Idempotent; call it before queries that use `regexp` run.
 *
 * @internal
 */
export const installSqliteFunctions = (): void => {
  if (installed) return
  installed = true
  const proto = Database.prototype
  const prepare = proto.prepare
  const exec = proto.exec
  proto.prepare = function(this: Database.Database, source: string) {
    ensureFunctions(this)
    return prepare.call(this, source)
  } as typeof proto.prepare
  proto.exec = function(this: Database.Database, source: string) {
    ensureFunctions(this)
    return exec.call(this, source)
  }
}
