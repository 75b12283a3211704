/** A run's evaluations and front as JSON and CSV: what `chipdse export` and `chipdse front --json` print. */
import { metricLabel } from './metric-ref.js';
import { METRIC_NAMES, metricValue, type Metrics } from './metrics.js';
import { objectiveValues } from './objectives.js';
import type { PointResult } from './point.js';
import type { ObjectiveSpec, RunRow } from './run.js';

/** One workload's metrics as they are; several as an object keyed by workload. */
function shownMetrics(p: PointResult): Metrics | Record<string, Metrics> | null {
  if (!p.metrics) return null;
  const names = Object.keys(p.metrics);
  return names.length === 1 ? p.metrics[names[0]] : p.metrics;
}

export function frontJson(run: { objectives: ObjectiveSpec[] }, front: PointResult[]) {
  return front.map((p) => ({ genome: p.key, params: p.params, objectives: objectiveValues(run, p), metrics: shownMetrics(p) }));
}

export function exportJson(run: RunRow, points: PointResult[], front: Set<string>, generations: Map<string, number>): string {
  const rows = points.map((p, seq) => ({
    seq,
    generation: generations.get(p.key) ?? 0,
    genome: p.key,
    pareto: front.has(p.key),
    feasible: p.feasible,
    violation: p.violation,
    reasons: p.reasons,
    params: p.params,
    objectives: objectiveValues(run, p),
    metrics: shownMetrics(p),
  }));
  return JSON.stringify({ run: { name: run.name, space: run.spaceName, workloads: run.workloads, algorithm: run.algorithm, seed: run.seed, budget: run.budget, population: run.population, objectives: run.objectives, constraints: run.constraints, reference: run.reference }, evaluations: rows }, null, 2) + '\n';
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per evaluation: parameters, objectives, and every metric (as WORKLOAD:metric with several workloads). */
export function exportCsv(run: RunRow, points: PointResult[], front: Set<string>, generations: Map<string, number>): string {
  const params = points.length > 0 ? Object.keys(points[0].params) : [];
  const workloads = Object.keys(points.find((p) => p.metrics)?.metrics ?? {});
  const metricCols = workloads.flatMap((w) => METRIC_NAMES.map((m) => ({ w, m, label: metricLabel(m, workloads.length > 1 ? w : undefined) })));
  const header = ['seq', 'generation', 'genome', 'pareto', 'feasible', 'violation', ...params, ...run.objectives.map((o) => `${o.goal}:${o.metric}`), ...metricCols.map((c) => c.label), 'reasons'];
  const lines = [header.map(csvCell).join(',')];
  points.forEach((p, seq) => {
    const obj = objectiveValues(run, p);
    const cells = [
      seq,
      generations.get(p.key) ?? 0,
      p.key,
      front.has(p.key) ? 1 : 0,
      p.feasible ? 1 : 0,
      p.violation,
      ...params.map((k) => p.params[k]),
      ...run.objectives.map((o) => obj[o.metric]),
      ...metricCols.map((c) => (p.metrics ? metricValue(p.metrics[c.w], c.m) : '')),
      p.reasons.join('; '),
    ];
    lines.push(cells.map(csvCell).join(','));
  });
  return lines.join('\n') + '\n';
}
