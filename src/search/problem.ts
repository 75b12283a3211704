import { ValidationError } from '../errors.js';
import { evaluateOnChip, onChip, type EvaluateOptions } from '../eval/evaluate.js';
import type { Metrics } from '../eval/types.js';
import type { MetricName } from '../results/metrics.js';
import { metricsFinite, nonFiniteNumbers, withoutNonFinite } from '../results/finite.js';
import { aggregateMetric, workloadMetric } from '../results/metric-ref.js';
import { genomeKey, type PointResult } from '../results/point.js';
import type { Workload } from '../workload/workload.js';
import { genomeParams, type Constraint, type Space } from './space.js';
import { chipForGenome } from './design-template.js';

/** What a search optimises: a space and the workloads its designs are scored on. */
export interface Problem {
  space: Space;
  workloads: Workload[];
}

/** Violation charged to a design that fails validation: worse than any design that can be evaluated. */
export const INVALID_DESIGN_VIOLATION = 1e6;

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

/** No non-finite metrics (read, never written). */
const NONE: readonly string[] = Object.freeze([]);

/** What a search evaluates with: no per-step detail (one object for every call). */
const SEARCH_OPTIONS: EvaluateOptions = Object.freeze({ detail: false });

/** A constraint on one workload's metric: its violation, with the reason pushed (prefixed by the workload's name where `named`). */
function constraintOn(c: Constraint, metrics: Record<string, Metrics>, name: string, named: boolean, reasons: string[]): number {
  const v = workloadMetric(metrics, c.metric, name);
  // A metric that could not be computed has already made the design infeasible, with its reason.
  if (typeof v !== 'number' || !Number.isFinite(v)) return 0;
  const over = constraintViolation(c, v);
  if (over > 0) reasons.push(`${named ? `${name}: ` : ''}constraint ${c.text} violated (${c.metric.name} = ${Number(v.toPrecision(4))})`);
  return over > 0 ? over : 0;
}

/**
 * What evaluateGenome reads of a space, resolved once per space (for the arrays it was made from):
 * its parameters record by an object literal of the parameters' names (genomeParams stores by a
 * key in a variable, ~0.2-0.5 us a design), and each objective's metric read by a function of its
 * own, where it is over all workloads (metricValue tests the name's prefix and loads by a key in
 * a variable, for every objective of every design). The record is the one genomeParams makes: the
 * same keys in the same order, a later duplicate name overwriting in place (bench/NOTES.md, e29).
 */
interface GenomePlan {
  parameters: Space['parameters'];
  objectives: Space['objectives'];
  params: (genome: readonly number[]) => Record<string, unknown>;
  /** genomeKey of a genome. */
  key: (genome: readonly number[]) => string;
  /** metricValue of each objective's metric (undefined where it names a workload). */
  readers: (((m: Metrics) => number) | undefined)[];
}

const PLANS = new WeakMap<Space, GenomePlan>();

function planOf(space: Space): GenomePlan {
  const known = PLANS.get(space);
  if (known && known.parameters === space.parameters && known.objectives === space.objectives) return known;
  const plan: GenomePlan = { parameters: space.parameters, objectives: space.objectives, params: paramsMaker(space), key: keyMaker(space), readers: space.objectives.map((o) => (o.metric.workload === undefined ? metricReader(o.metric.name) : undefined)) };
  PLANS.set(space, plan);
  return plan;
}

const q = (k: string) => JSON.stringify(k);

/** genomeParams of a space by one object literal of its parameters' names, each value read by its index. */
export function paramsMaker(space: Space): (genome: readonly number[]) => Record<string, unknown> {
  const ps = space.parameters;
  // `__proto__: v` in a literal sets the prototype, as the store in genomeParams does: left to genomeParams, as are spaces of very many parameters (a function of that many arguments).
  if (ps.length > 64 || ps.some((p) => p.name === '__proto__')) return (genome) => genomeParams(space, genome);
  const make = new Function(...ps.map((_, i) => `V${i}`), `return function params(g) { return { ${ps.map((p, i) => `${q(p.name)}: V${i}[g[${i}]]`).join(', ')} }; };`);
  return make(...ps.map((p) => p.values)) as (genome: readonly number[]) => Record<string, unknown>;
}

/**
 * genomeKey by straight-line code: each value index's part of the key (`.` and its digits) read
 * from a table per parameter (filled on first use) and the parts joined once, instead of a
 * number printed and two strings joined per parameter (~150 ns of ~350 a design in a loop over
 * serve-auto's designs; bench/NOTES.md, e29). A genome of another length, or with a value that is
 * not an index of its parameter's values, takes genomeKey itself.
 */
export function keyMaker(space: Space): (genome: readonly number[]) => string {
  const ps = space.parameters;
  if (ps.length === 0 || ps.length > 64) return genomeKey;
  const tables: string[][] = ps.map(() => []);
  /** genomeKey(g), with its parts put in the tables where they are value indices. */
  const slow = (g: readonly number[]): string => {
    if (g.length === ps.length) {
      for (let i = 0; i < ps.length; i++) {
        const j = g[i];
        if (typeof j === 'number' && Number.isInteger(j) && j >= 0 && j < ps[i].values.length) tables[i][j] = (i > 0 ? '.' : '') + j;
      }
    }
    return genomeKey(g);
  };
  const parts = ps.map((_, i) => `const s${i} = T${i}[g[${i}]];\nif (s${i} === undefined) return slow(g);`).join('\n');
  const body = `return function key(g) {\nif (g.length !== ${ps.length}) return slow(g);\n${parts}\nreturn ${ps.map((_, i) => `s${i}`).join(' + ')};\n};`;
  return new Function('slow', ...ps.map((_, i) => `T${i}`), body)(slow, ...tables) as (genome: readonly number[]) => string;
}

/** metricValue(m, name) for one name, by a load of its field (booleans as 1 and 0). */
export function metricReader(name: MetricName): (m: Metrics) => number {
  const dot = 'energyBreakdownJ.';
  const body = name.startsWith(dot) ? `return m.energyBreakdownJ[${q(name.slice(dot.length))}];` : `const v = m[${q(name)}];\nreturn typeof v === 'boolean' ? (v ? 1 : 0) : v;`;
  return new Function('m', body) as (m: Metrics) => number;
}

/** Evaluates one genome on every workload: pure, so any worker gets the same answer. */
export function evaluateGenome(problem: Problem, genome: number[]): PointResult {
  const { space, workloads } = problem;
  const plan = planOf(space);
  const key = plan.key(genome);
  const params = plan.params(genome);
  let chip;
  try {
    chip = chipForGenome(space, genome, `${space.name} design ${key}`, key);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { key, genome, params, feasible: false, violation: INVALID_DESIGN_VIOLATION, reasons: e.issues.map((i) => `${i.path}: ${i.message}`), objectives: space.objectives.map(() => 0), metrics: null };
  }
  const metrics: Record<string, Metrics> = {};
  /** Workloads in `metrics`: its keys, counted (not listed) for the constraints below. */
  let named = 0;
  const reasons: string[] = [];
  let violation = 0;
  // The chip is this call's own: its context and design reasons serve every workload.
  const on = onChip(chip);
  for (const w of workloads) {
    const e = evaluateOnChip(on, w, SEARCH_OPTIONS);
    const bad = metricsFinite(e.metrics) ? NONE : nonFiniteNumbers(e.metrics);
    const had = Object.hasOwn(metrics, w.name);
    metrics[w.name] = bad.length > 0 ? withoutNonFinite(e.metrics) : e.metrics;
    if (!had && Object.hasOwn(metrics, w.name)) named++;
    const prefix = workloads.length > 1 ? `${w.name}: ` : '';
    if (!e.feasible || bad.length > 0) {
      violation += 1;
      for (const r of e.reasons) reasons.push(prefix + r);
    }
    if (bad.length > 0) reasons.push(`${prefix}cannot be computed: ${bad.join(', ')}`);
  }
  // One workload: an objective or constraint over all workloads is its metric (aggregateMetric's own case for one), read without walking `metrics`.
  const one = workloads.length === 1 ? metrics[workloads[0].name] : undefined;
  for (const c of space.constraints) {
    if (c.metric.workload !== undefined) {
      violation += constraintOn(c, metrics, c.metric.workload, false, reasons);
      continue;
    }
    // The loop below over one own key (named 1) reads that workload's metrics, unnamed.
    if (one !== undefined && named === 1) violation += constraintOn(c, metrics, workloads[0].name, false, reasons);
    else for (const name in metrics) if (Object.hasOwn(metrics, name)) violation += constraintOn(c, metrics, name, named > 1, reasons);
  }
  const objs = space.objectives;
  const objectives: number[] = [];
  for (let i = 0; i < objs.length; i++) {
    const o = objs[i];
    const read = plan.readers[i];
    const v = one !== undefined && read !== undefined ? read(one) : aggregateMetric(metrics, o.metric);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      if (violation === 0) {
        violation = 1;
        reasons.push(`objective ${o.metric.label} cannot be computed (${v})`);
      }
      objectives.push(0);
    } else objectives.push(o.goal === 'max' ? -v : v);
  }
  return { key, genome, params, feasible: violation === 0, violation, reasons, objectives, metrics };
}
