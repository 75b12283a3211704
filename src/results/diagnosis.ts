/**
 * Why a run has no feasible design: what rules its designs out (the constraints that bind, the
 * model's reasons: memory, SLOs, buildability), each with the share of evaluated designs it rules
 * out, and the designs closest to feasible with the values of the constrained metrics. Computed from
 * what the run stored: its evaluations' reasons and metrics.
 */
import { aggregateMetric, constraintMetric, CONSTRAINT_RE, type MetricRef } from './metric-ref.js';
import type { PointResult } from './point.js';

export interface Cause {
  /** The rule: `constraint peakPowerW <= 700`, or a model reason with its numbers left out. */
  cause: string;
  /** Designs it rules out, and their share of the evaluated ones. */
  count: number;
  share: number;
  /** The reason as one design stated it, numbers included. */
  example: string;
  /** For a constraint: the best value of its metric over the evaluated designs (the most any design gets). */
  best?: number;
}

export interface CloseDesign {
  key: string;
  params: Record<string, unknown>;
  violation: number;
  reasons: string[];
  /** The constrained metrics' values (over the workloads), by constraint metric label. */
  values: Record<string, number>;
}

export interface Diagnosis {
  evaluated: number;
  feasible: number;
  /** Designs that failed validation: no metrics. */
  invalid: number;
  causes: Cause[];
  closest: CloseDesign[];
  /** The constrained metrics, in the order the run's constraints name them. */
  metrics: string[];
}

/** A reason's rule: a constraint's text, or the reason with its numbers replaced by "…". */
export function causeOf(reason: string): string {
  const c = reason.match(/^(.*?)constraint (.+) violated \(/);
  if (c) return `${c[1]}constraint ${c[2]}`;
  return reason.replace(/(?<![A-Za-z_\d.])-?\d[\d,]*(\.\d+)?(e[+-]?\d+)?(?![A-Za-z_\d])/gi, '…');
}

export function diagnose(run: { constraints: string[] }, points: PointResult[], closest = 5): Diagnosis {
  const byCause = new Map<string, { count: number; example: string }>();
  for (const p of points) {
    if (p.feasible) continue;
    for (const cause of new Set(p.reasons.map(causeOf))) {
      const c = byCause.get(cause);
      if (c) c.count++;
      else byCause.set(cause, { count: 1, example: p.reasons.find((r) => causeOf(r) === cause)! });
    }
  }
  const n = points.length;
  const causes: Cause[] = [...byCause.entries()]
    .map(([cause, c]) => ({ cause, count: c.count, share: n > 0 ? c.count / n : 0, example: c.example, ...bestOf(cause, points) }))
    .sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
  const refs = uniqueRefs(run.constraints);
  const near = points.filter((p) => !p.feasible && p.metrics).sort((a, b) => a.violation - b.violation || (a.key < b.key ? -1 : 1)).slice(0, closest);
  return {
    evaluated: n,
    feasible: points.filter((p) => p.feasible).length,
    invalid: points.filter((p) => !p.metrics).length,
    causes,
    closest: near.map((p) => ({ key: p.key, params: p.params, violation: p.violation, reasons: p.reasons, values: Object.fromEntries(refs.map((r) => [r.label, valueOf(p, r)])) })),
    metrics: refs.map((r) => r.label),
  };
}

/** For a constraint's cause, the best value any evaluated design reaches (the largest for >=, the smallest for <=). */
function bestOf(cause: string, points: PointResult[]): { best?: number } {
  const m = cause.match(/constraint (.+)$/)?.[1].match(CONSTRAINT_RE);
  const ref = m ? constraintMetric(m[0]) : undefined;
  if (!m || !ref || (m[2] !== '<=' && m[2] !== '<' && m[2] !== '>=' && m[2] !== '>')) return {};
  const vs = points.filter((p) => p.metrics).map((p) => valueOf(p, ref)).filter((v) => Number.isFinite(v));
  if (vs.length === 0) return {};
  return { best: m[2].startsWith('<') ? Math.min(...vs) : Math.max(...vs) };
}

function uniqueRefs(constraints: string[]): MetricRef[] {
  const seen = new Map<string, MetricRef>();
  for (const c of constraints) {
    const r = constraintMetric(c);
    if (r && !seen.has(r.label)) seen.set(r.label, r);
  }
  return [...seen.values()];
}

/** A metric of a stored design; NaN where it cannot be read (an older run, a workload not in it). */
function valueOf(p: PointResult, r: MetricRef): number {
  try {
    const v = aggregateMetric(p.metrics!, r);
    return typeof v === 'number' ? v : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
