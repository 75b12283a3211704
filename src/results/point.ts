import { finiteJson } from './finite.js';
import type { Metrics } from './metrics.js';

/** One evaluated point of a design space, as stored. Objectives are in minimization form (maximized ones negated). */
export interface PointResult {
  key: string;
  genome: number[];
  params: Record<string, unknown>;
  feasible: boolean;
  /** 0 when feasible; otherwise the sum of normalized constraint violations plus 1 per failed workload. */
  violation: number;
  reasons: string[];
  objectives: number[];
  /** Metrics per workload name; null when the design itself is invalid. */
  metrics: Record<string, Metrics> | null;
}

/**
 * An evaluated design as a store writes it: its parameters and metrics already JSON. Workers
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

/** The genome a key names (`3.0.1` -> [3, 0, 1]). */
export const genomeOfKey = (key: string): number[] => key.split('.').map(Number);

/** The key of a genome, one value index per parameter (`[3, 0, 1]` -> `3.0.1`). */
export const genomeKey = (g: readonly number[]): string => g.join('.');
