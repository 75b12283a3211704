/**
 * Where runs are kept, as one contract with several implementations: SQLite (`sqlite.ts`, what
 * users get), PostgreSQL (`postgres.ts`, shared by processes on many machines), and in memory
 * (`memory.ts`, for tests and embedding).
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
 * - A run's inputs (its workloads by content) read back as stored; null for older runs.
 * - One writer per run (`claims.ts`): `createRun` and `claimRun` make this handle the run's
 *   writer until `finishRun`, `releaseRun` or `close`; `claimRun` while another live handle holds
 *   the run is a RunBusyError naming it (process and host), and so is a write (`saveGeneration`,
 *   `finishRun`, `saveDetails`); a dead holder's claim is taken over. `claimRun` also marks the
 *   run as being written (status running) by its writer, which the run's row shows.
 */
import type { DesignDetail, ReferenceResult } from '../results/design-detail.js';
import type { PointResult, StoredPoint } from '../results/point.js';
import { StoredColumns } from '../results/stored-columns.js';
import type { RunClaim } from './claims.js';
import type { AlgorithmState, GenerationStats, RngState, RunMeta, RunRow, RunWriter, SearchState } from '../results/run.js';

/** One generation of a run, stored at once. */
export interface GenerationRecord {
  /** The generation's evaluations, in order (as points, or as the columns workers built); their seq numbers start at `firstSeq`. */
  results: (PointResult | StoredPoint)[] | StoredColumns;
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
  /** The store's address for messages: a file path, a PostgreSQL URL without its password, or `memory:`. */
  readonly location: string;
  /**
   * Whether the store keeps metrics packed (SQLite): a search then has its workers pack them
   * (encodePoint(p, 'packed')) instead of writing JSON. Any store takes either form.
   */
  readonly packsMetrics?: boolean;
  /**
   * A new run, claimed by this handle; `references`: the reference chips evaluated for it (left
   * out: none stored). A name taken is refused (RunBusyError while its writer is alive).
   */
  createRun(meta: RunMeta, startedAt: string, references?: ReferenceResult[]): Promise<number>;
  /**
   * Makes this handle the run's one writer, `writer` (this process: its pid and host), and marks the
   * run as being written (status "running") by it: a new run as it starts, a resumed one as it
   * continues. A RunBusyError while another live handle holds it.
   */
  claimRun(runId: number, writer: RunWriter): Promise<void>;
  /** Gives up this handle's claim on a run (close gives up all of them). */
  releaseRun(runId: number): Promise<void>;
  /** The run's claim as stored (its holder may be dead), or undefined when nobody holds it. */
  runClaim(runId: number): Promise<RunClaim | undefined>;
  getRun(name: string): Promise<RunRow | undefined>;
  listRuns(): Promise<RunRow[]>;
  saveGeneration(runId: number, generation: GenerationRecord): Promise<void>;
  /** Ends a run (a finished or stopped run has no writer: this handle's claim on it ends with it). */
  finishRun(runId: number, status: 'done' | 'stopped', endedAt: string): Promise<void>;
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

/** A generation's evaluations as points (columns made points again, for a store that writes points). */
export function resultPoints(results: GenerationRecord['results']): (PointResult | StoredPoint)[] {
  return results instanceof StoredColumns ? results.points() : results;
}
