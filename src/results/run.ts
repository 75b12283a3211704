/** A search run as stored: its settings, its status, its generations and the state it resumes from. */

export const ALGORITHMS = ['nsga2', 'random', 'exhaustive'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export function isAlgorithmName(x: unknown): x is AlgorithmName {
  return (ALGORITHMS as readonly unknown[]).includes(x);
}

export type Goal = 'min' | 'max';

/** The longest run name accepted. */
export const MAX_RUN_NAME_LENGTH = 200;

/**
 * Why a run name cannot be used, or undefined when it can: it is printed in progress lines and in
 * the command that resumes the run, so it must be on one line, printable, and not empty (an empty
 * name could never be given back to --run).
 */
export function runNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'a run name cannot be empty';
  // eslint-disable-next-line no-control-regex
  const control = name.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  if (control) return `a run name cannot hold a control character (found U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  if (name.length > MAX_RUN_NAME_LENGTH) return `a run name has at most ${MAX_RUN_NAME_LENGTH} characters, got ${name.length}`;
  return undefined;
}

/** An objective as a run stores it: the metric's label (`tokensPerSec`, `WORKLOAD:metric`) and its goal. */
export interface ObjectiveSpec {
  metric: string;
  goal: Goal;
}

export type RunStatus = 'running' | 'done' | 'stopped';

/** One dimension of a run's space as a chart draws it: its values in order (or unordered, for a choice). */
export interface ParameterAxis {
  name: string;
  categorical: boolean;
  values: unknown[];
}

/**
 * What a run was made from besides its space, stored by content when it is created: resuming it,
 * or evaluating it on another machine (`chipdse worker`), reads these and never a file again.
 */
export interface RunInputs {
  /** The workloads as loaded (models resolved, trace files converted, mixes expanded), as plain data. */
  workloads: unknown[];
  /**
   * Where each input was read from when the run was created (absolute paths, or preset names):
   * on resume, a file that changed since is pointed out (and the stored content still used).
   */
  sources: { space: string | null; workloads: string[] };
}

/** What a run is: written when it is created. */
export interface RunMeta {
  name: string;
  spaceName: string;
  /** The space with its base design inlined: enough to resume or replay the run. */
  spaceJson: string;
  /** The space's parameters and their values; null for runs stored before runs kept them. */
  parameters: ParameterAxis[] | null;
  /** The workloads as they were given (preset names or paths). */
  workloads: string[];
  objectives: ObjectiveSpec[];
  constraints: string[];
  algorithm: AlgorithmName;
  seed: number;
  budget: number;
  population: number;
  /** Hypervolume reference point in objective units; null until the run derives one. */
  reference: number[] | null;
  /** The chipdse version whose model scored the run's designs. */
  toolVersion: string;
  /** Its workloads by content; null (or left out) for runs stored before runs kept them. */
  inputs?: RunInputs | null;
}

/** The process that writes a run: a stored status of "running" whose writer is gone means the run was interrupted. */
export interface RunWriter {
  pid: number;
  host: string;
}

export interface RunRow extends RunMeta {
  id: number;
  inputs: RunInputs | null;
  status: RunStatus;
  /** The process that last started writing the run; null for runs stored before chipdse recorded it. */
  writer: RunWriter | null;
  startedAt: string;
  endedAt: string | null;
  evaluations: number;
  generations: number;
}

export interface GenerationStats {
  generation: number;
  evaluations: number;
  feasibleShare: number;
  frontSize: number;
  hypervolume: number;
}

/** A search's progress after a generation is stored (for a progress bar). */
export interface Progress extends GenerationStats {
  budget: number;
  evaluationsPerSec: number;
  /** Distributed runs: the workers alive when the generation was stored. */
  workers?: number;
}

/** Saved with each generation so that a resumed run continues exactly. */
export interface AlgorithmState {
  population: string[];
  /** How far a sequential strategy got: the next index (exhaustive) or the designs proposed so far (random). */
  nextIndex: number;
  /** nsga2: false where offspring are not pre-screened by the surrogate (--no-surrogate); absent: they are. */
  surrogate?: boolean;
  /**
   * nsga2 with the surrogate: the parent choice it runs with (SurrogateOptions.mateRare), so a resume
   * continues as the run was started; absent in a run stored before parent choice existed (mateRare 0).
   */
  mateRare?: number;
}

/** The seeded generator's state as stored (seedrandom's ARC4: two indices and the permutation). */
export interface RngState {
  i: number;
  j: number;
  S: number[];
}

/** What a run resumes from: the last stored generation, the algorithm's state and the generator's. */
export interface SearchState {
  generation: number;
  state: AlgorithmState;
  rngState: RngState;
}

/** What a run's stored status means now: a "running" run whose writer on this host is gone was interrupted (killed, crashed). */
export type RunState = RunStatus | 'interrupted' | 'running elsewhere';

export function runState(run: Pick<RunRow, 'status' | 'writer'>, host: string, alive: (pid: number) => boolean): RunState {
  if (run.status !== 'running' || !run.writer) return run.status;
  if (run.writer.host !== host) return 'running elsewhere';
  return alive(run.writer.pid) ? 'running' : 'interrupted';
}
