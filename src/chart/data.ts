/**
 * What every chart's data shares: scales, axes and metric titles. The data behind each chart is a
 * pure function of stored results (`*-data.ts`): no I/O, no vega, no model. `specs.ts` turns the
 * data into vega-lite; `render.ts` draws it.
 */
import type { MetricRef } from '../results/metric-ref.js';
import type { MetricName } from '../results/metrics.js';
import type { PointResult } from '../results/point.js';

export type ScaleType = 'linear' | 'log';

/** A log axis once the values span more than this ratio (two decades). */
export const LOG_SPAN = 100;

/** Log when every value is positive and the largest is more than LOG_SPAN times the smallest. */
export function chooseScale(values: number[]): ScaleType {
  const vs = values.filter((v) => Number.isFinite(v));
  if (vs.length < 2 || vs.some((v) => v <= 0)) return 'linear';
  return Math.max(...vs) / Math.min(...vs) > LOG_SPAN ? 'log' : 'linear';
}

const METRIC_TITLES: Partial<Record<MetricName, string>> = {
  tokensPerSec: 'tokens/s', latencySec: 'request latency (s)', ttftSec: 'TTFT (s)', tpotSec: 'time per output token (s)',
  stepTimeSec: 'step time (s)', mfu: 'MFU', energyJPerToken: 'energy per token (J)', powerW: 'average power per chip (W)', peakPowerW: 'peak power per chip (W)',
  areaMm2: 'area (mm2)', costUsd: 'chip manufacturing cost ($)', tokensPerSecPerW: 'tokens/s per W', usdPerMTokens: 'manufacturing $ per M tokens',
  tcoUsdPerChipHour: 'TCO $ per chip-hour', tcoUsdPerMTokens: 'TCO $ per M tokens',
  hbmUsedBytes: 'HBM used (bytes)', memoryBytesPerChip: 'memory per chip (bytes)', quantizationSnrDb: 'weight SQNR (dB)',
};

export function metricTitle(ref: MetricRef): string {
  const t = METRIC_TITLES[ref.name] ?? ref.name;
  return ref.workload ? `${ref.workload}: ${t}` : t;
}

export interface Axis {
  metric: string;
  title: string;
  scale: ScaleType;
  /** The range the axis shows, when set by some of the data (the searched designs), not all of it. */
  domain?: [number, number];
}

/** A range that holds `values` with a margin (a share of it, in log space on a log axis); undefined without finite values. */
export function paddedDomain(values: number[], scale: ScaleType, margin = 0.04): [number, number] | undefined {
  const vs = values.filter((v) => Number.isFinite(v) && (scale === 'linear' || v > 0));
  if (vs.length === 0) return undefined;
  const f = scale === 'log' ? Math.log10 : (v: number) => v;
  const g = scale === 'log' ? (v: number) => 10 ** v : (v: number) => v;
  const lo = f(Math.min(...vs));
  const hi = f(Math.max(...vs));
  const pad = hi > lo ? (hi - lo) * margin : scale === 'log' ? 0.05 : Math.max(Math.abs(lo) * 0.1, 1);
  return [g(lo - pad), g(hi + pad)];
}

/** The workloads the points were scored on, as their metrics name them. */
export function workloadNamesOf(points: PointResult[]): string[] {
  return Object.keys(points.find((p) => p.metrics)?.metrics ?? {});
}
