import { ChipdseError } from '../errors.js';
import type { Setting } from '../io/settings.js';
import { hypervolume } from '../pareto/index.js';
import type { PointResult } from '../results/point.js';
import type { ObjectiveSpec } from '../results/run.js';
import { genomeAt } from './algorithms.js';
import { evaluateGenome } from './problem.js';
import { pushedOut, referenceToMin } from './reference-point.js';
import { checkDuration, type Estimate } from './estimate.js';
import { loadSearchWorkloads } from './search-workloads.js';
import { loadSpace, selfContained } from './space.js';
import type { DistributeOptions } from './coordinator.js';
import { sweepSpace, type SweepOptions } from './sweep.js';
import { sweepDistributed } from './sweep-remote.js';
import { checkWorkers } from './workers.js';

export interface SweepReportOptions {
  space: string;
  /** Workload references; empty: the space's own list. */
  workloads: string[];
  workers: number;
  /** `--set` fields for the space's base design and for the workloads. */
  set?: { design: readonly Setting[]; workload: readonly Setting[] };
  onProgress?: SweepOptions['onProgress'];
  /** Evaluate on `chipdse worker` processes through the queue of this PostgreSQL database (`workers` then goes unused). */
  distribute?: DistributeOptions & { url: string; shouldStop?: () => boolean };
  /** Start a sweep estimated to take more than an hour (see estimate.ts). */
  allowLong?: boolean;
  /** The estimate of a sweep large enough to be timed, before it starts. */
  onEstimate?: (e: Estimate) => void;
}

/** What `chipdse sweep` reports: counts, the true front with full metrics, and its hypervolume. */
export interface SweepReport {
  space: string;
  workloads: string[];
  size: number;
  evaluated: number;
  feasible: number;
  invalid: number;
  seconds: number;
  objectives: ObjectiveSpec[];
  /** In objective units; the space's own, or derived from the worst feasible values. */
  reference: number[] | null;
  referenceFrom: 'space' | 'derived' | 'none';
  hypervolume: number;
  /** The feasible non-dominated designs, evaluated again for their metrics, best first by the first objective; one per objective vector, the first in the space's order. */
  front: PointResult[];
  /** Designs left off the front because an earlier one has exactly their objectives. */
  identicalLeftOut: number;
}

/** A hypervolume, refused when it is not finite (a reference point so far out the volume overflows). */
function finiteHypervolume(points: number[][], refMin: number[], file: string): number {
  const hv = hypervolume(points, refMin);
  if (!Number.isFinite(hv)) throw new ChipdseError(`${file}: reference: the hypervolume against it is ${hv}; give a reference point nearer the designs' objectives`);
  return hv;
}

/**
 * Every design of a space evaluated for the true Pareto front, streaming (nothing is stored but
 * the front, so memory does not grow with the space). Without a reference in the space, the
 * hypervolume's reference is the worst feasible value of each objective pushed out by 10% of the
 * range between it and the front's best.
 */
export async function sweepReport(o: SweepReportOptions): Promise<SweepReport> {
  checkWorkers(o.workers);
  const space = loadSpace(o.space, o.set?.design);
  const refs = o.workloads.length > 0 ? o.workloads : space.defaultWorkloads;
  const workloads = loadSearchWorkloads(space, refs, o.workloads.length > 0 ? '--workload' : `${space.file}: workloads`, o.set?.workload);
  const estimate = checkDuration({ space, workloads }, space.size, { workers: o.workers, allowLong: o.allowLong, what: space.file });
  if (estimate) o.onEstimate?.(estimate);
  const t0 = performance.now();
  const r = o.distribute
    ? await sweepDistributed(o.distribute.url, space, workloads, o.distribute)
    : await sweepSpace({ spaceData: selfContained(space), spaceFile: space.file, workloads }, { workers: o.workers, onProgress: o.onProgress });
  const seconds = (performance.now() - t0) / 1000;
  const problem = { space, workloads };
  const front = r.front.map((p) => evaluateGenome(problem, genomeAt(space, p.index))).sort((a, b) => a.objectives[0] - b.objectives[0] || (a.key < b.key ? -1 : 1));
  let refMin: number[] | undefined;
  let referenceFrom: SweepReport['referenceFrom'] = 'none';
  if (space.reference) {
    refMin = referenceToMin(space, space.reference);
    referenceFrom = 'space';
  } else if (front.length > 0) {
    refMin = r.worst.map((worst, j) => pushedOut(worst, Math.min(...front.map((p) => p.objectives[j]))));
    referenceFrom = 'derived';
  }
  return {
    space: space.name,
    workloads: workloads.map((w) => w.name),
    size: space.size,
    evaluated: r.evaluated,
    feasible: r.feasible,
    invalid: r.invalid,
    seconds,
    objectives: space.objectives.map((x) => ({ metric: x.metric.label, goal: x.goal })),
    reference: refMin ? refMin.map((v, j) => (space.objectives[j].goal === 'max' ? -v : v)) : null,
    referenceFrom,
    hypervolume: refMin ? finiteHypervolume(front.map((p) => p.objectives), refMin, space.file) : 0,
    front,
    identicalLeftOut: r.front.reduce((n, p) => n + p.twins, 0),
  };
}
