/**
 * Rows of the SQLite store (and of the PostgreSQL store, whose tables have the same columns) read
 * back as results: parsed, and checked where a newer chipdse could have written something else.
 */
import { ChipdseError } from '../errors.js';
import type { DesignDetail, ReferenceResult } from '../results/design-detail.js';
import { unpackMetrics } from '../results/packed-metrics.js';
import { genomeOfKey, type PointResult } from '../results/point.js';
import { isAlgorithmName, type RunRow, type RunStatus, type SearchState } from '../results/run.js';
import { objectivesOfBlob } from './sqlite-objectives.js';

const STATUSES: readonly string[] = ['running', 'done', 'stopped'] satisfies RunStatus[];

export type Row = Record<string, unknown>;

/** A JSON cell parsed; a cell that is not JSON (a damaged file, a hand edit) is one line naming the file and the cell. */
function json(file: string, where: string, text: unknown): unknown {
  try {
    if (typeof text !== 'string') throw new Error(`expected text, found ${text === null ? 'NULL' : typeof text}`);
    return JSON.parse(text);
  } catch (e) {
    throw new ChipdseError(`${file}: ${where} is not valid JSON (${(e as Error).message}): a damaged database`);
  }
}

export function toRunRow(file: string, r: Row, counts: { n: number; g: number }): RunRow {
  const name = r.name as string;
  const cell = (column: string) => json(file, `runs.${column} of run "${name}"`, r[column]);
  // Parsed here so that a damaged space is found when the run is read, not when it is resumed.
  cell('space_json');
  const algorithm = r.algorithm;
  if (!isAlgorithmName(algorithm)) throw new ChipdseError(`${file}: run "${name}" names an algorithm this chipdse does not know ("${String(algorithm)}")`);
  const status = r.status as string;
  if (!STATUSES.includes(status)) throw new ChipdseError(`${file}: run "${name}" has a status this chipdse does not know ("${status}")`);
  return {
    id: r.id as number,
    name,
    spaceName: r.space_name as string,
    spaceJson: r.space_json as string,
    parameters: r.parameters_json ? (cell('parameters_json') as RunRow['parameters']) : null,
    workloads: cell('workloads_json') as string[],
    objectives: cell('objectives_json') as RunRow['objectives'],
    constraints: cell('constraints_json') as string[],
    algorithm,
    seed: r.seed as number,
    budget: r.budget as number,
    population: r.population as number,
    reference: r.reference_json ? (cell('reference_json') as number[]) : null,
    toolVersion: r.tool_version as string,
    inputs: r.inputs_json ? JSON.parse(r.inputs_json as string) : null,
    status: status as RunStatus,
    writer: typeof r.writer_pid === 'number' && typeof r.writer_host === 'string' ? { pid: r.writer_pid, host: r.writer_host } : null,
    startedAt: r.started_at as string,
    endedAt: (r.ended_at as string | null) ?? null,
    evaluations: counts.n,
    generations: counts.g,
  };
}

/** Packed metrics (schema 5) read back against their run's shapes; a row that does not fit them is one line naming the file and the design. */
function packedMetrics(file: string, key: string, r: Row, shapes: ReadonlyMap<number, string>): PointResult['metrics'] {
  const shape = shapes.get(r.metrics_shape as number);
  try {
    if (shape === undefined) throw new Error(`no metric shape ${String(r.metrics_shape)} is stored for its run`);
    if (!(r.metrics_packed instanceof Uint8Array)) throw new Error('expected bytes');
    return unpackMetrics(shape, r.metrics_packed) as PointResult['metrics'];
  } catch (e) {
    throw new ChipdseError(`${file}: evaluations.metrics_packed of design ${key} cannot be read (${(e as Error).message}): a damaged database`);
  }
}

/** A row's objectives: float64 numbers (schema 6) or JSON text (rows stored before). */
function objectivesOf(file: string, key: string, cell: unknown): number[] {
  if (!(cell instanceof Uint8Array)) return json(file, `evaluations.objectives_json of design ${key}`, cell) as number[];
  try {
    return objectivesOfBlob(cell);
  } catch (e) {
    throw new ChipdseError(`${file}: evaluations.objectives_json of design ${key} cannot be read (${(e as Error).message}): a damaged database`);
  }
}

/** A row's reasons: JSON text, or (schema 6) the id of one of its run's reason lists. */
function reasonsOf(file: string, key: string, cell: unknown, lists: ReadonlyMap<number, string>): string[] {
  if (!(cell instanceof Uint8Array)) return json(file, `evaluations.reasons_json of design ${key}`, cell) as string[];
  const id = cell.length === 4 ? new DataView(cell.buffer, cell.byteOffset, 4).getUint32(0, true) : undefined;
  const text = id === undefined ? undefined : lists.get(id);
  if (text === undefined) throw new ChipdseError(`${file}: evaluations.reasons_json of design ${key} names no reason list stored for its run: a damaged database`);
  return json(file, `reason_lists.reasons_json ${id}`, text) as string[];
}

/** An evaluation row as a result; `shapes` and `reasons`: its run's metric shapes and reason lists by id (for rows that refer to them). */
export function toPoint(file: string, r: Row, shapes: ReadonlyMap<number, string> = new Map(), reasons: ReadonlyMap<number, string> = new Map()): PointResult {
  const key = r.genome as string;
  const cell = (column: string) => json(file, `evaluations.${column} of design ${key}`, r[column]);
  return {
    key,
    genome: genomeOfKey(key),
    params: cell('params_json') as PointResult['params'],
    feasible: r.feasible === 1,
    violation: r.violation as number,
    reasons: reasonsOf(file, key, r.reasons_json, reasons),
    objectives: objectivesOf(file, key, r.objectives_json),
    metrics: r.metrics_packed != null ? packedMetrics(file, key, r, shapes) : r.metrics_json ? (cell('metrics_json') as PointResult['metrics']) : null,
  };
}

export function toReference(file: string, r: Row): ReferenceResult {
  const cell = (column: string) => json(file, `reference_chips.${column} of ${String(r.name)}`, r[column]);
  return { name: r.name as string, feasible: r.feasible === 1, reasons: cell('reasons_json') as string[], metrics: cell('metrics_json') as ReferenceResult['metrics'] };
}

export function toDetail(file: string, r: Row): DesignDetail {
  const cell = (column: string) => json(file, `design_details.${column} of design ${String(r.genome)}`, r[column]);
  return { genome: r.genome as string, chip: cell('chip_json') as DesignDetail['chip'], evaluations: cell('evaluations_json') as DesignDetail['evaluations'] };
}

export function toState(file: string, r: Row): SearchState {
  const cell = (column: string) => json(file, `search_state.${column} of run ${String(r.run_id)}`, r[column]);
  return { generation: r.generation as number, state: cell('algorithm_state_json') as SearchState['state'], rngState: cell('rng_state_json') as SearchState['rngState'] };
}
