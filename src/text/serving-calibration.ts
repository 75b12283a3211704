import type { ServingCalibration } from '../calibrate/serving-calibrate.js';
import { percent, table } from './format.js';

/** The measured serving rows against the model: |error| of TTFT and TPOT per system and backend, and what was skipped. */
export function formatServingCalibration(c: ServingCalibration): string {
  const row = (label: string, backend: string, s: ServingCalibration['all']) => [label, backend, String(s.count), percent(s.ttftMedianAbs), percent(s.ttftP90Abs), percent(s.tpotMedianAbs), percent(s.tpotP90Abs)];
  const skipped = new Map<string, number>();
  for (const s of c.skipped) skipped.set(s.reason, (skipped.get(s.reason) ?? 0) + 1);
  return [
    'serving: measured TTFT and TPOT (AIConfigurator silicon rows, dense models, aggregated serving)',
    table(
      [...c.bySystemBackend.map((g) => row(g.system, g.backend, g.stats)), row('all', '', c.all)],
      ['system', 'backend', 'rows', 'TTFT median |err|', 'TTFT p90', 'TPOT median |err|', 'TPOT p90'],
    ),
    `engine host costs fitted on the ${c.fitted.count} rows in odd lines; the ${c.heldOut.count} held out (even lines): TTFT median |err| ${percent(c.heldOut.ttftMedianAbs)}, TPOT ${percent(c.heldOut.tpotMedianAbs)} (fitted rows: ${percent(c.fitted.ttftMedianAbs)}, ${percent(c.fitted.tpotMedianAbs)})`,
    `${c.misses} of ${c.rows.length} rows miss by more than 50% in TTFT or TPOT (README, Calibration, says why)`,
    ...[...skipped.entries()].map(([reason, n]) => `skipped ${n} row${n > 1 ? 's' : ''}: ${reason}`),
  ].join('\n');
}
