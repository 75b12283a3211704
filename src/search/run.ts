import { ChipdseError, ValidationError } from '../errors.js';
import { hypervolume, paretoFront } from '../pareto/index.js';
import { RunStore, type GenerationStats } from '../store/sqlite.js';
import { loadWorkload } from '../workload/load.js';
import type { Workload } from '../workload/workload.js';
import { TOOL_VERSION } from '../version.js';
import { archived, makeAlgorithm, type AlgorithmName, type Archive, type ArchivedPoint } from './algorithms.js';
import type { StoredPoint } from '../store/encode.js';
import { EvaluatorPool, type ProblemData } from './pool.js';
import type { PointResult } from './problem.js';
import { makeRng } from './rng.js';
import { loadSpace, parseSpace, type Space } from './space.js';

export interface SearchOptions {
  space: string;
  workloads: string[];
  algorithm: AlgorithmName;
  budget: number;
  population: number;
  seed: number;
  workers: number;
  db: string;
  run: string;
  resume: boolean;
  onGeneration?: (p: Progress) => void;
  /** Checked after each generation is stored: true stops the run cleanly (SIGINT). */
  shouldStop?: () => boolean;
  now?: () => string;
}

export interface Progress {
  generation: number;
  evaluations: number;
  budget: number;
  feasibleShare: number;
  hypervolume: number;
  frontSize: number;
  evaluationsPerSec: number;
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

/** Objective values in minimization form for a reference point given in objective units. */
export function referenceToMin(space: Space, ref: number[]): number[] {
  return ref.map((r, i) => (space.objectives[i].goal === 'max' ? -r : r));
}

/**
 * A reference point when the space names none: per objective, the worst feasible value of the
 * first generation with feasible designs, pushed out by 10% of the range seen (or of the value).
 * It is stored with the run, so every later hypervolume of the run uses the same point.
 */
export function deriveReference(space: Space, feasible: Pick<PointResult, 'objectives'>[]): number[] {
  return space.objectives.map((o, i) => {
    const vs = feasible.map((p) => p.objectives[i]);
    const minForm = pushedOut(Math.max(...vs), Math.min(...vs));
    return o.goal === 'max' ? -minForm : minForm;
  });
}

/** A reference value (minimization form): the worst value pushed out by 10% of its range to the best (or of itself). */
export function pushedOut(worst: number, best: number): number {
  return worst + 0.1 * (worst - best || Math.abs(worst) || 1);
}

/** The space's file with its base design inlined: a run stores this, so it can be resumed or replayed exactly. */
export function selfContained(space: Space): Record<string, unknown> {
  return { ...space.raw, base: space.base.data };
}

function frontOf<T extends Pick<PointResult, 'objectives'>>(points: T[]): T[] {
  const idx = paretoFront(points.map((p) => p.objectives));
  return idx.map((i) => points[i]);
}

/** An absurd --workers is an error; a merely large one is cut to the machine (see EvaluatorPool). */
export const MAX_WORKERS = 1024;

export function checkWorkers(workers: number): void {
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) throw new ChipdseError(`--workers: expected a whole number from 1 to ${MAX_WORKERS}, got ${workers}`);
}

/**
 * Objectives and constraints that name one workload (`WORKLOAD:metric`) must name one of the
 * search's workloads: checked before the run is created, so a typo leaves no empty run behind.
 */
function checkMetricWorkloads(space: Space, workloads: string[]): void {
  const refs = [
    ...space.objectives.map((x, i) => ({ at: `objectives[${i}].metric`, m: x.metric })),
    ...space.constraints.map((c, i) => ({ at: `constraints[${i}]`, m: c.metric })),
  ];
  const issues = refs
    .filter((r) => r.m.workload !== undefined && !workloads.includes(r.m.workload))
    .map((r) => `${space.file}: ${r.at}: no workload named "${r.m.workload}" in this search (${workloads.join(', ')})`);
  if (issues.length > 0) throw new ChipdseError(issues.join('\n'));
}

/**
 * The workloads of a search, loaded: `origin` says where the list came from, for errors (the
 * space file's "workloads", the command line, a stored run). Names must be unique, and metrics
 * that name a workload must name one of them.
 */
export function loadSearchWorkloads(space: Space, refs: string[], origin: string): Workload[] {
  if (refs.length === 0) throw new ChipdseError(`${space.file}: no workloads: give --workload or list them in the space's "workloads"`);
  const workloads = refs.map((w, i) => {
    try {
      return loadWorkload(w);
    } catch (e) {
      if (!(e instanceof ChipdseError) || e instanceof ValidationError) throw e;
      throw new ChipdseError(e.message.split('\n').map((l) => `${origin}[${i}]: ${l}`).join('\n'));
    }
  });
  const names = new Set<string>();
  for (const w of workloads) {
    if (names.has(w.name)) throw new ChipdseError(`${origin}: workload "${w.name}" is given twice`);
    names.add(w.name);
  }
  checkMetricWorkloads(space, [...names]);
  return workloads;
}

export async function runSearch(o: SearchOptions): Promise<SearchSummary> {
  checkWorkers(o.workers);
  const now = o.now ?? (() => new Date().toISOString());
  const store = new RunStore(o.db);
  try {
    let space: Space;
    let workloadRefs: string[];
    let runId: number;
    let reference: number[] | null;
    let algorithm = o.algorithm;
    let seed = o.seed;
    let budget = o.budget;
    let population = o.population;
    const existing = store.getRun(o.run);
    if (o.resume) {
      if (!existing) throw new ChipdseError(`${o.db}: no run named "${o.run}" to resume (chipdse runs --db ${o.db} lists them)`);
      // Another version's model may score designs differently: a resumed run would mix the two.
      if (existing.toolVersion !== TOOL_VERSION) throw new ChipdseError(`${o.db}: run "${o.run}" was stored by chipdse ${existing.toolVersion} and this is ${TOOL_VERSION}, whose model may score designs differently; resuming would mix the two, so start a new run (another --run name)`);
      space = parseSpace(JSON.parse(existing.spaceJson), `run ${o.run} space`, process.cwd());
      workloadRefs = existing.workloads;
      ({ algorithm, seed, budget, population } = existing as unknown as { algorithm: AlgorithmName; seed: number; budget: number; population: number });
      runId = existing.id;
      reference = existing.reference;
    } else {
      if (existing) throw new ChipdseError(`${o.db}: a run named "${o.run}" exists; give --resume to continue it or another --run`);
      space = loadSpace(o.space);
      workloadRefs = o.workloads.length > 0 ? o.workloads : space.defaultWorkloads;
      reference = space.reference ?? null;
      runId = -1;
    }
    // Where the workloads came from, for errors: the space file's "workloads", the command line, or the stored run.
    const origin = o.resume ? `run ${o.run}: workloads` : o.workloads.length > 0 ? '--workload' : `${space.file}: workloads`;
    const workloads = loadSearchWorkloads(space, workloadRefs, origin);
    const spaceData = selfContained(space);
    if (!o.resume) {
      runId = store.createRun(
        {
          name: o.run,
          spaceName: space.name,
          spaceJson: JSON.stringify(spaceData),
          workloads: workloadRefs,
          objectives: space.objectives.map((x) => ({ metric: x.metric.label, goal: x.goal })),
          constraints: space.constraints.map((c) => c.text),
          algorithm,
          seed,
          budget,
          population,
          reference,
          toolVersion: TOOL_VERSION,
        },
        now(),
      );
    }

    const archive: Archive = new Map();
    let feasibleCount = 0;
    let generation = 0;
    let rng = makeRng(seed);
    let alg = makeAlgorithm(algorithm, space, population);
    let front: ArchivedPoint[] = [];
    if (o.resume) {
      for (const p of store.loadEvaluations(runId)) {
        archive.set(p.key, archived(p));
        if (p.feasible) feasibleCount++;
      }
      const saved = store.loadState(runId);
      if (saved) {
        generation = saved.generation + 1;
        rng = makeRng(seed, saved.rngState);
        alg = makeAlgorithm(algorithm, space, population, saved.state);
      }
      front = store.loadFront(runId).map(archived);
    }

    const data: ProblemData = { spaceData, spaceFile: `run ${o.run} space`, workloads };
    const pool = new EvaluatorPool(data, o.workers);
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
        const results = await pending;
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
        store.saveGeneration(runId, { results, firstSeq, stats, front: front.map((p) => p.key), reference, state, rngState });
        o.onGeneration?.({ ...stats, budget, evaluationsPerSec: evaluatedHere / Math.max(1e-3, (Date.now() - started) / 1000) });
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
    } finally {
      await pool.close();
    }
    store.finishRun(runId, status, now());
    return { run: o.run, status, evaluations: archive.size, generations: generation, frontSize: front.length, hypervolume: hv, reference };
  } finally {
    store.close();
  }
}
