/** What `chipdse chart`, `chipdse report` and `chipdse compare --chart` do, behind plain option objects. */
import { join } from 'node:path';
import { ChipdseError } from '../errors.js';
import type { Evaluation } from '../eval/types.js';
import { CHARTS, chartKind, type ChartKind } from './charts.js';
import { compareData } from './data.js';
import { buildReport } from './report.js';
import { chartFormat, writeChart, writeOutput } from './render.js';
import { loadRunData } from './run-data.js';
import { compareSpec } from './specs.js';

export interface ChartOptions {
  /** One run; several for a convergence chart. */
  run: string | string[];
  db: string;
  kind: string;
  x?: string;
  y?: string;
  color?: string;
  genome?: string;
  /** .svg, .png or .html */
  out: string;
}

export async function chartCommand(o: ChartOptions): Promise<{ file: string; kind: ChartKind }> {
  const kind = chartKind(o.kind);
  chartFormat(o.out);
  const names = Array.isArray(o.run) ? o.run : [o.run];
  if (names.length === 0) throw new ChipdseError('chart: name a run with --run');
  const runs = names.map((n) => loadRunData(o.db, n));
  const spec = CHARTS[kind](runs, { x: o.x, y: o.y, color: o.color, genome: o.genome });
  await writeChart(spec, o.out, `chipdse ${kind}: ${names.join(', ')}`);
  return { file: o.out, kind };
}

export interface ReportOptions {
  run: string;
  db: string;
  /** Folder the page (index.html) is written to. */
  out: string;
}

export async function reportCommand(o: ReportOptions): Promise<{ file: string; charts: number; skipped: { id: string; reason: string }[] }> {
  const report = buildReport(loadRunData(o.db, o.run));
  const file = join(o.out, 'index.html');
  writeOutput(file, report.html);
  return { file, charts: report.charts.length, skipped: report.skipped };
}

/** `compare --chart FILE`: energy per token by part and the key metrics of the compared designs. */
export async function compareChart(evaluations: Evaluation[], file: string): Promise<void> {
  chartFormat(file);
  if (evaluations.length === 0) throw new ChipdseError('compare: nothing to chart');
  const designs = [...new Set(evaluations.map((e) => e.design))];
  await writeChart(compareSpec(compareData(evaluations), `${designs.join(' vs ')}`), file, `chipdse compare: ${designs.join(', ')}`);
}
