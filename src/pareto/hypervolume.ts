import { objectiveCount, weaklyDominates, type Point } from './dominance.js';
import { paretoFront } from './sort.js';

/**
 * Exact hypervolume: the volume of objective space dominated by a point set and bounded by a
 * reference point (all objectives minimized). Points that do not strictly dominate the reference in
 * every objective add nothing and are ignored. Coordinates are expected finite.
 *
 * Algorithms, by number of objectives M:
 *   1      the distance from the best point to the reference;
 *   2      sort by objective 0 and sweep, adding one slab per improvement of objective 1, O(N log N);
 *   3      dimension sweep along objective 2 (Fonseca, Paquete, Lopez-Ibanez 2006, "An improved
 *          dimension-sweep algorithm for the hypervolume indicator", CEC), keeping the 2D staircase of
 *          objectives 0 and 1 in a sorted array and its area up to date on each insertion:
 *          O(N log N) comparisons plus O(N^2) worst-case array moves;
 *   4 or more  WFG (While, Bradstreet, Barone 2012, "A fast way of calculating exact hypervolumes",
 *          IEEE TEVC 16(1)): slice along the last objective, and take each point's exclusive volume
 *          in the remaining objectives as its box minus the hypervolume of its limit set (the other
 *          points clipped to its box, dominated ones removed), recursing down to the 3D routine.
 *          Exponential in M in the worst case, fast in practice for the small fronts of a search.
 */
export function hypervolume(points: readonly Point[], ref: Point): number {
  const m = checkReference(points, ref);
  return volume(points.filter((p) => strictlyInside(p, ref)), ref, m);
}

/**
 * The exclusive contribution of each point: how much the hypervolume drops when that point alone is
 * removed. 0 for dominated points, for points that do not dominate the reference, and for each of a
 * group of identical points. A front point's contribution is its box minus the hypervolume of its
 * limit set (every other point clipped to the box, dominated points included: one dominated only by
 * this point covers part of its box once it is gone), so F hypervolume computations of N points for
 * a front of F points. Two objectives take O(N log N): each front point's exclusive region is the
 * rectangle up to its staircase neighbours, less what the points inside that rectangle cover.
 */
export function hypervolumeContributions(points: readonly Point[], ref: Point): Float64Array {
  const m = checkReference(points, ref);
  const contribution = new Float64Array(points.length);
  const inside = points.flatMap((p, i) => (strictlyInside(p, ref) ? [i] : []));
  const front = paretoFront(inside.map((i) => points[i])).map((k) => inside[k]);
  if (m === 2) return contributions2d(points, inside, front, ref, contribution);
  for (const i of front) {
    const p = points[i];
    if (front.some((k) => k !== i && weaklyDominates(points[k], p))) continue;
    const limit = inside.flatMap((k) => (k === i ? [] : [worse(p, points[k], m)]));
    contribution[i] = Math.max(0, boxVolume(p, ref, m) - volume(limit, ref, m));
  }
  return contribution;
}

/**
 * Two objectives: the front as a staircase (x increasing, y decreasing, one step per group of
 * identical points). Step k owns the rectangle [x_k, x_k+1) x [y_k, y_k-1); a dominated point can lie in
 * at most one such rectangle, and then covers a corner of it.
 */
function contributions2d(points: readonly Point[], inside: number[], front: number[], ref: Point, contribution: Float64Array): Float64Array {
  const steps = [...front].sort((a, b) => points[a][0] - points[b][0] || a - b);
  const stepOf = new Map<number, number>();
  const xs: number[] = [];
  const ys: number[] = [];
  const shared: boolean[] = [];
  for (const i of steps) {
    const [x, y] = points[i];
    const last = xs.length - 1;
    if (last >= 0 && xs[last] === x && ys[last] === y) shared[last] = true;
    else {
      xs.push(x);
      ys.push(y);
      shared.push(false);
    }
    stepOf.set(i, xs.length - 1);
  }
  const right = (k: number): number => (k + 1 < xs.length ? xs[k + 1] : ref[0]);
  const top = (k: number): number => (k > 0 ? ys[k - 1] : ref[1]);
  const inRectangle: Point[][] = xs.map(() => []);
  for (const i of inside) {
    if (stepOf.has(i)) continue;
    const q = points[i];
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid] <= q[0]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && q[1] < top(lo - 1)) inRectangle[lo - 1].push(q);
  }
  for (const [i, k] of stepOf) {
    if (shared[k]) continue;
    const rectangle = (right(k) - xs[k]) * (top(k) - ys[k]);
    contribution[i] = Math.max(0, rectangle - volume(inRectangle[k], [right(k), top(k)], 2));
  }
  return contribution;
}

function checkReference(points: readonly Point[], ref: Point): number {
  const m = objectiveCount(points);
  if (ref.length === 0) throw new RangeError('the reference point has no objectives');
  if (points.length > 0 && ref.length !== m) throw new RangeError(`the reference point has ${ref.length} objectives, the points ${m}`);
  ref.forEach((r, j) => {
    if (!Number.isFinite(r)) throw new RangeError(`reference objective ${j} is ${r}, not a finite number`);
  });
  return ref.length;
}

function strictlyInside(p: Point, ref: Point): boolean {
  for (let j = 0; j < ref.length; j++) if (!(p[j] < ref[j])) return false;
  return true;
}

/** Volume of the box from `p` to `ref` in the first `d` objectives. */
function boxVolume(p: Point, ref: Point, d: number): number {
  let v = 1;
  for (let j = 0; j < d; j++) v *= ref[j] - p[j];
  return v;
}

/** The componentwise worse (larger) of two points in the first `d` objectives. */
function worse(a: Point, b: Point, d: number): number[] {
  const w = new Array<number>(d);
  for (let j = 0; j < d; j++) w[j] = a[j] > b[j] ? a[j] : b[j];
  return w;
}

/** Hypervolume in the first `d` objectives of points that all strictly dominate `ref` there. */
function volume(points: readonly Point[], ref: Point, d: number): number {
  if (points.length === 0) return 0;
  if (points.length === 1) return boxVolume(points[0], ref, d);
  if (d === 1) return ref[0] - Math.min(...points.map((p) => p[0]));
  if (d === 2) return volume2d(points, ref);
  if (d === 3) return volume3d(points, ref);
  return wfg(distinctNonDominated(points, d), ref, d);
}

/** Sort by objective 0 and add a slab for each new best objective 1. O(N log N). */
function volume2d(points: readonly Point[], ref: Point): number {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let area = 0;
  let bestY = ref[1];
  for (const p of sorted) {
    if (p[1] >= bestY) continue;
    area += (ref[0] - p[0]) * (bestY - p[1]);
    bestY = p[1];
  }
  return area;
}

/**
 * The 2D front of objectives 0 and 1 as a staircase sorted by x (strictly increasing) with y
 * strictly decreasing, and the area it dominates up to the reference.
 */
class Staircase {
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private covered = 0;

  constructor(
    private readonly refX: number,
    private readonly refY: number,
  ) {}

  get area(): number {
    return this.covered;
  }

  /** Insert (x, y); returns the area it adds, 0 when the staircase already covers it. */
  insert(x: number, y: number): number {
    const { xs, ys } = this;
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    const heightBefore = lo > 0 ? ys[lo - 1] : this.refY;
    if (heightBefore <= y) return 0;
    const removeFrom = lo > 0 && xs[lo - 1] === x ? lo - 1 : lo;
    let added = 0;
    let edgeX = x;
    let height = heightBefore;
    let next = lo;
    for (; next < xs.length && ys[next] >= y; next++) {
      added += (xs[next] - edgeX) * (height - y);
      edgeX = xs[next];
      height = ys[next];
    }
    added += ((next < xs.length ? xs[next] : this.refX) - edgeX) * (height - y);
    xs.splice(removeFrom, next - removeFrom, x);
    ys.splice(removeFrom, next - removeFrom, y);
    this.covered += added;
    return added;
  }
}

/** Sweep objective 2 upwards; between two levels the volume is the staircase area times the gap. */
function volume3d(points: readonly Point[], ref: Point): number {
  const sorted = [...points].sort((a, b) => a[2] - b[2]);
  const stairs = new Staircase(ref[0], ref[1]);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    stairs.insert(sorted[i][0], sorted[i][1]);
    const nextZ = i + 1 < sorted.length ? sorted[i + 1][2] : ref[2];
    total += stairs.area * (nextZ - sorted[i][2]);
  }
  return total;
}

/**
 * WFG with slicing along the last objective: with the points sorted by it worst first, each point's
 * slab reaches from its value to the reference and its cross-section is its exclusive volume in the
 * first d-1 objectives with respect to the points after it (those better in objective d-1).
 * `points` are non-dominated and distinct in the first d objectives.
 */
function wfg(points: readonly Point[], ref: Point, d: number): number {
  const sorted = [...points].sort((a, b) => b[d - 1] - a[d - 1]);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i];
    const limit: Point[] = [];
    for (let k = i + 1; k < sorted.length; k++) limit.push(worse(p, sorted[k], d - 1));
    const exclusive = boxVolume(p, ref, d - 1) - volume(limit, ref, d - 1);
    total += exclusive * (ref[d - 1] - p[d - 1]);
  }
  return total;
}

/** The non-dominated points in the first `d` objectives, one of each group of identical points. */
function distinctNonDominated(points: readonly Point[], d: number): Point[] {
  const sorted = [...points].sort((a, b) => {
    for (let j = 0; j < d; j++) if (a[j] !== b[j]) return a[j] - b[j];
    return 0;
  });
  const front: Point[] = [];
  for (const p of sorted) {
    let covered = false;
    for (let k = front.length - 1; k >= 0 && !covered; k--) {
      covered = true;
      for (let j = 0; j < d; j++) {
        if (front[k][j] > p[j]) {
          covered = false;
          break;
        }
      }
    }
    if (!covered) front.push(p);
  }
  return front;
}
