import type { CalibrationSummary } from '../calibrate/calibrate.js';
import { percent, seconds, si, table } from './format.js';

/** `chipdse calibrate`: every measured point with the model's prediction and its error, then the error statistics. */
export function formatCalibration(s: CalibrationSummary): string {
  const fmt = (x: number, unit: string) => (unit === 'MFU' ? `${percent(x)} MFU` : unit === 's' ? seconds(x) : si(x, unit, 4));
  return [
    table(
      s.rows.map((r) => [r.id, r.design, r.role, fmt(r.measured, r.unit), fmt(r.predicted, r.unit), `${r.error >= 0 ? '+' : ''}${(r.error * 100).toFixed(1)}%`]),
      ['point', 'design', 'role', 'measured', 'predicted', 'error'],
    ),
    '',
    `held-out points: ${s.heldOut.count}, median |error| ${percent(s.heldOut.medianAbsError)}, 90th percentile ${percent(s.heldOut.p90AbsError)}, max ${percent(s.heldOut.maxAbsError)}`,
    `all points: ${s.all.count}, median |error| ${percent(s.all.medianAbsError)} (sources: chipdse calibrate --json)`,
  ].join('\n');
}
