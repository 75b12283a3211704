import type { ServingCurve } from '../results/metrics.js';
import type { ScaleType } from './data.js';

export interface ServingCurveRow {
  concurrency: number;
  perUser: number;
  perChip: number;
  ttftSec: number;
  tpotSec: number;
  status: 'meets the SLOs' | 'misses an SLO' | 'chosen ("auto")';
  /** The concurrency as its label shows it: empty for points past the SLOs but the last (they crowd). */
  label: string;
  order: number;
}

export interface ServingCurveData {
  rows: ServingCurveRow[];
  xScale: ScaleType;
  yScale: ScaleType;
  chosen: number | undefined;
}

/** A log scale where a curve's values span more than `ratio` (speeds per user fall by orders of magnitude across concurrency). */
const scaleOf = (xs: number[], ratio: number): ScaleType => {
  const pos = xs.filter((x) => x > 0);
  return pos.length > 1 && Math.max(...pos) / Math.min(...pos) > ratio ? 'log' : 'linear';
};

/** The curve's points as chart rows: x tokens/s per user, y tokens/s per chip, in concurrency order. */
export function servingCurveData(c: ServingCurve): ServingCurveData {
  const rows = c.points.map((p, i) => ({
    concurrency: p.concurrency,
    perUser: p.tokensPerSecPerUser,
    perChip: p.tokensPerSecPerChip,
    ttftSec: p.ttftSec,
    tpotSec: p.tpotSec,
    status: (p.concurrency === c.chosen ? 'chosen ("auto")' : p.feasible ? 'meets the SLOs' : 'misses an SLO') as ServingCurveRow['status'],
    label: p.feasible || p.concurrency === c.chosen || i === c.points.length - 1 ? String(p.concurrency) : '',
    order: i,
  }));
  return { rows, xScale: scaleOf(rows.map((r) => r.perUser), 10), yScale: scaleOf(rows.map((r) => r.perChip), 100), chosen: c.chosen };
}
