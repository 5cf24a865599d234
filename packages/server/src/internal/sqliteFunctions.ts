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

/** `regexp(pattern, text)`: 1 when `text` contains a match, 0 otherwise (and for NULL). */
const regexpFunction = (pattern: unknown, text: unknown): number => {
  if (text === null || text === undefined || pattern === null || pattern === undefined) return 0
  return cachedRegex(String(pattern)).matcher(String(text)).find() ? 1 : 0
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
