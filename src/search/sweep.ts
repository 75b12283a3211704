import { paretoFront } from '../pareto/index.js';
import { genomeAt } from './algorithms.js';
import { problemFromData, threadsForJob, type ProblemData } from './pool.js';
import { startWorkers } from './workers.js';
import { evaluateGenome, type Problem } from './problem.js';

/**
 * Exhaustive evaluation of a whole space for its Pareto front, streaming: designs are evaluated
 * in chunks of consecutive indices (mixed radix, last parameter fastest, as the exhaustive
 * algorithm orders them) and only the running front of the feasible designs is kept, so memory
 * does not grow with the space. What `runSearch` with `exhaustive` finds, without storing every
 * evaluation: for spaces too large to keep, or to get the true front fast.
 */
export interface SweepOptions {
  workers: number;
  /** Designs per message to a worker (default 4096). */
  chunk?: number;
  onProgress?: (p: { evaluated: number; total: number; frontSize: number }) => void;
}

export interface SweepPoint {
  index: number;
  key: string;
  /** Minimization form, as in PointResult. */
  objectives: number[];
  /** Designs evaluated after this one with the same objectives, left off the front for it. */
  twins: number;
}

export interface SweepResult {
  evaluated: number;
  feasible: number;
  /** Designs that failed validation (no metrics). */
  invalid: number;
  /** The feasible non-dominated designs, by index: of designs with identical objectives, the first. */
  front: SweepPoint[];
  /** Per objective, the worst value of a feasible design (minimization form); empty when none is feasible. */
  worst: number[];
}

/** What a chunk of designs came to. */
export interface ChunkReport {
  evaluated: number;
  feasible: number;
  invalid: number;
  worst: number[];
}

/**
 * The non-dominated points of `points` (in index order), one per objective vector: the first
 * (lowest index); the others with its objectives are counted in its `twins`. A space where a
 * parameter changes no objective would otherwise keep every variant of a design, and a front of
 * 20,000 designs of one objective vector grows without bound in memory and in the output.
 */
export function distinctFront(points: SweepPoint[]): SweepPoint[] {
  const kept = paretoFront(points.map((p) => p.objectives), { oneOfIdentical: true }).map((i) => points[i]);
  if (kept.length === points.length) return kept;
  const byVector = new Map(kept.map((p) => [p.objectives.join(','), p]));
  const isKept = new Set(kept);
  for (const p of points) {
    const first = isKept.has(p) ? undefined : byVector.get(p.objectives.join(','));
    if (first) first.twins += 1 + p.twins;
  }
  return kept;
}

/** Keeps the non-dominated points of everything added (added in index order), one per objective vector. */
export class FrontKeeper {
  points: SweepPoint[] = [];
  private pending: SweepPoint[] = [];

  add(p: SweepPoint): void {
    this.pending.push(p);
    if (this.pending.length >= 4096) this.flush();
  }

  flush(): SweepPoint[] {
    if (this.pending.length > 0) {
      this.points = distinctFront([...this.points, ...this.pending]);
      this.pending = [];
    }
    return this.points;
  }
}

/** Evaluates designs from..to-1 of a problem's space into a front keeper. */
export function sweepRange(problem: Problem, from: number, to: number, keeper: FrontKeeper): ChunkReport {
  const r: ChunkReport = { evaluated: 0, feasible: 0, invalid: 0, worst: [] };
  for (let i = from; i < to; i++) {
    const g = genomeAt(problem.space, i);
    const p = evaluateGenome(problem, g);
    r.evaluated++;
    if (p.metrics === null) r.invalid++;
    if (!p.feasible) continue;
    r.feasible++;
    p.objectives.forEach((v, j) => (r.worst[j] = r.worst[j] === undefined ? v : Math.max(r.worst[j], v)));
    keeper.add({ index: i, key: p.key, objectives: p.objectives, twins: 0 });
  }
  return r;
}

/** Adds a chunk's counts and worst values into a sweep's result. */
export function tallyChunk(result: SweepResult, r: ChunkReport): void {
  result.evaluated += r.evaluated;
  result.feasible += r.feasible;
  result.invalid += r.invalid;
  r.worst.forEach((v, j) => (result.worst[j] = result.worst[j] === undefined ? v : Math.max(result.worst[j], v)));
}

/** The front of the union of the fronts of parts of a space (worker threads, or distributed shards), in index order. */
export function mergeFronts(fronts: SweepPoint[][]): SweepPoint[] {
  return distinctFront(fronts.flat().sort((a, b) => a.index - b.index));
}

export async function sweepSpace(data: ProblemData, opts: SweepOptions): Promise<SweepResult> {
  const problem = problemFromData(data);
  const total = problem.space.size;
  const chunk = Math.max(1, opts.chunk ?? 4096);
  const result: SweepResult = { evaluated: 0, feasible: 0, invalid: 0, front: [], worst: [] };
  const tally = (r: ChunkReport) => tallyChunk(result, r);
  const threads = threadsForJob(opts.workers, total);
  if (threads <= 1) {
    const keeper = new FrontKeeper();
    for (let from = 0; from < total; from += chunk) {
      tally(sweepRange(problem, from, Math.min(total, from + chunk), keeper));
      opts.onProgress?.({ evaluated: result.evaluated, total, frontSize: keeper.flush().length });
    }
    result.front = keeper.flush();
    return result;
  }
  const workers = startWorkers('sweep-worker.js', threads, data);
  let next = 0;
  const fronts: SweepPoint[][] = [];
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= total) {
                w.postMessage({ done: true });
                return;
              }
              const from = next;
              next = Math.min(total, next + chunk);
              w.postMessage({ from, to: next });
            };
            w.on('message', (m: { report?: ChunkReport; front?: SweepPoint[]; error?: string }) => {
              if (m.error) return reject(new Error(m.error));
              if (m.front) {
                fronts.push(m.front);
                return resolve();
              }
              tally(m.report!);
              opts.onProgress?.({ evaluated: result.evaluated, total, frontSize: 0 });
              send();
            });
            w.on('error', reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  result.front = mergeFronts(fronts);
  return result;
}
