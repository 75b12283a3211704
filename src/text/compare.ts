import type { Evaluation, Metrics } from '../results/metrics.js';
import { joules, percent, seconds, si, table, usd } from './format.js';

interface Column {
  label: string;
  get: (m: Metrics) => number;
  show: (x: number) => string;
  /** Skip the row when every design has zero (e.g. TPOT for training). */
  optional?: boolean;
}

export const COMPARE_ROWS: Column[] = [
  { label: 'tokens/s (system)', get: (m) => m.tokensPerSec, show: (x) => si(x, '', 4) },
  { label: 'TTFT', get: (m) => m.ttftSec, show: seconds, optional: true },
  { label: 'time per output token', get: (m) => m.tpotSec, show: seconds, optional: true },
  { label: 'step time', get: (m) => m.stepTimeSec, show: seconds, optional: true },
  { label: 'MFU', get: (m) => m.mfu, show: percent },
  { label: 'batch', get: (m) => m.batch, show: (x) => String(x) },
  { label: 'energy / token', get: (m) => m.energyJPerToken, show: joules },
  { label: 'power / chip', get: (m) => m.powerW, show: (x) => `${x.toFixed(0)} W` },
  { label: 'tokens/s per W', get: (m) => m.tokensPerSecPerW, show: (x) => x.toPrecision(3) },
  { label: 'area', get: (m) => m.areaMm2, show: (x) => `${x.toFixed(0)} mm2` },
  { label: 'chip cost', get: (m) => m.costUsd, show: usd },
  { label: '$ / M tokens', get: (m) => m.usdPerMTokens, show: usd },
];

/** Ratio of each design's metric to the first design's, for the side-by-side table and JSON. */
export function ratiosToFirst(evals: Evaluation[]): Record<string, number | null>[] {
  const base = evals[0].metrics;
  return evals.map((e) => {
    const out: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(e.metrics)) {
      const b = (base as unknown as Record<string, unknown>)[k];
      if (typeof v === 'number' && typeof b === 'number') out[k] = b !== 0 ? v / b : null;
    }
    return out;
  });
}

/** One workload, several designs side by side; each cell after the first carries its ratio to the first. */
export function formatComparison(workload: string, evals: Evaluation[]): string {
  const header = ['', ...evals.map((e) => e.design)];
  const rows: string[][] = [];
  for (const c of COMPARE_ROWS) {
    const vals = evals.map((e) => c.get(e.metrics));
    if (c.optional && vals.every((v) => v === 0)) continue;
    const base = vals[0];
    rows.push([c.label, ...vals.map((v, i) => (i === 0 || base === 0 ? c.show(v) : `${c.show(v)} (x${(v / base).toPrecision(3)})`))]);
  }
  rows.push(['bound by', ...evals.map((e) => e.metrics.boundBy)]);
  rows.push(['feasible', ...evals.map((e) => (e.feasible ? 'yes' : 'NO'))]);
  const reasons = evals.flatMap((e) => e.reasons.map((r) => `  ${e.design}: ${r}`));
  return [`workload ${workload}`, table(rows, header), ...(reasons.length ? ['infeasible because:', ...reasons] : [])].join('\n');
}
