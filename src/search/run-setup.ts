import { ChipdseError } from '../errors.js';
import type { Setting } from '../io/settings.js';
import type { AlgorithmName, RunRow } from '../results/run.js';
import { holderAlive, RunBusyError, thisHolder } from '../store/claims.js';
import type { RunStore } from '../store/store.js';
import { TOOL_VERSION } from '../version.js';
import type { Workload } from '../workload/workload.js';
import { populationFor } from './algorithms.js';
import { checkDuration, type Estimate } from './estimate.js';
import { evaluateReferenceChips } from './reference-chips.js';
import { resumeConflictError, resumeConflicts, type AskedSettings } from './resume-check.js';
import { changedInputs, changedInputsNotice, runInputs, storedProblem } from './run-inputs.js';
import { loadSearchWorkloads } from './search-workloads.js';
import { loadSpace, selfContained, type Space } from './space.js';

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
  /**
   * nsga2: false to propose plain offspring, without the surrogate's pre-screening (a new run;
   * a resumed run screens as it was stored, and refuses a value that differs).
   */
  surrogate?: boolean;
  /** One-line notes for the user (a resumed run whose input files changed since). */
  onNotice?: (line: string) => void;
}

/** The designs a run will still evaluate: its budget, or the space when smaller, less those it holds. */
function plannedDesigns(space: Space, budget: number, evaluated: number): number {
  return Math.max(0, Math.min(budget, space.size) - evaluated);
}

/** The stored run a resume continues; settings asked for that differ from the stored ones are refused. */
export async function runToResume(store: RunStore, o: SetupOptions): Promise<RunRow> {
  const existing = await store.getRun(o.run);
  if (!existing) throw new ChipdseError(`${store.location}: no run named "${o.run}" to resume (chipdse runs --storage ${store.location} lists them)`);
  const conflicts = resumeConflicts(existing, o);
  if (conflicts.length > 0) throw resumeConflictError(store.location, existing, conflicts);
  return existing;
}

/**
 * A stopped or killed run, set up to continue exactly where it was stored: this handle becomes its
 * one writer first (so what is read next is the run's last word), then the run's own space and
 * workloads are taken as it stored them, with one line naming input files changed since.
 */
export async function resumedSetup(store: RunStore, o: SetupOptions, found: RunRow): Promise<RunSetup> {
  // Another version's model may score designs differently: a resumed run would mix the two.
  if (found.toolVersion !== TOOL_VERSION) throw new ChipdseError(`${store.location}: run "${o.run}" was stored by chipdse ${found.toolVersion} and this is ${TOOL_VERSION}, whose model may score designs differently; resuming would mix the two, so start a new run (another --run name)`);
  await store.claimRun(found.id, thisHolder());
  const existing = (await store.getRun(o.run))!;
  const { space, workloads } = storedProblem(existing);
  const changed = changedInputs(existing);
  if (changed.length > 0) o.onNotice?.(changedInputsNotice(existing, changed));
  const { algorithm, seed, budget, population, id: runId, reference } = existing;
  const estimate = checkDuration({ space, workloads }, plannedDesigns(space, budget, existing.evaluations), { workers: o.workers, allowLong: o.allowLong, what: `run "${o.run}"` });
  if (estimate) o.onEstimate?.(estimate);
  return { space, workloads, runId, reference, algorithm, seed, budget, population };
}

/** A new run: checked (its space, workloads, and its length), then created in the store with its reference chips. */
export async function newRun(store: RunStore, o: SetupOptions, now: string): Promise<RunSetup> {
  const taken = await store.getRun(o.run);
  if (taken) {
    // A run another live process is writing is named as such: resuming it would be refused too.
    const claim = await store.runClaim(taken.id);
    if (claim && holderAlive(claim)) throw new RunBusyError(store.location, o.run, claim);
    throw new ChipdseError(`${store.location}: a run named "${o.run}" exists; give --resume to continue it or another --run`);
  }
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
      inputs: runInputs(o.space, workloadRefs, workloads),
    },
    now,
    references,
  );
  return { space, workloads, runId, reference, algorithm, seed, budget, population };
}
