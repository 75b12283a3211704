import type { Worker } from 'node:worker_threads';
import { ChipdseError } from '../errors.js';
import { encodePoint, type MetricsForm, type PointResult, type StoredPoint } from '../results/point.js';
import type { Workload } from '../workload/workload.js';
import { evaluateGenome, type Problem } from './problem.js';
import { parseSpace } from './space.js';
import { startWorkers } from './workers.js';

/** What a worker needs to rebuild the problem: the self-contained space data and the workloads (plain data). */
export interface ProblemData {
  spaceData: unknown;
  spaceFile: string;
  workloads: Workload[];
}

export function problemFromData(d: ProblemData): Problem {
  return { space: parseSpace(d.spaceData, d.spaceFile, process.cwd()), workloads: d.workloads };
}

/**
 * Designs a thread must have to evaluate for a pool of threads to pay: starting one (loading the
 * library, rebuilding the problem) took 0.20 s before its first result, and fresh threads ran
 * their first batches at half the main thread's speed (BENCHMARKS.md, "Storage overhead"); with
 * fewer than about 2,000 designs in all, two threads were 1.6x slower than one (issue 17).
 */
export const MIN_DESIGNS_PER_THREAD = 1000;

/** Threads for a job of `designs` designs when `requested` are allowed: one per MIN_DESIGNS_PER_THREAD designs, at most `requested`. Results do not depend on it. */
export function threadsForJob(requested: number, designs: number): number {
  return Math.max(1, Math.min(requested, Math.floor(designs / MIN_DESIGNS_PER_THREAD)));
}

/**
 * Evaluates batches of genomes on worker threads. A batch is cut into contiguous slices, one per
 * worker, and the results are put back in order, so the outcome does not depend on the worker count.
 */
export class EvaluatorPool {
  private workers: Worker[] = [];
  private local: Problem | undefined;

  constructor(data: ProblemData, readonly size: number) {
    if (size <= 1) {
      this.local = problemFromData(data);
      return;
    }
    this.workers = startWorkers('worker.js', size, data);
  }

  async evaluate(genomes: number[][]): Promise<PointResult[]> {
    if (this.local) return genomes.map((g) => evaluateGenome(this.local!, g));
    return this.spread<PointResult>(genomes, false);
  }

  /**
   * The same, encoded for the store by the workers (parameters as JSON, metrics as JSON or packed:
   * `form`): what a search stores, without the main thread receiving and serializing every metric.
   */
  async evaluateForStore(genomes: number[][], form: MetricsForm = 'json'): Promise<StoredPoint[]> {
    if (this.local) return genomes.map((g) => encodePoint(evaluateGenome(this.local!, g), form));
    return this.spread<StoredPoint>(genomes, form);
  }

  private async spread<T>(genomes: number[][], encode: MetricsForm | false): Promise<T[]> {
    const per = Math.ceil(genomes.length / this.workers.length);
    const slices = this.workers.map((_, i) => genomes.slice(i * per, (i + 1) * per));
    const parts = await Promise.all(slices.map((s, i) => (s.length ? this.run<T>(this.workers[i], s, encode) : Promise.resolve([]))));
    return parts.flat();
  }

  private run<T>(w: Worker, genomes: number[][], encode: MetricsForm | false): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { results?: T[]; error?: string; userError?: boolean }) => {
        w.off('error', onError);
        if (m.error) reject(m.userError ? new ChipdseError(m.error) : new Error(m.error));
        else resolve(m.results!);
      };
      const onError = (e: Error) => {
        w.off('message', onMessage);
        reject(e);
      };
      w.once('message', onMessage);
      w.once('error', onError);
      w.postMessage({ genomes, encode });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
