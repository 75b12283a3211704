import { ChipdseError } from '../errors.js';
import type { Metrics } from './metrics.js';

/** Whether every number in an object or array, at any depth, is finite. */
export function allFinite(x: object): boolean {
  for (const k in x) {
    const v = (x as Record<string, unknown>)[k];
    if (typeof v === 'number' ? !Number.isFinite(v) : v !== null && typeof v === 'object' && !allFinite(v)) return false;
  }
  return true;
}

const finite = Number.isFinite;

/**
 * allFinite of a design's metrics, field by field: a search checks every design's, and the walk
 * by key was ~150 ns of them (test/finite.test.ts sets each number of a real Metrics to NaN in
 * turn, so a metric added to Metrics and not here fails it).
 */
export function metricsFinite(m: Metrics): boolean {
  const e = m.energyBreakdownJ;
  return (
    finite(m.tokensPerSec) &&
    finite(m.latencySec) &&
    finite(m.ttftSec) &&
    finite(m.tpotSec) &&
    finite(m.stepTimeSec) &&
    finite(m.mfu) &&
    finite(m.batch) &&
    finite(m.energyJPerToken) &&
    finite(m.powerW) &&
    finite(m.peakPowerW) &&
    finite(m.areaMm2) &&
    finite(m.costUsd) &&
    finite(m.tokensPerSecPerW) &&
    finite(m.usdPerMTokens) &&
    finite(m.tcoUsdPerChipHour) &&
    finite(m.tcoUsdPerMTokens) &&
    finite(m.hbmUsedBytes) &&
    finite(m.memoryBytesPerChip) &&
    finite(m.quantizationSnrDb) &&
    finite(m.interruptionIntervalHours) &&
    finite(m.goodput) &&
    finite(m.checkpointIntervalSec) &&
    finite(m.tokensPerSecPerUser) &&
    finite(m.tokensPerSecPerChip) &&
    finite(m.ttftP90Sec) &&
    finite(e.compute) &&
    finite(e.sram) &&
    finite(e.hbm) &&
    finite(e.interconnect) &&
    finite(e.static)
  );
}

/** JSON of a value with no NaN or infinity in it: refused otherwise (JSON would silently write null). */
export function finiteJson(x: object, what: string): string {
  // JSON writes a non-finite number as null: only text with a null in it needs the walk.
  const text = JSON.stringify(x);
  if (text.includes('null') && !allFinite(x)) throw new ChipdseError(`refusing to store a non-finite number in ${what}`);
  return text;
}

/** `path = value` for every number in a value that is not finite (NaN, Infinity). */
export function nonFiniteNumbers(x: object): string[] {
  // The common case, all finite, without building a path string per number (a search checks every design).
  if (allFinite(x)) return [];
  const out: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) out.push(`${path} = ${v}`);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, w] of Object.entries(v)) walk(w, path ? `${path}.${k}` : k);
    }
  };
  walk(x, '');
  return out;
}

/**
 * A copy with every non-finite number replaced by null: no NaN or Infinity reaches the store
 * (JSON would write null anyway, silently; the caller says why the value is missing).
 */
export function withoutNonFinite<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
