import { dominates, objectiveCount, weaklyDominates, type Point } from './dominance.js';

/**
 * Indices of `points` in lexicographic order of their objectives, ties (identical points) by index.
 * A point can only be dominated by points before it in this order, which every routine here uses.
 * O(N log N) comparisons of O(M) each.
 */
export function lexicographicOrder(points: readonly Point[]): number[] {
  const m = points.length === 0 ? 0 : points[0].length;
  // Objective 0 copied into a typed array: most comparisons end there, and read it twice as fast.
  const first = Float64Array.from(points, (p) => (m > 0 ? p[0] : 0));
  const order = Array.from({ length: points.length }, (_, i) => i);
  return order.sort((a, b) => {
    if (first[a] < first[b]) return -1;
    if (first[a] > first[b]) return 1;
    const pa = points[a];
    const pb = points[b];
    for (let j = 1; j < m; j++) {
      if (pa[j] < pb[j]) return -1;
      if (pa[j] > pb[j]) return 1;
    }
    return a - b;
  });
}

function identical(a: Point, b: Point): boolean {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/**
 * Non-dominated sorting: fronts of indices, front 0 (the Pareto front) first, indices ascending
 * within a front. Front k holds the points dominated only by points of fronts before k.
 *
 * Algorithm: ENS-BS, efficient non-dominated sort with binary search (Zhang, Tian, Cheng, Jin 2015,
 * "An efficient approach to nondominated sorting for evolutionary multiobjective optimization",
 * IEEE TEVC 19(2)). Points are visited in lexicographic order, so every possible dominator of a point
 * is already placed; the point goes to the first front none of whose members dominates it. Whether a
 * front holds a dominator is monotone in the front number (a dominator in front k is itself dominated
 * from front k-1), so the front is found by binary search. O(M N^2) worst case like Deb's fast
 * non-dominated sort, but O(N) memory and far fewer comparisons on typical sets; with two objectives
 * only a front's last member can dominate a later point, which makes it O(N log N).
 * Identical points never dominate each other and land in the same front.
 */
export function nonDominatedSort(points: readonly Point[]): number[][] {
  const m = objectiveCount(points);
  const fronts: number[][] = [];
  const frontDominates = (front: number[], p: Point): boolean => {
    if (m <= 2) return dominates(points[front[front.length - 1]], p);
    for (let k = front.length - 1; k >= 0; k--) if (dominates(points[front[k]], p)) return true;
    return false;
  };
  for (const i of lexicographicOrder(points)) {
    let lo = 0;
    let hi = fronts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (frontDominates(fronts[mid], points[i])) lo = mid + 1;
      else hi = mid;
    }
    if (lo === fronts.length) fronts.push([i]);
    else fronts[lo].push(i);
  }
  return fronts.map((front) => front.sort((a, b) => a - b));
}

/**
 * Non-dominated sorting under Deb's constrained domination (see `constrainedDominates`): the feasible
 * points (violation 0 or less) sorted by Pareto dominance come first; then the infeasible points, one
 * front per distinct violation, smallest violation first, since among infeasible points the smaller
 * violation dominates whatever the objectives. O(sort of the feasible points + N log N).
 */
export function constrainedNonDominatedSort(points: readonly Point[], violations: readonly number[]): number[][] {
  if (violations.length !== points.length) throw new RangeError(`${points.length} points but ${violations.length} violations`);
  violations.forEach((v, i) => {
    if (Number.isNaN(v)) throw new RangeError(`violation ${i} is NaN`);
  });
  const feasible = violations.flatMap((v, i) => (v <= 0 ? [i] : []));
  const fronts = nonDominatedSort(feasible.map((i) => points[i])).map((front) => front.map((k) => feasible[k]));
  const infeasible = violations.flatMap((v, i) => (v > 0 ? [i] : [])).sort((a, b) => violations[a] - violations[b] || a - b);
  for (let k = 0; k < infeasible.length; k++) {
    const i = infeasible[k];
    if (k > 0 && violations[i] === violations[infeasible[k - 1]]) fronts[fronts.length - 1].push(i);
    else fronts.push([i]);
  }
  return fronts;
}

/**
 * Answers "does an earlier visited point weakly dominate this one?" for points visited in
 * lexicographic order, each distinct point once. Since an earlier distinct point already comes
 * first in objective 0 (or ties it and comes first in the rest), only the others need checking.
 */
interface Witness {
  dominated(p: Point): boolean;
  add(p: Point): void;
}

/** Two objectives: the smallest objective 1 seen so far. O(1). */
function minimumWitness(): Witness {
  let best = Infinity;
  let seen = false;
  return {
    dominated: (p) => seen && best <= p[1],
    add: (p) => {
      seen = true;
      best = Math.min(best, p[1]);
    },
  };
}

/**
 * Three objectives: a Fenwick tree over the ranks of objective 1 holding prefix minima of
 * objective 2 (the 2D dominance query of Kung, Luccio, Preparata 1975, "On finding the maxima of a
 * set of vectors", JACM 22(4)). O(log N) a query, whatever the size of the front.
 */
function prefixMinimumWitness(points: readonly Point[]): Witness {
  const sortedY = Float64Array.from(points, (p) => p[1]).sort();
  const n = sortedY.length;
  const tree = new Float64Array(n + 1).fill(Infinity);
  const used = new Uint8Array(n + 1);
  const rank = (y: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortedY[mid] < y) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  return {
    dominated: (p) => {
      for (let r = rank(p[1]); r > 0; r -= r & -r) if (used[r] && tree[r] <= p[2]) return true;
      return false;
    },
    add: (p) => {
      for (let r = rank(p[1]); r <= n; r += r & -r) {
        used[r] = 1;
        if (p[2] < tree[r]) tree[r] = p[2];
      }
    },
  };
}

/** Four or more objectives: the front found so far, newest first. O(front size x M) a query. */
function runningFrontWitness(): Witness {
  const front: Point[] = [];
  return {
    dominated: (p) => {
      for (let k = front.length - 1; k >= 0; k--) if (weaklyDominates(front[k], p)) return true;
      return false;
    },
    add: (p) => {
      front.push(p);
    },
  };
}

/**
 * Indices of the non-dominated points, ascending. Identical points are all kept when not dominated
 * (neither dominates the other), or with `oneOfIdentical` only the first of them (the lowest
 * index): a front of distinct objective vectors, one design standing for all that share one.
 *
 * Algorithm: sort lexicographically, then visit each group of identical points once and keep it
 * unless an earlier distinct point weakly dominates it (it then dominates it). One objective: the
 * minimum. Two: a running minimum of objective 1, O(N log N). Three: a Fenwick tree of prefix minima
 * (Kung et al. 1975), O(N log N) however large the front. Four or more: the running front, each
 * point checked only against the front found so far, O(N log N + N F M) for a front of F points;
 * fronts of real design spaces are small, but a front of N points costs O(N^2).
 */
export function paretoFront(points: readonly Point[], opts: { oneOfIdentical?: boolean } = {}): number[] {
  const m = objectiveCount(points);
  if (points.length === 0) return [];
  const witness = m <= 1 ? undefined : m === 2 ? minimumWitness() : m === 3 ? prefixMinimumWitness(points) : runningFrontWitness();
  const order = lexicographicOrder(points);
  const kept = new Uint8Array(points.length);
  for (let start = 0; start < order.length; ) {
    const p = points[order[start]];
    let end = start + 1;
    while (end < order.length && identical(points[order[end]], p)) end++;
    const dominated = witness ? witness.dominated(p) : start > 0;
    if (!dominated) {
      // Ties in the order are by index: order[start] is the first of the identical points.
      for (let k = start; k < (opts.oneOfIdentical ? start + 1 : end); k++) kept[order[k]] = 1;
      witness?.add(p);
    }
    start = end;
  }
  const front: number[] = [];
  for (let i = 0; i < kept.length; i++) if (kept[i]) front.push(i);
  return front;
}
