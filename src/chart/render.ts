/**
 * The last, thin step: a vega-lite spec to SVG (vega's headless renderer), PNG (resvg) or a
 * self-contained HTML page (`html-page.ts`). Loading vega takes a moment: the CLI imports this
 * module only when it draws.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ChipdseError } from '../errors.js';
import { chartHtml } from './html-page.js';

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

/** A spec drawn in the format the file's extension names: SVG text, PNG bytes or an HTML page. */
export async function renderChart(spec: TopLevelSpec, file: string, title: string): Promise<string | Buffer> {
  const format = chartFormat(file);
  return format === 'svg' ? renderSvg(spec) : format === 'png' ? renderPng(spec) : chartHtml(spec, title);
}
