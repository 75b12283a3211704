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
  /**
   * JSON.stringify(reasons), when the encoder wrote it already (the packed form): the store then
   * writes it as it is. `reasons` is then the same array for every design with these reasons.
   */
  reasonsJson?: string;
  objectives: number[];
  paramsJson: string;
  /** null when the design itself is invalid; undefined when the metrics are packed instead. */
  metricsJson: string | null | undefined;
  /** The metrics packed (see packed-metrics.ts), for a store that keeps them so (SQLite), instead of metricsJson. */
  metricsPacked?: PackedMetrics;
}

/** How an evaluated design's metrics travel to the store: as JSON text, or packed (a store that keeps them packed: `RunStore.packsMetrics`). */
export type MetricsForm = 'json' | 'packed';

/**
 * Reason lists already seen by this thread, by their JSON, each parsed once into a flat copy.
 * A reason built from pieces is a tree of them, which every garbage collection while a generation
 * waits to be written copies again (a quarter of a stored exhaustive run's time once went to such
 * copying); the designs of a space fail for a few hundred distinct reason lists, so designs with
 * the same reasons share one array (sent to the main thread once per batch, as structured
 * cloning copies a shared object once) and the store writes the JSON made here.
 */
const reasonLists = new Map<string, string[]>();
const NO_REASONS: string[] = Object.freeze([]) as unknown as string[];
/** Entries kept at most: a space whose reasons all differ (numbers in them) stays bounded. */
const REASON_LISTS_KEPT = 4096;

function sharedReasons(json: string): string[] {
  let r = reasonLists.get(json);
  if (!r) {
    if (reasonLists.size >= REASON_LISTS_KEPT) reasonLists.clear();
    r = Object.freeze(JSON.parse(json)) as string[];
    reasonLists.set(json, r);
  }
  return r;
}

/** `paramsJson`: the parameters' JSON when the caller has it already (see paramsJsonOf in search/pool.ts); it must be what finiteJson would write. */
export function encodePoint(p: PointResult, form: MetricsForm = 'json', paramsJson?: string): StoredPoint {
  const packed = form === 'packed' && p.metrics ? packMetrics(p.metrics) : undefined;
  const reasonsJson = form === 'packed' ? (p.reasons.length === 0 ? '[]' : JSON.stringify(p.reasons)) : undefined;
  return {
    key: p.key,
    genome: p.genome,
    feasible: p.feasible,
    violation: p.violation,
    // The packed form is for a store that keeps many points a generation: flat, shared copies (see sharedReasons).
    reasons: reasonsJson === undefined ? p.reasons : p.reasons.length === 0 ? NO_REASONS : sharedReasons(reasonsJson),
    reasonsJson,
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

/**
 * The key of a genome, one value index per parameter (`[3, 0, 1]` -> `3.0.1`): `g.join('.')`,
 * written out for numbers (join's generic path, for holes, cycles and any element, was 2% of a
 * serve-auto evaluation); anything else is joined.
 */
export function genomeKey(g: readonly number[]): string {
  if (g.length === 0) return '';
  const first = g[0];
  if (typeof first !== 'number') return g.join('.');
  let key = '' + first;
  for (let i = 1; i < g.length; i++) {
    const v = g[i];
    if (typeof v !== 'number') return g.join('.');
    key = key + '.' + v;
  }
  return key;
}
