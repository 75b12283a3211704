/** `chipdse report`: one self-contained HTML page per run: its settings, its front as a table, and its charts. */
import type { TopLevelSpec } from 'vega-lite';
import { ChipdseError } from '../errors.js';
import { diagnose, type Diagnosis } from '../results/diagnosis.js';
import { aggregateMetric, parseMetricLabel } from '../results/metric-ref.js';
import type { Metrics } from '../results/metrics.js';
import { paramText } from '../text/format.js';
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

/** An HTML table; numbers align right, the columns in `textColumns` (prose) left. */
function table(header: string[], rows: string[][], id?: string, textColumns: number[] = []): string {
  const cell = (tag: string, c: string, i: number) => `<${tag}${textColumns.includes(i) ? ' class="text"' : ''}>${escapeHtml(c)}</${tag}>`;
  const tr = (cells: string[], tag: string) => `<tr>${cells.map((c, i) => cell(tag, c, i)).join('')}</tr>`;
  return `<table${id ? ` id="${id}"` : ''}><thead>${tr(header, 'th')}</thead><tbody>${rows.map((r) => tr(r, 'td')).join('')}</tbody></table>`;
}

function settingsTable(d: RunData, status: string): string {
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
    ['status', status],
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
  if (d.front.length === 0) return diagnosisHtml(diagnose(d.run, d.points));
  const { header, rows } = frontTableRows(d.run, d.front);
  return table(header, rows, 'front');
}

/** Why no design is feasible: what rules them out, and the designs closest to feasible. */
function diagnosisHtml(g: Diagnosis): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const causes = table(['designs ruled out', 'by', 'note'], g.causes.map((c) => [pct(c.share), c.cause, c.best !== undefined ? `the best design reaches ${num(c.best)}` : c.cause === c.example ? '' : `e.g. ${c.example}`]), 'causes', [1, 2]);
  const params = Object.keys(g.closest[0]?.params ?? {});
  const closest = g.closest.length
    ? `<p class="note">The designs closest to feasible (smallest constraint violation):</p>${table(['genome', ...params, 'violation', ...g.metrics], g.closest.map((p) => [p.key, ...params.map((k) => paramText(p.params[k])), num(p.violation), ...g.metrics.map((m) => (Number.isFinite(p.values[m]) ? num(p.values[m]) : '-'))]), 'closest')}`
    : '';
  return `<p class="note"><b>No feasible design</b> among ${g.evaluated} evaluated${g.invalid ? ` (${g.invalid} invalid)` : ''}. What rules them out, by share of the evaluated designs:</p>${causes}${closest}`;
}

/** The reference chips on the run's objectives, an infeasible one marked with why. */
function referenceTable(d: RunData): string {
  const refs = d.references ?? [];
  if (refs.length === 0) return '<p class="note">No reference chips were stored with this run.</p>';
  const workloads = Object.keys(refs[0].metrics);
  const value = (m: Record<string, Metrics>, label: string) => {
    const ref = parseMetricLabel(label);
    if (!ref) return '-';
    const v = aggregateMetric(m, ref);
    return Number.isFinite(v) ? num(v) : '-';
  };
  const rows = refs.map((r) => [r.name, r.feasible ? 'yes' : 'NO', ...d.run.objectives.map((o) => (r.feasible ? value(r.metrics, o.metric) : `[${value(r.metrics, o.metric)}]`)), r.reasons.join('; ')]);
  return `<p class="note">Known chips evaluated on ${escapeHtml(workloads.join(', '))} by the same model when the run was created; an infeasible chip's numbers are in brackets: not results to compare.</p>${table(['chip', 'feasible', ...d.run.objectives.map((o) => o.metric), 'why infeasible'], rows, 'references', [1 + d.run.objectives.length + 1])}`;
}

export interface Report {
  html: string;
  charts: (HtmlChart & { kind: ChartKind })[];
  /** Charts that could not be drawn (e.g. no feasible design yet), with why. */
  skipped: { id: string; reason: string }[];
}

/** `status`: how the run's status reads now (an interrupted run says how to resume it); the stored one by default. */
export function buildReport(d: RunData, status: string = d.run.status): Report {
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
    settingsTable(d, status),
    d.front.length ? `<h2>Pareto front (${d.front.length} designs, best ${escapeHtml(d.run.objectives[0].metric)} first)</h2>` : '<h2>No feasible design: why</h2>',
    frontTable(d),
    '<h2>Reference chips</h2>',
    referenceTable(d),
    ...sections,
  ].join('\n');
  return { html: htmlPage(title, body, charts), charts, skipped };
}
