/**
 * Rows of the SQLite store (and of the PostgreSQL store, whose tables have the same columns) read
 * back as results: parsed, and checked where a newer chipdse could have written something else.
 */
import { ChipdseError } from '../errors.js';
import type { DesignDetail, ReferenceResult } from '../results/design-detail.js';
import { genomeOfKey, type PointResult } from '../results/point.js';
import { isAlgorithmName, type RunRow, type RunStatus } from '../results/run.js';

const STATUSES: readonly string[] = ['running', 'done', 'stopped'] satisfies RunStatus[];

export type Row = Record<string, unknown>;

export function toRunRow(file: string, r: Row, counts: { n: number; g: number }): RunRow {
  const name = r.name as string;
  const algorithm = r.algorithm;
  if (!isAlgorithmName(algorithm)) throw new ChipdseError(`${file}: run "${name}" names an algorithm this chipdse does not know ("${String(algorithm)}")`);
  const status = r.status as string;
  if (!STATUSES.includes(status)) throw new ChipdseError(`${file}: run "${name}" has a status this chipdse does not know ("${status}")`);
  return {
    id: r.id as number,
    name,
    spaceName: r.space_name as string,
    spaceJson: r.space_json as string,
    parameters: r.parameters_json ? JSON.parse(r.parameters_json as string) : null,
    workloads: JSON.parse(r.workloads_json as string),
    objectives: JSON.parse(r.objectives_json as string),
    constraints: JSON.parse(r.constraints_json as string),
    algorithm,
    seed: r.seed as number,
    budget: r.budget as number,
    population: r.population as number,
    reference: r.reference_json ? JSON.parse(r.reference_json as string) : null,
    toolVersion: r.tool_version as string,
    inputs: r.inputs_json ? JSON.parse(r.inputs_json as string) : null,
    status: status as RunStatus,
    startedAt: r.started_at as string,
    endedAt: (r.ended_at as string | null) ?? null,
    evaluations: counts.n,
    generations: counts.g,
  };
}

export function toPoint(r: Row): PointResult {
  const key = r.genome as string;
  return {
    key,
    genome: genomeOfKey(key),
    params: JSON.parse(r.params_json as string),
    feasible: r.feasible === 1,
    violation: r.violation as number,
    reasons: JSON.parse(r.reasons_json as string),
    objectives: JSON.parse(r.objectives_json as string),
    metrics: r.metrics_json ? JSON.parse(r.metrics_json as string) : null,
  };
}

export function toReference(r: Row): ReferenceResult {
  return { name: r.name as string, feasible: r.feasible === 1, reasons: JSON.parse(r.reasons_json as string), metrics: JSON.parse(r.metrics_json as string) };
}

export function toDetail(r: Row): DesignDetail {
  return { genome: r.genome as string, chip: JSON.parse(r.chip_json as string), evaluations: JSON.parse(r.evaluations_json as string) };
}
