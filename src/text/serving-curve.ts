import type { ServingCurve } from '../results/metrics.js';
import { joules, seconds, si, table } from './format.js';

/** A serving curve as a table: one row per concurrency, the one "auto" picks marked. */
export function formatServingCurve(c: ServingCurve): string {
  const head = `${c.design} on ${c.workload}: serving curve, ${c.points.length} concurrencies up to ${c.memoryLimit === c.points[c.points.length - 1]?.concurrency ? 'the memory limit' : `the bound (${c.limitedBy})`}`;
  const pick = c.chosen !== undefined ? `"auto" picks ${c.chosen} (limited by ${c.limitedBy})` : '"auto" finds no concurrency that meets the SLOs';
  const rows = c.points.map((p) => [
    `${p.concurrency}${p.concurrency === c.chosen ? ' *' : ''}`,
    si(p.tokensPerSecPerChip, '', 4),
    si(p.tokensPerSecPerUser, '', 4),
    seconds(p.ttftSec),
    seconds(p.tpotSec),
    joules(p.energyJPerToken),
    p.feasible ? 'yes' : 'no',
  ]);
  return [head, pick, '', table(rows, ['concurrency', 'tokens/s/chip', 'tokens/s/user', 'TTFT', 'TPOT', 'J/token', 'meets SLOs'])].join('\n');
}
