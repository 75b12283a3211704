import { median, quantile } from 'simple-statistics';
import { loadDesign } from '../chip/load.js';
import type { Chip } from '../chip/chip.js';
import { ChipdseError } from '../errors.js';
import { CALIBRATION_POINTS, InfeasiblePointError, type CalibrationPoint } from './points.js';

export interface CalibrationRow {
  id: string;
  design: string;
  what: string;
  unit: string;
  measured: number;
  predicted: number;
  /** (predicted - measured) / measured */
  error: number;
  role: CalibrationPoint['role'];
  source: string;
}

export interface CalibrationSummary {
  rows: CalibrationRow[];
  heldOut: { count: number; medianAbsError: number; p90AbsError: number; maxAbsError: number };
  all: { count: number; medianAbsError: number };
}

/**
 * Runs the model on every measured point and summarizes the errors (held-out points apart from
 * fitted ones). A point the model calls infeasible is an error naming it and why, never a score.
 */
export function calibrate(points: CalibrationPoint[] = CALIBRATION_POINTS): CalibrationSummary {
  const chips = new Map<string, Chip>();
  const rows = points.map((p) => {
    if (!chips.has(p.design)) chips.set(p.design, loadDesign(p.design));
    let predicted: number;
    try {
      predicted = p.predict(chips.get(p.design)!);
    } catch (e) {
      if (e instanceof InfeasiblePointError) throw new ChipdseError(`calibration point ${p.id} (${p.design}) is infeasible in the model: ${e.message}`);
      throw e;
    }
    return { id: p.id, design: p.design, what: p.what, unit: p.unit, measured: p.measured, predicted, error: (predicted - p.measured) / p.measured, role: p.role, source: p.source };
  });
  const abs = (rs: CalibrationRow[]) => rs.map((r) => Math.abs(r.error));
  const held = abs(rows.filter((r) => r.role === 'held-out'));
  return {
    rows,
    heldOut: { count: held.length, medianAbsError: median(held), p90AbsError: quantile(held, 0.9), maxAbsError: Math.max(...held) },
    all: { count: rows.length, medianAbsError: median(abs(rows)) },
  };
}
