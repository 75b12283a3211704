import { ValidationError, ChipdseError } from '../errors.js';
import { evaluate } from '../eval/evaluate.js';
import { metricValue, type Metrics } from '../eval/types.js';
import type { Workload } from '../workload/workload.js';
import { genomeKey, genomeParams, type Constraint, type MetricRef, type Space } from './space.js';
import { chipForGenome } from './design-template.js';

/** What a search optimises: a space and the workloads its designs are scored on. */
export interface Problem {
  space: Space;
  workloads: Workload[];
}

/** One evaluated point of the space, as stored. Objectives are in minimization form (maximized ones negated). */
export interface PointResult {
  key: string;
  genome: number[];
  params: Record<string, unknown>;
  feasible: boolean;
  /** 0 when feasible; otherwise the sum of normalized constraint violations plus 1 per failed workload. */
  violation: number;
  reasons: string[];
  objectives: number[];
  /** Metrics per workload name; null when the design itself is invalid. */
  metrics: Record<string, Metrics> | null;
}

/** Violation charged to a design that fails validation: worse than any design that can be evaluated. */
export const INVALID_DESIGN_VIOLATION = 1e6;

/**
 * A metric over the workloads: of one workload when named, else their geometric mean (scale-free,
 * and exact for chip-level metrics that every workload shares), or the arithmetic mean when a
 * value is zero.
 */
export function aggregateMetric(metrics: Record<string, Metrics>, ref: MetricRef): number {
  if (ref.workload !== undefined) return workloadMetric(metrics, ref, ref.workload);
  let only: Metrics | undefined;
  let n = 0;
  for (const k in metrics) {
    only = metrics[k];
    n++;
  }
  if (n === 1) return metricValue(only!, ref.name);
  const vs = Object.values(metrics).map((m) => metricValue(m, ref.name));
  if (vs.every((v) => v > 0)) return Math.exp(vs.reduce((a, v) => a + Math.log(v), 0) / vs.length);
  return vs.reduce((a, v) => a + v, 0) / vs.length;
}

/** A metric of one named workload of the search. */
function workloadMetric(metrics: Record<string, Metrics>, ref: MetricRef, workload: string): number {
  const m = metrics[workload];
  if (!m) throw new ChipdseError(`metric ${ref.label}: no workload named "${workload}" in this search (${Object.keys(metrics).join(', ')})`);
  return metricValue(m, ref.name);
}

/** How far a value is from satisfying a constraint, normalized by the bound (0 when satisfied). */
export function constraintViolation(c: Constraint, v: number): number {
  const scale = Math.max(Math.abs(c.value), 1e-12);
  switch (c.op) {
    case '<=':
      return Math.max(0, (v - c.value) / scale);
    case '<':
      return v < c.value ? 0 : (v - c.value) / scale + 1e-9;
    case '>=':
      return Math.max(0, (c.value - v) / scale);
    case '>':
      return v > c.value ? 0 : (c.value - v) / scale + 1e-9;
    case '==':
      return v === c.value ? 0 : Math.abs(v - c.value) / scale;
    case '!=':
      return v !== c.value ? 0 : 1;
  }
}

/** Evaluates one genome on every workload: pure, so any worker gets the same answer. */
export function evaluateGenome(problem: Problem, genome: number[]): PointResult {
  const { space, workloads } = problem;
  const key = genomeKey(genome);
  const params = genomeParams(space, genome);
  let chip;
  try {
    chip = chipForGenome(space, genome, `${space.name} design ${key}`, key);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { key, genome, params, feasible: false, violation: INVALID_DESIGN_VIOLATION, reasons: e.issues.map((i) => `${i.path}: ${i.message}`), objectives: space.objectives.map(() => 0), metrics: null };
  }
  const metrics: Record<string, Metrics> = {};
  const reasons: string[] = [];
  let violation = 0;
  for (const w of workloads) {
    const e = evaluate(chip, w, { detail: false });
    const bad = nonFiniteMetrics(e.metrics);
    metrics[w.name] = bad.length > 0 ? withoutNonFinite(e.metrics) : e.metrics;
    const prefix = workloads.length > 1 ? `${w.name}: ` : '';
    if (!e.feasible || bad.length > 0) {
      violation += 1;
      for (const r of e.reasons) reasons.push(prefix + r);
    }
    if (bad.length > 0) reasons.push(`${prefix}cannot be computed: ${bad.join(', ')}`);
  }
  for (const c of space.constraints) {
    const targets = c.metric.workload !== undefined ? [c.metric.workload] : Object.keys(metrics);
    for (const name of targets) {
      const v = workloadMetric(metrics, c.metric, name);
      // A metric that could not be computed has already made the design infeasible, with its reason.
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const over = constraintViolation(c, v);
      if (over > 0) {
        violation += over;
        reasons.push(`${targets.length > 1 ? `${name}: ` : ''}constraint ${c.text} violated (${c.metric.name} = ${Number(v.toPrecision(4))})`);
      }
    }
  }
  const objectives = space.objectives.map((o) => {
    const v = aggregateMetric(metrics, o.metric);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      if (violation === 0) {
        violation = 1;
        reasons.push(`objective ${o.metric.label} cannot be computed (${v})`);
      }
      return 0;
    }
    return o.goal === 'max' ? -v : v;
  });
  return { key, genome, params, feasible: violation === 0, violation, reasons, objectives, metrics };
}

/** `name = value` for every number in the metrics that is not finite (NaN, Infinity). */
function nonFiniteMetrics(m: Metrics): string[] {
  // The common case, all finite, without building a path string per number (a search checks every design).
  if (allFinite(m)) return [];
  const out: string[] = [];
  const walk = (x: unknown, path: string) => {
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) out.push(`${path} = ${x}`);
    } else if (x !== null && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(m, '');
  return out;
}

/** Whether every number in an object or array, at any depth, is finite. */
export function allFinite(x: object): boolean {
  for (const k in x) {
    const v = (x as Record<string, unknown>)[k];
    if (typeof v === 'number' ? !Number.isFinite(v) : v !== null && typeof v === 'object' && !allFinite(v)) return false;
  }
  return true;
}

/**
 * The metrics with every non-finite number replaced by null: no NaN or Infinity reaches the
 * store (JSON would write null anyway, silently; here the reasons say why it is missing).
 */
function withoutNonFinite(m: Metrics): Metrics {
  return JSON.parse(JSON.stringify(m, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
