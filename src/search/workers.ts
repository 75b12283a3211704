import { ChipdseError } from '../errors.js';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The worker scripts of this folder, by file name. */
export type WorkerScript = 'worker.js' | 'sweep-worker.js';

/**
 * A worker script's path. Under ts-jest this module runs from src/search/, where there is no
 * JavaScript: the workers then run from the build (dist/search/).
 */
export function workerScriptPath(script: WorkerScript): string {
  const here = fileURLToPath(new URL(`./${script}`, import.meta.url));
  return existsSync(here) ? here : here.replace(/([\\/])src([\\/])search([\\/])([\w-]+\.js)$/, '$1dist$2search$3$4');
}

/**
 * Threads actually started for `requested` workers: no more than the machine runs at once (at least
 * 4, so small machines still run a parallel pool), since evaluations are CPU-bound and each thread
 * holds its own copy of the problem. Results do not depend on it.
 */
export function threadCount(requested: number): number {
  return Math.max(1, Math.min(requested, Math.max(4, availableParallelism())));
}

/** Starts the threads for `requested` workers, each given `data`. */
export function startWorkers(script: WorkerScript, requested: number, data: unknown): Worker[] {
  const path = workerScriptPath(script);
  if (!existsSync(path)) throw new Error(`worker script ${path} not found: run npm run build`);
  return Array.from({ length: threadCount(requested) }, () => new Worker(path, { workerData: data }));
}

/** An absurd --workers is an error; a merely large one is cut to the machine (see threadCount). */
export const MAX_WORKERS = 1024;

export function checkWorkers(workers: number): void {
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) throw new ChipdseError(`--workers: expected a whole number from 1 to ${MAX_WORKERS}, got ${workers}`);
}
