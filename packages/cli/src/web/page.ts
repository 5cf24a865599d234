/**
 * The HTML shell of the web page (layout and styles); `app.ts` fills it in.
 *
 * @since 0.1.0
 */

/**
 * Settings the server hands to the page.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageConfig {
  /** The upstream W&B base URL (shown only; the page talks to its own origin). */
  readonly upstream: string
  readonly entity: string | null
  readonly project: string | null
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const styles = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #f6f7f9; }
  header { background: #1a1c23; color: #fff; padding: 10px 18px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 17px; margin: 0; }
  header .upstream { color: #aab; font-size: 12px; }
  main { display: grid; grid-template-columns: minmax(560px, 1.15fr) minmax(480px, 1fr); gap: 14px; padding: 14px; }
  section { background: #fff; border: 1px solid #dde; border-radius: 6px; padding: 10px 12px; }
  h2 { font-size: 14px; margin: 0 0 8px; }
  .controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
  input, select, button { font: inherit; }
  #filter { flex: 1; min-width: 220px; font-family: ui-monospace, monospace; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eee; white-space: nowrap; }
  th[data-order] { cursor: pointer; user-select: none; }
  th[data-order]:hover { background: #f0f2f8; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.selected { background: #eef4ff; }
  .state-finished { color: #2a7; } .state-running { color: #27c; } .state-crashed, .state-failed { color: #c33; }
  #runs-wrap { max-height: 460px; overflow: auto; }
  #status { padding: 4px 18px; font-size: 12px; color: #555; min-height: 18px; }
  #status.error { color: #b00; font-weight: 600; }
  #chart { min-height: 330px; }
  #chart svg { max-width: 100%; height: auto; }
  .muted { color: #888; }
`

/**
 * The page, with `config` embedded for the script.
 *
 * @since 0.1.0
 * @category rendering
 */
export const html = (config: PageConfig): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>effect-wandb</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${styles}</style></head>
<body>
<header><h1>effect-wandb</h1><span class="upstream">W&amp;B API: ${escapeHtml(config.upstream)}</span></header>
<div id="status">loading…</div>
<main>
  <section id="runs-panel">
    <h2>Runs</h2>
    <div class="controls">
      <label>Entity <input id="entity" size="12"></label>
      <label>Project <select id="project"></select></label>
      <span id="run-count" class="muted"></span>
    </div>
    <div class="controls">
      <input id="filter" placeholder='filter, e.g. {"state": "finished", "config.lr": {"$lte": 0.01}}'>
      <button id="apply">Apply</button>
    </div>
    <div id="runs-wrap"><table id="runs"><thead></thead><tbody></tbody></table></div>
    <h2>Sweeps <span id="sweep-count" class="muted"></span></h2>
    <table id="sweeps"><thead><tr><th>sweep</th><th>method</th><th>state</th><th>runs</th><th>metric</th><th>best run</th></tr></thead><tbody></tbody></table>
  </section>
  <section id="chart-panel">
    <h2>History</h2>
    <div class="controls">
      <label>Metric <select id="metric"></select></label>
      <label>Samples <input id="samples" type="number" min="1" max="10000" value="500" style="width: 6em"></label>
      <span class="muted">select runs in the table to overlay them</span>
    </div>
    <div id="chart"></div>
    <h2>Files <span id="files-run" class="muted"></span></h2>
    <table id="files"><thead><tr><th>name</th><th>size</th><th></th></tr></thead><tbody></tbody></table>
    <div id="downloads" class="muted"></div>
  </section>
</main>
<script>globalThis.__EFFECT_WANDB_WEB__ = ${JSON.stringify(config).replace(/</g, "\\u003c")}</script>
<script type="module" src="/app.js"></script>
</body></html>
`
