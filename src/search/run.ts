import { ChipdseError } from '../errors.js';
import { hypervolume, paretoFront } from '../pareto/index.js';
import { genomeOfKey, type PointResult, type StoredPoint } from '../results/point.js';
import type { AlgorithmName, GenerationStats, Progress } from '../results/run.js';
import { holderAlive, RunBusyError } from '../store/claims.js';
import { openStore } from '../store/open.js';
import type { RunStore } from '../store/store.js';
import { TOOL_VERSION } from '../version.js';
import type { Workload } from '../workload/workload.js';
import { archived, makeAlgorithm, type Archive, type ArchivedPoint } from './algorithms.js';
import { designDetail } from './details.js';
import { EvaluationStopped } from '../queue/client.js';
import { distributedUrl, RemoteEvaluator, type DesignEvaluator, type DistributeOptions } from './coordinator.js';
import { EvaluatorPool } from './pool.js';
import { evaluateReferenceChips } from './reference-chips.js';
import { deriveReference, referenceToMin } from './reference-point.js';
import { makeRng } from './rng.js';
import { changedInputs, changedInputsNotice, runInputs, storedProblem } from './run-inputs.js';
import { loadSearchWorkloads } from './search-workloads.js';
import { loadSpace, selfContained, type Space } from './space.js';
import { checkWorkers } from './workers.js';

export type { Progress };

export interface SearchOptions {
  space: string;
  workloads: string[];
  algorithm: AlgorithmName;
  budget: number;
  population: number;
  seed: number;
  workers: number;
  /** Where runs are stored: a SQLite file, or `memory:` (see openStore). */
  db: string;
  run: string;
  resume: boolean;
  /** Chips drawn beside the run's designs, evaluated when the run is created: presets or design files (default: every preset). */
  referenceChips?: string[];
  onGeneration?: (p: Progress) => void;
  /** Checked after each generation is stored: true stops the run cleanly (SIGINT). */
  shouldStop?: () => boolean;
  /** One-line notes for the user (a resumed run whose input files changed since). */
  onNotice?: (line: string) => void;
  /**
   * Evaluate on `chipdse worker` processes through the job queue of the PostgreSQL database `db`
   * names, instead of worker threads of this process (`workers` then goes unused). Same rows.
   */
  distribute?: DistributeOptions;
  now?: () => string;
}

export interface SearchSummary {
  run: string;
  status: 'done' | 'stopped';
  evaluations: number;
  generations: number;
  frontSize: number;
  hypervolume: number;
  reference: number[] | null;
}

function frontOf<T extends Pick<PointResult, 'objectives'>>(points: T[]): T[] {
  const idx = paretoFront(points.map((p) => p.objectives));
  return idx.map((i) => points[i]);
}

/** A run's settings: a new run's from the options and the space file, a resumed run's as stored. */
interface RunSetup {
  space: Space;
  workloads: Workload[];
  runId: number;
  reference: number[] | null;
  algorithm: AlgorithmName;
  seed: number;
  budget: number;
  population: number;
}

async function resumeRun(store: RunStore, o: SearchOptions): Promise<RunSetup> {
  const found = await store.getRun(o.run);
  if (!found) throw new ChipdseError(`${store.location}: no run named "${o.run}" to resume (chipdse runs --storage ${store.location} lists them)`);
  // Another version's model may score designs differently: a resumed run would mix the two.
  if (found.toolVersion !== TOOL_VERSION) throw new ChipdseError(`${store.location}: run "${o.run}" was stored by chipdse ${found.toolVersion} and this is ${TOOL_VERSION}, whose model may score designs differently; resuming would mix the two, so start a new run (another --run name)`);
  // One writer at a time: claimed before anything is read, so what is read stays the run's last word.
  await store.claimRun(found.id);
  const existing = (await store.getRun(o.run))!;
  const { space, workloads } = storedProblem(existing);
  const changed = changedInputs(existing);
  if (changed.length > 0) o.onNotice?.(changedInputsNotice(existing, changed));
  const { algorithm, seed, budget, population, id: runId, reference } = existing;
  return { space, workloads, runId, reference, algorithm, seed, budget, population };
}

async function createRun(store: RunStore, o: SearchOptions, now: string): Promise<RunSetup> {
  const taken = await store.getRun(o.run);
  if (taken) {
    const claim = await store.runClaim(taken.id);
    if (claim && holderAlive(claim)) throw new RunBusyError(store.location, o.run, claim);
    throw new ChipdseError(`${store.location}: a run named "${o.run}" exists; give --resume to continue it or another --run`);
  }
  const space = loadSpace(o.space);
  const workloadRefs = o.workloads.length > 0 ? o.workloads : space.defaultWorkloads;
  // Where the workloads came from, for errors: the command line or the space file's "workloads".
  const workloads = loadSearchWorkloads(space, workloadRefs, o.workloads.length > 0 ? '--workload' : `${space.file}: workloads`);
  const references = evaluateReferenceChips(workloads, o.referenceChips);
  const reference = space.reference ?? null;
  const { algorithm, seed, budget, population } = o;
  const runId = await store.createRun(
    {
      name: o.run,
      spaceName: space.name,
      spaceJson: JSON.stringify(selfContained(space)),
      parameters: space.parameters.map((p) => ({ name: p.name, categorical: p.categorical, values: p.values })),
      workloads: workloadRefs,
      objectives: space.objectives.map((x) => ({ metric: x.metric.label, goal: x.goal })),
      constraints: space.constraints.map((c) => c.text),
      algorithm,
      seed,
      budget,
      population,
      reference,
      toolVersion: TOOL_VERSION,
      inputs: runInputs(o.space, workloadRefs, workloads),
    },
    now,
    references,
  );
  return { space, workloads, runId, reference, algorithm, seed, budget, population };
}

/** The full evaluation of the front's designs that the store does not hold yet (for the roofline and energy-by-step charts). */
async function storeFrontDetails(store: RunStore, setup: RunSetup, front: ArchivedPoint[]): Promise<void> {
  const stored = new Set((await store.loadDetails(setup.runId)).map((d) => d.genome));
  const missing = front.filter((p) => !stored.has(p.key));
  if (missing.length > 0) await store.saveDetails(setup.runId, missing.map((p) => designDetail(setup.space, setup.workloads, genomeOfKey(p.key))));
}

/** What evaluates the run's designs: threads of this process, or workers anywhere through the queue. */
async function evaluatorFor(o: SearchOptions, setup: RunSetup): Promise<DesignEvaluator> {
  if (o.distribute) return RemoteEvaluator.start(distributedUrl(o.db), setup.runId, o.run, { ...o.distribute, shouldStop: o.shouldStop });
  return new EvaluatorPool({ spaceData: selfContained(setup.space), spaceFile: `run ${o.run} space`, workloads: setup.workloads }, o.workers);
}

export async function runSearch(o: SearchOptions): Promise<SearchSummary> {
  checkWorkers(o.workers);
  if (o.distribute) distributedUrl(o.db);
  const now = o.now ?? (() => new Date().toISOString());
  const store = await openStore(o.db);
  try {
    const setup = o.resume ? await resumeRun(store, o) : await createRun(store, o, now());
    const { space, workloads, runId, algorithm, seed, budget, population } = setup;
    let reference = setup.reference;

    const archive: Archive = new Map();
    let feasibleCount = 0;
    let generation = 0;
    let rng = makeRng(seed);
    let alg = makeAlgorithm(algorithm, space, population);
    let front: ArchivedPoint[] = [];
    if (o.resume) {
      for (const p of await store.loadEvaluations(runId)) {
        archive.set(p.key, archived(p));
        if (p.feasible) feasibleCount++;
      }
      const saved = await store.loadState(runId);
      if (saved) {
        generation = saved.generation + 1;
        rng = makeRng(seed, saved.rngState);
        alg = makeAlgorithm(algorithm, space, population, saved.state);
      }
      front = (await store.loadFront(runId)).map(archived);
    }

    const pool = await evaluatorFor(o, setup);
    const started = Date.now();
    let evaluatedHere = 0;
    let hv = 0;
    let status: 'done' | 'stopped' = 'done';
    /**
     * The next generation is proposed and sent to the workers before this one is stored, so the
     * workers evaluate while the main thread writes. The algorithm's and the generator's state are
     * taken before that proposal: what is stored with generation g is what resuming after g
     * starts from, exactly as if nothing had been proposed since.
     */
    const dispatch = (): Promise<StoredPoint[]> | undefined => {
      if (archive.size >= budget) return undefined;
      const genomes = alg.propose(archive, Math.min(population, budget - archive.size), rng);
      if (genomes.length === 0) return undefined;
      const p = pool.evaluateForStore(genomes);
      // Awaited below; until then a failure must not count as unhandled.
      p.catch(() => {});
      return p;
    };
    try {
      let pending = dispatch();
      while (pending) {
        let results: StoredPoint[];
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
        const slim = results.map(archived);
        for (const r of slim) {
          archive.set(r.key, r);
          if (r.feasible) feasibleCount++;
        }
        alg.accept(slim, archive);
        evaluatedHere += results.length;
        const feasibleNew = slim.filter((r) => r.feasible);
        if (!reference && feasibleNew.length > 0) reference = deriveReference(space, feasibleNew);
        front = frontOf([...front, ...feasibleNew]);
        hv = reference ? hypervolume(front.map((p) => p.objectives), referenceToMin(space, reference)) : 0;
        const stats: GenerationStats = { generation, evaluations: archive.size, feasibleShare: feasibleCount / archive.size, frontSize: front.length, hypervolume: hv };
        const state = alg.state();
        const rngState = rng.state();
        pending = dispatch();
        await store.saveGeneration(runId, { results, firstSeq, stats, front: front.map((p) => p.key), reference, state, rngState });
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
      }
      await storeFrontDetails(store, setup, front);
      await store.finishRun(runId, status, now());
      // After the run is marked done: a worker staging results late then finds it done and stages nothing.
      await pool.finish?.(status === 'done');
    } finally {
      await pool.close();
    }
    return { run: o.run, status, evaluations: archive.size, generations: generation, frontSize: front.length, hypervolume: hv, reference };
  } finally {
    await store.close();
  }
}
