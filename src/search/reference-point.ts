import type { PointResult } from '../results/point.js';
import type { Space } from './space.js';

/** Objective values in minimization form for a reference point given in objective units. */
export function referenceToMin(space: Space, ref: number[]): number[] {
  return ref.map((r, i) => (space.objectives[i].goal === 'max' ? -r : r));
}

/**
 * A reference point when the space names none: per objective, the worst feasible value of the
 * first generation with feasible designs, pushed out by 10% of the range seen (or of the value).
 * It is stored with the run, so every later hypervolume of the run uses the same point.
 */
export function deriveReference(space: Space, feasible: Pick<PointResult, 'objectives'>[]): number[] {
  return space.objectives.map((o, i) => {
    const vs = feasible.map((p) => p.objectives[i]);
    const minForm = pushedOut(Math.max(...vs), Math.min(...vs));
    return o.goal === 'max' ? -minForm : minForm;
  });
}

/** A reference value (minimization form): the worst value pushed out by 10% of its range to the best (or of itself). */
export function pushedOut(worst: number, best: number): number {
  return worst + 0.1 * (worst - best || Math.abs(worst) || 1);
}
