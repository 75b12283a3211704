/**
 * Where runs are kept, as one contract with several implementations: SQLite (`sqlite.ts`, what
 * users get), in memory (`memory.ts`, for tests and embedding), and later a server database.
 * Every method is async, so an implementation over a network client fits the same contract.
 * `test/helpers/store-contract.ts` holds the one test suite every implementation passes:
 *
 * - `createRun` refuses a name already taken (a ChipdseError), even by another handle.
 * - `saveGeneration` stores all of a generation or nothing: its evaluations, statistics, the
 *   Pareto set (replacing the last), the reference point and the search state. A non-finite
 *   number is refused before anything is written.
 * - Reads through one handle between two of its writes see one moment: a generation stored by
 *   another handle meanwhile does not show up in them (a reader's evaluations, front and
 *   statistics always belong together).
 * - Evaluations and the front come back in the order they were stored (`seq`).
 * - A run stored without reference chips (by an older chipdse) reads back `undefined`, not `[]`.
 */
import type { DesignDetail, ReferenceResult } from '../results/design-detail.js';
import type { PointResult, StoredPoint } from '../results/point.js';
import type { AlgorithmState, GenerationStats, RngState, RunMeta, RunRow, RunWriter, SearchState } from '../results/run.js';

/** One generation of a run, stored at once. */
export interface GenerationRecord {
  /** The generation's evaluations, in order; their seq numbers start at `firstSeq`. */
  results: (PointResult | StoredPoint)[];
  firstSeq: number;
  stats: GenerationStats;
  /** Genome keys of the run's Pareto set after this generation (replaces the last one). */
  front: string[];
  /** The run's hypervolume reference point (objective units), once known. */
  reference: number[] | null;
  state: AlgorithmState;
  rngState: RngState;
}

export interface RunStore {
  /** The store's address for messages: a file path, or `memory:`. */
  readonly location: string;
  /** A new run; `references`: the reference chips evaluated for it (left out: none stored). */
  createRun(meta: RunMeta, startedAt: string, references?: ReferenceResult[]): Promise<number>;
  getRun(name: string): Promise<RunRow | undefined>;
  listRuns(): Promise<RunRow[]>;
  saveGeneration(runId: number, generation: GenerationRecord): Promise<void>;
  finishRun(runId: number, status: 'done' | 'stopped', endedAt: string): Promise<void>;
  /** Marks a run as being written (status "running") by `writer`: a new run as it starts, a resumed one as it continues. */
  claimRun(runId: number, writer: RunWriter): Promise<void>;
  /** Stores (or replaces) the full evaluation of designs of a run, by genome. */
  saveDetails(runId: number, details: DesignDetail[]): Promise<void>;
  loadEvaluations(runId: number): Promise<PointResult[]>;
  loadGenerationsByGenome(runId: number): Promise<Map<string, number>>;
  loadFront(runId: number): Promise<PointResult[]>;
  loadGenerations(runId: number): Promise<GenerationStats[]>;
  loadState(runId: number): Promise<SearchState | undefined>;
  /** The run's reference chips; undefined when none were stored with it. */
  loadReferences(runId: number): Promise<ReferenceResult[] | undefined>;
  loadDetails(runId: number): Promise<DesignDetail[]>;
  close(): Promise<void>;
}
