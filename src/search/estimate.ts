import { availableParallelism } from 'node:os';
import { ChipdseError } from '../errors.js';
import { evaluateGenome, type Problem } from './problem.js';
import { threadCount } from './workers.js';

/**
 * How long a sweep or a search will take, from a short timed sample of its own designs, and the
 * limit above which it only starts when asked to (--allow-long): a space of 10^12 designs is
 * easily written, and would otherwise run for years without a word.
 */

/** Runs estimated to take longer than this start only with --allow-long. */
export const LONG_RUN_SEC = 3600;
/** Runs of up to this many designs are not timed: at a second a design they still end within the hour. */
export const UNTIMED_DESIGNS = 2000;
const SAMPLE_DESIGNS = 16;
const SAMPLE_SEC = 0.5;

export interface Estimate {
  designs: number;
  /** Designs a second, all threads together. */
  designsPerSec: number;
  threads: number;
  seconds: number;
  /** Designs timed. */
  sampled: number;
}

/** Genomes spread over the space without enumerating it (any size): gene i of sample k at a fixed irrational stride. */
function sampleGenome(problem: Problem, k: number): number[] {
  return problem.space.parameters.map((p, i) => Math.floor((((k + 1) * 0.6180339887 + i * 0.4142135624) % 1) * p.values.length));
}

/** Times evaluating up to 16 designs (half a second at most; the first, which builds what a space's designs share, not timed). */
export function estimateDuration(problem: Problem, designs: number, workers: number): Estimate {
  evaluateGenome(problem, sampleGenome(problem, 0));
  const t0 = performance.now();
  let sampled = 0;
  while (sampled < SAMPLE_DESIGNS && (performance.now() - t0) / 1000 < SAMPLE_SEC) {
    evaluateGenome(problem, sampleGenome(problem, ++sampled));
  }
  const perDesignSec = Math.max(1e-7, (performance.now() - t0) / 1000 / sampled);
  const threads = workers <= 1 ? 1 : Math.min(threadCount(workers), availableParallelism());
  const designsPerSec = threads / perDesignSec;
  return { designs, designsPerSec, threads, seconds: designs / designsPerSec, sampled };
}

/** "3.2 years", "25 min", "40 s". */
export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds < 2 * 365 * 86400) return `${Math.round(seconds / 86400)} days`;
  return `${(seconds / (365.25 * 86400)).toPrecision(2)} years`;
}

/** How an estimate reads: "about 25 min (1000000 designs at 700 designs/s on 2 threads, timed on 16 designs)". */
export function describeEstimate(e: Estimate): string {
  return `about ${duration(e.seconds)} (${e.designs} designs at ${Math.round(e.designsPerSec)} designs/s on ${e.threads} thread${e.threads > 1 ? 's' : ''}, timed on ${e.sampled} designs)`;
}

/**
 * The estimate of a run of `designs` designs, refused above the limit unless `allowLong`.
 * `what` names the run in the message (the space file). Small runs are not timed (undefined).
 */
export function checkDuration(problem: Problem, designs: number, o: { workers: number; allowLong?: boolean; what: string }): Estimate | undefined {
  if (!Number.isSafeInteger(designs)) throw new ChipdseError(`${o.what}: ${designs.toPrecision(3)} designs are too many to enumerate; make the space or --budget smaller`);
  if (designs <= UNTIMED_DESIGNS) return undefined;
  const e = estimateDuration(problem, designs, o.workers);
  if (e.seconds > LONG_RUN_SEC && !o.allowLong) {
    throw new ChipdseError(`${o.what}: would take ${describeEstimate(e)}, over the ${LONG_RUN_SEC / 3600} h limit: add --allow-long to go ahead, or make the space or --budget smaller`);
  }
  return e;
}
