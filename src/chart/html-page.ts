/** A self-contained HTML page of charts: vega, vega-lite and vega-embed inlined, so it opens offline. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';

const require = createRequire(import.meta.url);

/** The browser builds of vega, vega-lite and vega-embed, from node_modules (each package's build folder). */
function browserLibraries(): string[] {
  const build = (pkg: string, file: string) => join(dirname(require.resolve(pkg)), file);
  return [build('vega', 'vega.min.js'), build('vega-lite', 'vega-lite.min.js'), build('vega-embed', 'vega-embed.min.js')].map((f) => readFileSync(f, 'utf8'));
}

/** Text that is safe inside a <script> element. */
const scriptSafe = (js: string) => js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface HtmlChart {
  id: string;
  spec: TopLevelSpec;
}

const PAGE_CSS = `body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child,td.text,th.text{text-align:left}.note{color:#555;font-size:13px}
.chart{margin:12px 0 24px;overflow-x:auto}`;

/**
 * A page that draws its charts with no network: the libraries are inlined, the specs embedded as
 * JSON. When every chart has rendered, `body[data-rendered="true"]` (or "failed") is set.
 */
export function htmlPage(title: string, bodyHtml: string, charts: HtmlChart[]): string {
  const specs = JSON.stringify(charts.map((c) => ({ id: c.id, spec: c.spec }))).replace(/</g, '\\u003c');
  const libs = browserLibraries().map((js) => `<script>${scriptSafe(js)}</script>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}</style>
${libs}
</head>
<body>
${bodyHtml}
<script>
const charts = ${specs};
Promise.all(charts.map((c) => vegaEmbed('#' + c.id, c.spec, { renderer: 'svg', actions: false })))
  .then(() => { document.body.dataset.rendered = 'true'; })
  .catch((e) => { document.body.dataset.rendered = 'failed'; console.error(e); });
</script>
</body>
</html>
`;
}

/** A page with one chart. */
export function chartHtml(spec: TopLevelSpec, title: string): string {
  return htmlPage(title, `<div id="chart" class="chart"></div>`, [{ id: 'chart', spec }]);
}
