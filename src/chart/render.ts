/**
 * The last, thin step: a vega-lite spec to SVG (vega's headless renderer), PNG (resvg) or a
 * self-contained HTML page (vega, vega-lite and vega-embed inlined, so it opens offline).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ChipdseError } from '../errors.js';

export const CHART_FORMATS = ['svg', 'png', 'html'] as const;
export type ChartFormat = (typeof CHART_FORMATS)[number];

/** The output format named by a file's extension. */
export function chartFormat(file: string): ChartFormat {
  const ext = extname(file).slice(1).toLowerCase();
  if ((CHART_FORMATS as readonly string[]).includes(ext)) return ext as ChartFormat;
  throw new ChipdseError(`${file}: a chart is written as .svg, .png or .html (got "${extname(file) || 'no extension'}")`);
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts', '/System/Library/Fonts', '/Library/Fonts', 'C:\\Windows\\Fonts'];
/** Sans fonts tried in order for vega's text; the first one installed is used. */
const SANS = [{ family: 'DejaVu Sans', file: 'DejaVuSans.ttf' }, { family: 'Liberation Sans', file: 'LiberationSans-Regular.ttf' }, { family: 'Noto Sans', file: 'NotoSans-Regular.ttf' }, { family: 'Arial', file: 'Arial.ttf' }];

function fontFiles(dir: string, depth = 4): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (/\.(ttf|otf|ttc)$/i.test(n)) out.push(p);
    else if (depth > 0 && statSync(p, { throwIfNoEntry: false })?.isDirectory()) out = out.concat(fontFiles(p, depth - 1));
  }
  return out;
}

let fontChoice: { family: string } | undefined;

/** The system's fonts (resvg draws no text without one): a known sans family if present, else whatever is installed. */
function pngFont(): { family: string } {
  if (fontChoice) return fontChoice;
  const files = FONT_DIRS.filter((d) => existsSync(d)).flatMap((d) => fontFiles(d));
  if (files.length === 0) throw new ChipdseError('no fonts found for PNG text (looked in /usr/share/fonts and the usual places): install one (Debian: apt-get install fonts-dejavu-core), or write .svg or .html');
  const sans = SANS.find((s) => files.some((f) => f.endsWith(`/${s.file}`) || f.endsWith(`\\${s.file}`)));
  fontChoice = { family: sans?.family ?? '' };
  return fontChoice;
}

/** PNG at twice the SVG's size, on white. */
export async function renderPng(spec: TopLevelSpec, zoom = 2): Promise<Buffer> {
  const svg = await renderSvg(spec);
  const { family } = pngFont();
  const font = family ? { loadSystemFonts: true, defaultFontFamily: family, sansSerifFamily: family } : { loadSystemFonts: true };
  return new Resvg(svg, { font, fitTo: { mode: 'zoom', value: zoom }, background: 'white' }).render().asPng();
}

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
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.chart{margin:12px 0 24px}.note{color:#555;font-size:13px}`;

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

/** Writes a file, creating its folder; a failure is the user's to fix (a path, a permission), so it reads as one line. */
export function writeOutput(file: string, data: string | Buffer): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ChipdseError(`${file}: cannot write (${err.code ?? err.message})`);
  }
}

/** Renders a spec in the format the file's extension names, and writes it. */
export async function writeChart(spec: TopLevelSpec, file: string, title: string): Promise<void> {
  const format = chartFormat(file);
  const data = format === 'svg' ? await renderSvg(spec) : format === 'png' ? await renderPng(spec) : chartHtml(spec, title);
  writeOutput(file, data);
}
