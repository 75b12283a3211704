import type { Worker } from 'node:worker_threads';
import { ChipdseError } from '../errors.js';
import { encodePoint, type MetricsForm, type PointResult, type StoredPoint } from '../results/point.js';
import type { Workload } from '../workload/workload.js';
import { evaluateGenome, type Problem } from './problem.js';
import { parseSpace, type Space } from './space.js';
import { finiteJson } from '../results/finite.js';
import { ColumnsBuilder, fromColumns, StoredColumns, type ColumnsPart, type StoredBatch } from './stored-batch.js';
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
 * The JSON of a genome's parameters (what finiteJson(genomeParams(space, genome)) writes) from
 * text made once per parameter value: writing every design's parameters number by number was a
 * tenth of what storing a design costs on top of evaluating it. Undefined for a space whose
 * parameter names JavaScript would not keep in order (an integer-like name) or would drop
 * (`__proto__`): those are written as before.
 */
export function paramsJsonOf(space: Space): ((genome: readonly number[]) => string) | undefined {
  const names = space.parameters.map((p) => p.name);
  if (names.some((n) => /^(0|[1-9]\d*)$/.test(n) || n === '__proto__') || new Set(names).size !== names.length) return undefined;
  const parts = space.parameters.map((p) => p.values.map((v) => finiteJson({ [p.name]: v }, 'params').slice(1, -1)));
  // Joined, not concatenated: a flat string, where += would leave a rope of one node per
  // parameter for the garbage collector to copy while the generation waits to be written.
  const chosen = new Array<string>(parts.length);
  return (genome) => {
    for (let i = 0; i < genome.length; i++) chosen[i] = parts[i][genome[i]];
    return `{${chosen.join(',')}}`;
  };
}

/** Evaluates a genome and encodes it for the store (see encodePoint). */
export function storeEncoder(problem: Problem): (genome: number[], form: MetricsForm) => StoredPoint {
  const params = paramsJsonOf(problem.space);
  return (genome, form) => encodePoint(evaluateGenome(problem, genome), form, params?.(genome));
}

/**
 * Evaluates genomes into columns for a store that packs metrics (see stored-columns.ts): nothing
 * of a design but its columns' values outlives its evaluation. Undefined when the designs do not
 * fit columns (objectives of different lengths): they are then encoded one by one (storeEncoder).
 */
export function columnsEncoder(problem: Problem): (genomes: number[][]) => ReturnType<ColumnsBuilder['finish']> | undefined {
  const params = paramsJsonOf(problem.space);
  return (genomes) => {
    const b = new ColumnsBuilder(genomes.length);
    for (const g of genomes) {
      const p = evaluateGenome(problem, g);
      if (!b.add(p, params?.(g) ?? finiteJson(p.params, 'params'))) return undefined;
    }
    return b.finish();
  };
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
 * Designs from which a stored run allowed one worker evaluates on a worker thread rather than on
 * the main thread: the main thread then writes a generation's rows while the thread evaluates the
 * next, and its heap holds no evaluation's garbage. A 10^6-design stored exhaustive run took 13.76
 * and 12.53 s of CPU so against 16.18 and 15.64 on the main thread, in 19.0 and 9.7 s against
 * 20.2 and 20.2 (bench/NOTES.md, "Stored runs within 2x of the sweep's CPU"). Measured at that
 * size only: starting the thread costs about 0.2 s, so small runs stay on the main thread.
 */
export const MIN_DESIGNS_FOR_ONE_THREAD = 100_000;

/**
 * Genomes of one length as one typed array, for a worker (moved, not copied): structured cloning
 * of an array of arrays cost the main thread about as much as writing the rows of a stored run.
 */
export interface GenomeBatch {
  values: Int32Array;
  width: number;
}

export function flattenGenomes(genomes: readonly (readonly number[])[]): GenomeBatch {
  const width = genomes.length > 0 ? genomes[0].length : 0;
  const values = new Int32Array(genomes.length * width);
  genomes.forEach((g, i) => {
    if (g.length !== width) throw new Error(`genomes of different lengths in one batch (${width} and ${g.length})`);
    values.set(g, i * width);
  });
  return { values, width };
}

export function unflattenGenomes(b: GenomeBatch): number[][] {
  const n = b.width === 0 ? 0 : b.values.length / b.width;
  return Array.from({ length: n }, (_, i) => Array.from(b.values.subarray(i * b.width, (i + 1) * b.width)));
}

/**
 * Evaluates batches of genomes on worker threads. A batch is cut into contiguous slices, one per
 * worker, and the results are put back in order, so the outcome does not depend on the worker count.
 */
export class EvaluatorPool {
  private workers: Worker[] = [];
  private local: Problem | undefined;
  private encode: ReturnType<typeof storeEncoder> | undefined;
  private columns: ReturnType<typeof columnsEncoder> | undefined;

  /** `oneThread`: a pool of size 1 evaluates on a worker thread instead of the calling thread. */
  constructor(data: ProblemData, readonly size: number, oneThread = false) {
    if (size <= 1 && !oneThread) {
      this.local = problemFromData(data);
      return;
    }
    this.workers = startWorkers('worker.js', size, data);
  }

  /** One thread: the designs are evaluated on the calling thread, before evaluateForStore returns. */
  get evaluatesInline(): boolean {
    return this.local !== undefined;
  }

  async evaluate(genomes: number[][]): Promise<PointResult[]> {
    if (this.local) return genomes.map((g) => evaluateGenome(this.local!, g));
    return this.spread<PointResult>(genomes, false);
  }

  /**
   * The same, encoded for the store by the workers (parameters as JSON, metrics as JSON or packed:
   * `form`): what a search stores, without the main thread receiving and serializing every metric.
   * Packed, they come as columns (StoredColumns) when they fit them.
   */
  async evaluateForStore(genomes: number[][], form: MetricsForm = 'json'): Promise<StoredPoint[] | StoredColumns> {
    if (this.local) {
      if (form === 'packed') {
        this.columns ??= columnsEncoder(this.local);
        const c = this.columns(genomes);
        if (c) return new StoredColumns([{ batch: c.batch, genomes }]);
      }
      this.encode ??= storeEncoder(this.local);
      return genomes.map((g) => this.encode!(g, form));
    }
    const parts = await this.spread<StoredPoint | ColumnsPart>(genomes, form);
    if (parts.every((p) => 'batch' in p)) return new StoredColumns(parts as ColumnsPart[]);
    return parts.flatMap((p) => ('batch' in p ? fromColumns(p.batch, p.genomes) : [p]));
  }

  /** Results in order; a worker that answers with columns gives one ColumnsPart for its slice. */
  private async spread<T>(genomes: number[][], encode: MetricsForm | false): Promise<T[]> {
    const per = Math.ceil(genomes.length / this.workers.length);
    const slices = this.workers.map((_, i) => genomes.slice(i * per, (i + 1) * per));
    const parts = await Promise.all(slices.map((s, i) => (s.length ? this.run<T>(this.workers[i], s, encode) : Promise.resolve([]))));
    return parts.flat();
  }

  private run<T>(w: Worker, genomes: number[][], encode: MetricsForm | false): Promise<T[]> {
    const batch = flattenGenomes(genomes);
    return new Promise((resolve, reject) => {
      const onMessage = (m: { results?: { genome: number[] }[]; columns?: StoredBatch; error?: string; userError?: boolean }) => {
        w.off('error', onError);
        if (m.error) reject(m.userError ? new ChipdseError(m.error) : new Error(m.error));
        else if (m.columns) resolve([{ batch: m.columns, genomes } as T]);
        else {
          // The worker leaves the genomes out of its answer: they are these, in this order.
          const results = m.results!;
          for (let i = 0; i < results.length; i++) results[i].genome = genomes[i];
          resolve(results as T[]);
        }
      };
      const onError = (e: Error) => {
        w.off('message', onMessage);
        reject(e);
      };
      w.once('message', onMessage);
      w.once('error', onError);
      w.postMessage({ batch, encode }, [batch.values.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
