import { finiteJson } from './finite.js';
import type { Metrics } from './metrics.js';
import { packMetrics, unpackMetrics, type PackedMetrics } from './packed-metrics.js';

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
  /** null when the design itself is invalid; undefined when the metrics are packed instead. */
  metricsJson: string | null | undefined;
  /** The metrics packed (see packed-metrics.ts), for a store that keeps them so (SQLite), instead of metricsJson. */
  metricsPacked?: PackedMetrics;
}

/** How an evaluated design's metrics travel to the store: as JSON text, or packed (a store that keeps them packed: `RunStore.packsMetrics`). */
export type MetricsForm = 'json' | 'packed';

/** `paramsJson`: the parameters' JSON when the caller has it already (see paramsJsonOf in search/pool.ts); it must be what finiteJson would write. */
export function encodePoint(p: PointResult, form: MetricsForm = 'json', paramsJson?: string): StoredPoint {
  const packed = form === 'packed' && p.metrics ? packMetrics(p.metrics) : undefined;
  return {
    key: p.key,
    genome: p.genome,
    feasible: p.feasible,
    violation: p.violation,
    // Copied flat for a store that keeps many points a generation (packed): a reason built from
    // pieces is a tree of them, which every garbage collection while the generation waits to be
    // written copies again (a quarter of a stored exhaustive run's time went to such copying).
    reasons: form === 'packed' && p.reasons.length > 0 ? (JSON.parse(JSON.stringify(p.reasons)) as string[]) : p.reasons,
    objectives: p.objectives,
    paramsJson: paramsJson ?? finiteJson(p.params, 'params'),
    metricsJson: packed ? undefined : p.metrics ? finiteJson(p.metrics, 'metrics') : null,
    metricsPacked: packed,
  };
}

/** A stored point's metrics as JSON text (unpacked when they were packed); null for an invalid design. */
export function metricsJsonOf(p: StoredPoint): string | null {
  if (p.metricsPacked) return JSON.stringify(unpackMetrics(p.metricsPacked.shape.text, p.metricsPacked.data));
  return p.metricsJson ?? null;
}

export const isEncoded = (p: PointResult | StoredPoint): p is StoredPoint => 'paramsJson' in p;

/** The genome a key names (`3.0.1` -> [3, 0, 1]). */
export const genomeOfKey = (key: string): number[] => key.split('.').map(Number);

/** The key of a genome, one value index per parameter (`[3, 0, 1]` -> `3.0.1`). */
export const genomeKey = (g: readonly number[]): string => g.join('.');
