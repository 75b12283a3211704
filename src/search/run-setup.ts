import { ChipdseError } from '../errors.js';
import type { Setting } from '../io/settings.js';
import type { AlgorithmName, RunRow } from '../results/run.js';
import type { RunStore } from '../store/store.js';
import { TOOL_VERSION } from '../version.js';
import type { Workload } from '../workload/workload.js';
import { populationFor } from './algorithms.js';
import { checkDuration, type Estimate } from './estimate.js';
import { evaluateReferenceChips } from './reference-chips.js';
import { resumeConflictError, resumeConflicts, type AskedSettings } from './resume-check.js';
import { loadSearchWorkloads } from './search-workloads.js';
import { loadSpace, parseSpace, selfContained, type Space } from './space.js';

/** A run's settings before its loop starts: a new run's from the options and the space file, a resumed run's as stored. */

/** Designs a search with no --budget evaluates, unless it is exhaustive (which evaluates the whole space). */
export const DEFAULT_BUDGET = 1000;
export const DEFAULT_SEED = 1;

/**
 * The designs a new run will evaluate: what was asked (exhaustive: the whole space when nothing
 * was), never more than the space holds, so progress counts against what will actually run.
 */
export function budgetFor(algorithm: AlgorithmName, asked: number | undefined, spaceSize: number): number {
  return Math.min(asked ?? (algorithm === 'exhaustive' ? spaceSize : DEFAULT_BUDGET), spaceSize);
}

export interface RunSetup {
  space: Space;
  workloads: Workload[];
  runId: number;
  reference: number[] | null;
  algorithm: AlgorithmName;
  seed: number;
  budget: number;
  population: number;
}

/** What setting up a run needs of the search's options. */
export interface SetupOptions extends AskedSettings {
  /** Where runs are stored: a SQLite file, or `memory:` (see openStore). */
  db: string;
  run: string;
  /** Workload references; empty: the space's own list. */
  workloads: string[];
  workers: number;
  /** Chips drawn beside the run's designs, evaluated when the run is created: presets or design files (default: every preset). */
  referenceChips?: string[];
  /** `--set` fields written into the space's base design of a new run (stored with it, so a resume keeps them). */
  designSet?: readonly Setting[];
  /** Start a run estimated to take more than an hour (see estimate.ts). */
  allowLong?: boolean;
  /** The estimate of a run large enough to be timed. */
  onEstimate?: (e: Estimate) => void;
}

/** The designs a run will still evaluate: its budget, or the space when smaller, less those it holds. */
function plannedDesigns(space: Space, budget: number, evaluated: number): number {
  return Math.max(0, Math.min(budget, space.size) - evaluated);
}

/** The stored run a resume continues; settings asked for that differ from the stored ones are refused. */
export async function runToResume(store: RunStore, o: SetupOptions): Promise<RunRow> {
  const existing = await store.getRun(o.run);
  if (!existing) throw new ChipdseError(`${o.db}: no run named "${o.run}" to resume (chipdse runs --db ${o.db} lists them)`);
  const conflicts = resumeConflicts(existing, o);
  if (conflicts.length > 0) throw resumeConflictError(o.db, existing, conflicts);
  return existing;
}

/** A stopped or killed run, set up to continue exactly where it was stored. */
export function resumedSetup(o: SetupOptions, existing: RunRow): RunSetup {
  // Another version's model may score designs differently: a resumed run would mix the two.
  if (existing.toolVersion !== TOOL_VERSION) throw new ChipdseError(`${o.db}: run "${o.run}" was stored by chipdse ${existing.toolVersion} and this is ${TOOL_VERSION}, whose model may score designs differently; resuming would mix the two, so start a new run (another --run name)`);
  const space = parseSpace(JSON.parse(existing.spaceJson), `run ${o.run} space`, process.cwd());
  const workloads = loadSearchWorkloads(space, existing.workloads, `run ${o.run}: workloads`);
  const { algorithm, seed, budget, population, id: runId, reference } = existing;
  const estimate = checkDuration({ space, workloads }, plannedDesigns(space, budget, existing.evaluations), { workers: o.workers, allowLong: o.allowLong, what: `run "${o.run}"` });
  if (estimate) o.onEstimate?.(estimate);
  return { space, workloads, runId, reference, algorithm, seed, budget, population };
}

/** A new run: checked (its space, workloads, and its length), then created in the store with its reference chips. */
export async function newRun(store: RunStore, o: SetupOptions, now: string): Promise<RunSetup> {
  if (await store.getRun(o.run)) throw new ChipdseError(`${o.db}: a run named "${o.run}" exists; give --resume to continue it or another --run`);
  if (o.space === undefined || o.space === '') throw new ChipdseError('a new search needs a space (--space)');
  const space = loadSpace(o.space, o.designSet);
  const workloadRefs = o.workloads.length > 0 ? o.workloads : space.defaultWorkloads;
  // Where the workloads came from, for errors: the command line or the space file's "workloads".
  const workloads = loadSearchWorkloads(space, workloadRefs, o.workloads.length > 0 ? '--workload' : `${space.file}: workloads`);
  const algorithm = o.algorithm ?? 'nsga2';
  const budget = budgetFor(algorithm, o.budget, space.size);
  const seed = o.seed ?? DEFAULT_SEED;
  const population = o.population ?? populationFor(algorithm, budget);
  const estimate = checkDuration({ space, workloads }, plannedDesigns(space, budget, 0), { workers: o.workers, allowLong: o.allowLong, what: space.file });
  if (estimate) o.onEstimate?.(estimate);
  const references = evaluateReferenceChips(workloads, o.referenceChips);
  const reference = space.reference ?? null;
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
    },
    now,
    references,
  );
  return { space, workloads, runId, reference, algorithm, seed, budget, population };
}
