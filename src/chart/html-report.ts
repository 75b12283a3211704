/** `chipdse report`: one self-contained HTML page per run: its settings, its front as a table, and its charts. */
import type { TopLevelSpec } from 'vega-lite';
import { ChipdseError } from '../errors.js';
import { frontTableRows } from '../text/front-table.js';
import { CHARTS, type ChartChoices, type ChartKind } from './charts.js';
import { escapeHtml, htmlPage, type HtmlChart } from './html-page.js';
import { chosenDesign, versionMark, type RunData } from './run-data.js';

/** The report's charts, in page order: [id, kind, choices, heading]. */
const SECTIONS: [string, ChartKind, (d: RunData) => ChartChoices, string][] = [
  ['chart-pareto', 'pareto', () => ({}), 'Designs and the Pareto front'],
  ['chart-convergence', 'convergence', () => ({}), 'Convergence'],
  ['chart-params', 'params', () => ({}), 'Parameters of the front'],
  ['chart-energy', 'energy', () => ({}), 'Energy per token of the front'],
  ['chart-roofline', 'roofline', (d) => ({ genome: chosenDesign(d, undefined).key }), 'Roofline of the best design on the first objective'],
  ['chart-steps', 'energy', (d) => ({ genome: chosenDesign(d, undefined).key }), 'Energy by step of the same design'],
];

const num = (x: number) => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString());

function table(header: string[], rows: string[][], id?: string): string {
  const tr = (cells: string[], tag: string) => `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return `<table${id ? ` id="${id}"` : ''}><thead>${tr(header, 'th')}</thead><tbody>${rows.map((r) => tr(r, 'td')).join('')}</tbody></table>`;
}

function settingsTable(d: RunData): string {
  const r = d.run;
  const rows: [string, string][] = [
    ['space', r.spaceName],
    ['workloads', r.workloads.join(', ')],
    ['objectives', r.objectives.map((o) => `${o.goal} ${o.metric}`).join(', ')],
    ['constraints', r.constraints.join(', ') || '-'],
    ['algorithm', r.algorithm],
    ['seed', String(r.seed)],
    ['budget', String(r.budget)],
    ['population', String(r.population)],
    ['hypervolume reference', r.reference ? r.reference.map(num).join(', ') : '-'],
    ['status', r.status],
    ['evaluations', String(r.evaluations)],
    ['generations', String(r.generations)],
    ['feasible', String(d.points.filter((p) => p.feasible).length)],
    ['front size', String(d.front.length)],
    ['started', r.startedAt],
    ['ended', r.endedAt ?? '-'],
    ['chipdse version', r.toolVersion],
  ];
  return table(['setting', 'value'], rows, 'settings');
}

function frontTable(d: RunData): string {
  if (d.front.length === 0) return '<p class="note">No feasible design yet.</p>';
  const { header, rows } = frontTableRows(d.run, d.front);
  return table(header, rows, 'front');
}

export interface Report {
  html: string;
  charts: (HtmlChart & { kind: ChartKind })[];
  /** Charts that could not be drawn (e.g. no feasible design yet), with why. */
  skipped: { id: string; reason: string }[];
}

export function buildReport(d: RunData): Report {
  const charts: Report['charts'] = [];
  const skipped: Report['skipped'] = [];
  const sections: string[] = [];
  for (const [id, kind, choices, heading] of SECTIONS) {
    let spec: TopLevelSpec;
    try {
      spec = CHARTS[kind]([d], choices(d));
    } catch (e) {
      if (!(e instanceof ChipdseError)) throw e;
      skipped.push({ id, reason: e.message });
      sections.push(`<h2>${escapeHtml(heading)}</h2><p class="note">Not drawn: ${escapeHtml(e.message)}</p>`);
      continue;
    }
    charts.push({ id, kind, spec });
    sections.push(`<h2>${escapeHtml(heading)}</h2><div id="${id}" class="chart"></div>`);
  }
  const title = `chipdse report: ${d.run.name}`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="note">Design-space search of space <b>${escapeHtml(d.run.spaceName)}</b> on ${escapeHtml(d.run.workloads.join(', '))}. Hover over a point for its parameters.</p>`,
    ...(versionMark(d.run) ? [`<p class="note"><b>Stored by chipdse ${escapeHtml(d.run.toolVersion)}:</b> every figure here is that version's model, not this one's.</p>`] : []),
    '<h2>Settings</h2>',
    settingsTable(d),
    `<h2>Pareto front (${d.front.length} designs, best ${escapeHtml(d.run.objectives[0].metric)} first)</h2>`,
    frontTable(d),
    ...sections,
  ].join('\n');
  return { html: htmlPage(title, body, charts), charts, skipped };
}
