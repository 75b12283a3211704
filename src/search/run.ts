import { hostname } from 'node:os';
import { ChipdseError } from '../errors.js';
import { hypervolume, paretoFront } from '../pareto/index.js';
import { genomeOfKey, type PointResult, type StoredPoint } from '../results/point.js';
import { StoredColumns } from '../results/stored-columns.js';
import { runNameProblem, type GenerationStats, type Progress, type RunRow } from '../results/run.js';
import { openStore } from '../store/open.js';
import type { RunStore } from '../store/store.js';
import { archived, archiveFor, makeAlgorithm, type ArchivedPoint } from './algorithms.js';
import { designDetail } from './details.js';
import { EvaluationStopped } from '../queue/client.js';
import { distributedUrl, RemoteEvaluator, type DesignEvaluator, type DistributeOptions } from './coordinator.js';
import { EvaluatorPool, MIN_DESIGNS_FOR_ONE_THREAD, threadsForJob } from './pool.js';
import { deriveReference, referenceToMin } from './reference-point.js';
import { makeRng } from './rng.js';
import { newRun, resumedSetup, runToResume, type RunSetup, type SetupOptions } from './run-setup.js';
import { selfContained, type Space } from './space.js';
import { checkWorkers } from './workers.js';

export type { Progress };

/**
 * A search to run. For a new run, `space` is required and the other settings default (nsga2,
 * budget 1000, seed 1, population `populationFor`). For a resumed run every setting is the stored
 * one: a setting given that differs from it is refused (see resume-check.ts), and a finished run
 * is reported as it stands.
 */
export interface SearchOptions extends SetupOptions {
  resume: boolean;
  onGeneration?: (p: Progress) => void;
  /** Checked after each generation is stored: true stops the run cleanly (SIGINT). */
  shouldStop?: () => boolean;
  now?: () => string;
  /**
   * Evaluate on `chipdse worker` processes through the job queue of the PostgreSQL database `db`
   * names, instead of worker threads of this process (`workers` then goes unused). Same rows.
   */
  distribute?: DistributeOptions;
}

export interface SearchSummary {
  run: string;
  status: 'done' | 'stopped';
  /** The run was done before this call (a resume of a finished run): nothing was evaluated or written. */
  alreadyDone: boolean;
  evaluations: number;
  generations: number;
  frontSize: number;
  hypervolume: number;
  reference: number[] | null;
}

/**
 * The non-dominated set of `points` (in evaluation order), one design per objective vector: of
 * designs with identical objectives only the first evaluated stays on the front (a space where a
 * parameter changes no objective would otherwise put every variant of a design on it).
 */
function frontOf<T extends Pick<PointResult, 'objectives'>>(points: T[]): T[] {
  return paretoFront(points.map((p) => p.objectives), { oneOfIdentical: true }).map((i) => points[i]);
}

/** The hypervolume of a front, refused when it is not finite (a reference point so far out that the volume overflows). */
function frontHypervolume(space: Space, front: ArchivedPoint[], reference: number[] | null): number {
  if (!reference) return 0;
  const hv = hypervolume(front.map((p) => p.objectives), referenceToMin(space, reference));
  if (!Number.isFinite(hv)) throw new ChipdseError(`${space.file}: reference: the hypervolume against [${reference.join(', ')}] is ${hv}; give a reference point nearer the designs' objectives`);
  return hv;
}

/** A finished run as it stands: nothing is evaluated or written. */
async function finishedSummary(store: RunStore, run: RunRow): Promise<SearchSummary> {
  const front = await store.loadFront(run.id);
  const last = (await store.loadGenerations(run.id)).at(-1);
  return { run: run.name, status: 'done', alreadyDone: true, evaluations: run.evaluations, generations: run.generations, frontSize: front.length, hypervolume: last?.hypervolume ?? 0, reference: run.reference };
}

/** The full evaluation of the front's designs that the store does not hold yet (for the roofline and energy-by-step charts). */
async function storeFrontDetails(store: RunStore, setup: RunSetup, front: ArchivedPoint[]): Promise<void> {
  const stored = new Set((await store.loadDetails(setup.runId)).map((d) => d.genome));
  const missing = front.filter((p) => !stored.has(p.key));
  if (missing.length > 0) await store.saveDetails(setup.runId, missing.map((p) => designDetail(setup.space, setup.workloads, genomeOfKey(p.key))));
}

/** Where a run continues from: its archive (or count, for exhaustive), front and generator, as stored. */
async function restored(store: RunStore, setup: RunSetup, o: SearchOptions) {
  const { space, runId, algorithm, seed, population } = setup;
  const resume = o.resume;
  const options = { surrogate: o.surrogate === false ? (false as const) : undefined };
  const out = { archive: archiveFor(algorithm), feasibleCount: 0, generation: 0, rng: makeRng(seed), alg: makeAlgorithm(algorithm, space, population, undefined, options), front: [] as ArchivedPoint[] };
  if (!resume) return out;
  if (algorithm === 'exhaustive') {
    // Counted, not loaded: an exhaustive run keeps no archive (see CountingArchive).
    const last = (await store.loadGenerations(runId)).at(-1);
    out.archive = archiveFor(algorithm, last?.evaluations ?? 0);
    out.feasibleCount = last ? Math.round(last.feasibleShare * last.evaluations) : 0;
  } else {
    for (const p of await store.loadEvaluations(runId)) {
      out.archive.set(p.key, archived(p));
      if (p.feasible) out.feasibleCount++;
    }
  }
  const saved = await store.loadState(runId);
  if (saved) {
    const stored = saved.state.surrogate !== false;
    if (algorithm === 'nsga2' && o.surrogate !== undefined && o.surrogate !== stored) {
      throw new ChipdseError(`${store.location}: run "${o.run}": ${o.surrogate ? '--surrogate' : '--no-surrogate'} differs from the stored run, which ${stored ? 'screens' : 'does not screen'} offspring by the surrogate; a resumed run continues as it was stored: drop it, or start a new run with another --run`);
    }
    out.generation = saved.generation + 1;
    out.rng = makeRng(seed, saved.rngState);
    out.alg = makeAlgorithm(algorithm, space, population, saved.state);
  }
  out.front = (await store.loadFront(runId)).map(archived);
  return out;
}

/**
 * What evaluates the run's designs: threads of this process (as many as the designs left to
 * evaluate pay for: threadsForJob; one of them a worker thread rather than this thread from
 * MIN_DESIGNS_FOR_ONE_THREAD designs), or workers anywhere through the queue.
 */
async function evaluatorFor(o: SearchOptions, setup: RunSetup, designsLeft: number): Promise<DesignEvaluator> {
  if (o.distribute) return RemoteEvaluator.start(distributedUrl(o.db), setup.runId, o.run, { ...o.distribute, shouldStop: o.shouldStop });
  return new EvaluatorPool({ spaceData: selfContained(setup.space), spaceFile: `run ${o.run} space`, workloads: setup.workloads }, threadsForJob(o.workers, designsLeft), designsLeft >= MIN_DESIGNS_FOR_ONE_THREAD);
}

export async function runSearch(o: SearchOptions): Promise<SearchSummary> {
  checkWorkers(o.workers);
  if (o.distribute) distributedUrl(o.db);
  const nameProblem = runNameProblem(o.run);
  if (nameProblem) throw new ChipdseError(`--run ${JSON.stringify(o.run)}: ${nameProblem}`);
  const now = o.now ?? (() => new Date().toISOString());
  const store = await openStore(o.db);
  try {
    let setup: RunSetup;
    if (o.resume) {
      const existing = await runToResume(store, o);
      if (existing.status === 'done') return await finishedSummary(store, existing);
      setup = await resumedSetup(store, o, existing);
    } else {
      setup = await newRun(store, o, now());
    }
    // Who writes the run now: `runs` tells a run whose writer died (kill -9) from one still running.
    await store.claimRun(setup.runId, { pid: process.pid, host: hostname() });
    return await searchLoop(store, o, setup, now);
  } finally {
    await store.close();
  }
}

async function searchLoop(store: RunStore, o: SearchOptions, setup: RunSetup, now: () => string): Promise<SearchSummary> {
  const { space, runId, budget, population } = setup;
  let reference = setup.reference;
  let { archive, feasibleCount, generation, rng, alg, front } = await restored(store, setup, o);
  let hv = frontHypervolume(space, front, reference);
  const pool = await evaluatorFor(o, setup, budget - archive.size);
  const form = store.packsMetrics ? 'packed' : 'json';
  const started = Date.now();
  let evaluatedHere = 0;
  let status: 'done' | 'stopped' = 'done';
  /**
   * The next generation is proposed and sent to the workers before this one is stored, so the
   * workers evaluate while the main thread writes. The algorithm's and the generator's state are
   * taken before that proposal: what is stored with generation g is what resuming after g
   * starts from, exactly as if nothing had been proposed since. An evaluator that evaluates on
   * this thread (one worker) has evaluated a generation when dispatch returns: there the next is
   * proposed after this one is stored, so that this one's rows, held while the next is
   * evaluated, are not copied by every young-generation collection that evaluation causes
   * (what a stored run with one worker spent most of its extra time on; issue 17).
   */
  const dispatch = (): Promise<StoredPoint[] | StoredColumns> | undefined => {
    if (archive.size >= budget) return undefined;
    const genomes = alg.propose(archive, Math.min(population, budget - archive.size), rng);
    if (genomes.length === 0) return undefined;
    const p = pool.evaluateForStore(genomes, form);
    // Awaited below; until then a failure must not count as unhandled.
    p.catch(() => {});
    return p;
  };
  const inline = pool.evaluatesInline === true;
  try {
    let pending = dispatch();
    while (pending) {
      let results: StoredPoint[] | StoredColumns | undefined;
      try {
        results = await pending;
      } catch (e) {
        // Asked to stop while workers evaluated: the generation is dropped, as below.
        if (!(e instanceof EvaluationStopped)) throw e;
        status = 'stopped';
        break;
      }
      pending = undefined;
      const firstSeq = archive.size;
      let slim: ArchivedPoint[] | undefined = results instanceof StoredColumns ? results.ranked() : results.map(archived);
      for (const r of slim) {
        archive.set(r.key, r);
        if (r.feasible) feasibleCount++;
      }
      alg.accept(slim, archive);
      evaluatedHere += results.length;
      let feasibleNew: ArchivedPoint[] | undefined = slim.filter((r) => r.feasible);
      if (!reference && feasibleNew.length > 0) reference = deriveReference(space, feasibleNew);
      front = frontOf([...front, ...feasibleNew]);
      hv = frontHypervolume(space, front, reference);
      const stats: GenerationStats = { generation, evaluations: archive.size, feasibleShare: feasibleCount / archive.size, frontSize: front.length, hypervolume: hv };
      const state = alg.state();
      const rngState = rng.state();
      if (!inline) pending = dispatch();
      await store.saveGeneration(runId, { results, firstSeq, stats, front: front.map((p) => p.key), reference, state, rngState });
      results = slim = feasibleNew = undefined;
      o.onGeneration?.({ ...stats, budget, evaluationsPerSec: evaluatedHere / Math.max(1e-3, (Date.now() - started) / 1000), workers: pool.workersAlive });
      generation++;
      // Let the event loop run between generations: a SIGINT handler (and anything else
      // waiting) only runs there, and with in-process evaluation nothing else yields.
      await new Promise((r) => setImmediate(r));
      if (o.shouldStop?.() && archive.size < budget) {
        // A generation already sent out is dropped: resuming proposes it again from the stored state.
        pending = undefined;
        status = 'stopped';
        break;
      }
      if (inline) pending = dispatch();
    }
    await storeFrontDetails(store, setup, front);
    await store.finishRun(runId, status, now());
    // After the run is marked done: a worker staging results late then finds it done and stages nothing.
    await pool.finish?.(status === 'done');
  } finally {
    await pool.close();
  }
  return { run: o.run, status, alreadyDone: false, evaluations: archive.size, generations: generation, frontSize: front.length, hypervolume: hv, reference };
}
