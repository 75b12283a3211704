import type { Point } from './dominance.js';

/**
 * NSGA-II crowding distance of the points of one front (Deb, Pratap, Agarwal, Meyarivan 2002,
 * "A fast and elitist multiobjective genetic algorithm: NSGA-II", IEEE TEVC 6(2), section III-B),
 * aligned with `front`: `result[k]` belongs to `points[front[k]]`.
 *
 * Per objective, the front is sorted by value (ties by point index, so the result is deterministic);
 * the first and last points get Infinity, every other point adds the gap between its two neighbours
 * divided by the objective's range (max - min over the front). An objective whose range is zero (or
 * not finite) separates no point and adds 0 to all, boundaries included: a front of identical points
 * has distance 0 everywhere. O(M F log F) for a front of F points.
 */
export function crowdingDistance(points: readonly Point[], front: readonly number[]): Float64Array {
  const size = front.length;
  const distance = new Float64Array(size);
  if (size === 0) return distance;
  for (const i of front) if (!(i >= 0 && i < points.length && Number.isInteger(i))) throw new RangeError(`front index ${i} is not a point index`);
  const m = points[front[0]].length;
  const order = Array.from({ length: size }, (_, k) => k);
  for (let j = 0; j < m; j++) {
    const value = (k: number): number => points[front[k]][j];
    order.sort((a, b) => (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : front[a] - front[b] || a - b));
    const range = value(order[size - 1]) - value(order[0]);
    if (!(range > 0 && Number.isFinite(range))) continue;
    distance[order[0]] = Infinity;
    distance[order[size - 1]] = Infinity;
    for (let k = 1; k < size - 1; k++) distance[order[k]] += (value(order[k + 1]) - value(order[k - 1])) / range;
  }
  return distance;
}
