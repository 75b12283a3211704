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
  { label: 'average power / chip', get: (m) => m.powerW, show: (x) => `${x.toFixed(0)} W` },
  { label: 'peak power / chip', get: (m) => m.peakPowerW, show: (x) => `${x.toFixed(0)} W` },
  { label: 'tokens/s per W', get: (m) => m.tokensPerSecPerW, show: (x) => x.toPrecision(3) },
  { label: 'area', get: (m) => m.areaMm2, show: (x) => `${x.toFixed(0)} mm2` },
  { label: 'chip cost (manufacturing)', get: (m) => m.costUsd, show: usd },
  { label: 'manufacturing $ / M tokens', get: (m) => m.usdPerMTokens, show: usd },
  { label: 'TCO $ / chip-hour', get: (m) => m.tcoUsdPerChipHour, show: usd },
  { label: 'TCO $ / M tokens', get: (m) => m.tcoUsdPerMTokens, show: usd },
];

/**
 * The design ratios are taken against: the first feasible one. An infeasible design's numbers are
 * not a result to compare with (nor to compare), so it gets no ratio and is never the base.
 */
export function ratioBase(evals: Evaluation[]): number {
  return evals.findIndex((e) => e.feasible);
}

/** Ratio of each feasible design's metric to the base design's (null for infeasible designs, and with no feasible base). */
export function ratiosToFirst(evals: Evaluation[]): (Record<string, number | null> | null)[] {
  const b = ratioBase(evals);
  if (b < 0) return evals.map(() => null);
  const base = evals[b].metrics;
  return evals.map((e) => {
    if (!e.feasible) return null;
    const out: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(e.metrics)) {
      const bv = (base as unknown as Record<string, unknown>)[k];
      if (typeof v === 'number' && typeof bv === 'number') out[k] = bv !== 0 ? v / bv : null;
    }
    return out;
  });
}

/**
 * One workload, several designs side by side. Each feasible cell after the base (the first
 * feasible design) carries its ratio to the base; an infeasible design is headed INFEASIBLE, its
 * numbers in brackets without ratios, and its reasons listed below.
 */
export function formatComparison(workload: string, evals: Evaluation[]): string {
  const b = ratioBase(evals);
  const header = ['', ...evals.map((e) => (e.feasible ? e.design : `${e.design} (INFEASIBLE)`))];
  const rows: string[][] = [];
  for (const c of COMPARE_ROWS) {
    const vals = evals.map((e) => c.get(e.metrics));
    if (c.optional && vals.every((v) => v === 0)) continue;
    const base = b >= 0 ? vals[b] : 0;
    rows.push([c.label, ...vals.map((v, i) => (!evals[i].feasible ? `[${c.show(v)}]` : i === b || base === 0 ? c.show(v) : `${c.show(v)} (x${(v / base).toPrecision(3)})`))]);
  }
  rows.push(['bound by', ...evals.map((e) => e.metrics.boundBy)]);
  rows.push(['feasible', ...evals.map((e) => (e.feasible ? 'yes' : 'NO'))]);
  const reasons = evals.flatMap((e) => e.reasons.map((r) => `  ${e.design}: ${r}`));
  const note = b > 0 ? [`ratios are to ${evals[b].design}, the first feasible design`] : b < 0 ? ['no design is feasible: no ratios'] : [];
  return [`workload ${workload}`, table(rows, header), ...note, ...(reasons.length ? ['infeasible ([numbers] are not results to compare) because:', ...reasons] : [])].join('\n');
}
