import { ChipdseError } from '../errors.js';
import { allFinite, type PointResult } from '../search/problem.js';

/**
 * An evaluated design as the store writes it: its parameters and metrics already JSON. Workers
 * encode their results, so the main thread of a search only inserts rows (and keeps no metrics).
 */
export interface StoredPoint {
  key: string;
  genome: number[];
  feasible: boolean;
  violation: number;
  reasons: string[];
  objectives: number[];
  paramsJson: string;
  /** null when the design itself is invalid. */
  metricsJson: string | null;
}

/** JSON of a value with no NaN or infinity in it: refused otherwise (JSON would silently write null). */
export function finiteJson(x: object, what: string): string {
  if (!allFinite(x)) throw new ChipdseError(`refusing to store a non-finite number in ${what}`);
  return JSON.stringify(x);
}

export function encodePoint(p: PointResult): StoredPoint {
  return {
    key: p.key,
    genome: p.genome,
    feasible: p.feasible,
    violation: p.violation,
    reasons: p.reasons,
    objectives: p.objectives,
    paramsJson: finiteJson(p.params, 'params'),
    metricsJson: p.metrics ? finiteJson(p.metrics, 'metrics') : null,
  };
}

export const isEncoded = (p: PointResult | StoredPoint): p is StoredPoint => 'paramsJson' in p;
