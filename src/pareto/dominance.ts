/**
 * Pareto dominance between objective vectors. Every objective is minimized: callers negate the
 * ones they maximize before they get here.
 */

/** One point in objective space: one number per objective, all minimized. */
export type Point = readonly number[];

/** A point with its constraint violation: 0 (or less) when feasible, the amount of violation otherwise. */
export interface ConstrainedPoint {
  objectives: Point;
  violation: number;
}

/** True when `a` is no worse than `b` in every objective and strictly better in at least one. O(M). */
export function dominates(a: Point, b: Point): boolean {
  let strictlyBetter = false;
  for (let j = 0; j < a.length; j++) {
    if (a[j] > b[j]) return false;
    if (a[j] < b[j]) strictlyBetter = true;
  }
  return strictlyBetter;
}

/** True when `a` is no worse than `b` in every objective (so also when the two are equal). O(M). */
export function weaklyDominates(a: Point, b: Point): boolean {
  for (let j = 0; j < a.length; j++) if (a[j] > b[j]) return false;
  return true;
}

/**
 * Deb's constrained domination (Deb, Pratap, Agarwal, Meyarivan 2002, "A fast and elitist
 * multiobjective genetic algorithm: NSGA-II", IEEE TEVC 6(2), section IV): a feasible point beats an
 * infeasible one; of two infeasible points the one with the smaller violation wins, whatever its
 * objectives; of two feasible points, Pareto dominance decides. A violation of 0 or less is feasible.
 */
export function constrainedDominates(a: ConstrainedPoint, b: ConstrainedPoint): boolean {
  const aFeasible = a.violation <= 0;
  const bFeasible = b.violation <= 0;
  if (aFeasible && bFeasible) return dominates(a.objectives, b.objectives);
  if (aFeasible !== bFeasible) return aFeasible;
  return a.violation < b.violation;
}

/**
 * The number of objectives of a point set (0 when it is empty), after checking that every point has
 * that many and that none is NaN, which no ordering can place. Throws RangeError otherwise.
 */
export function objectiveCount(points: readonly Point[]): number {
  if (points.length === 0) return 0;
  const m = points[0].length;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (p.length !== m) throw new RangeError(`point ${i} has ${p.length} objectives, point 0 has ${m}`);
    for (let j = 0; j < m; j++) if (Number.isNaN(p[j])) throw new RangeError(`point ${i} has NaN in objective ${j}`);
  }
  return m;
}
