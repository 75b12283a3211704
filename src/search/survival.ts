import { constrainedNonDominatedSort, crowdingDistance, hypervolumeContributions, type Point } from '../pareto/index.js';
import type { PointResult } from '../results/point.js';

/** What survival reads of a point. */
type ArchivedPoint = Pick<PointResult, 'key' | 'feasible' | 'violation' | 'objectives'>;

/**
 * Environmental selection: which `size` of the merged parents and offspring form the next
 * population. Whole fronts under constrained domination are kept in order; the front that does not
 * fit (the last front) is truncated by one of:
 *   crowding     NSGA-II's crowding distance (Deb, Pratap, Agarwal, Meyarivan 2002);
 *   hypervolume  the members of least exclusive hypervolume removed one at a time, contributions
 *                recomputed after each removal, as SMS-EMOA does (Beume, Naujoks, Emmerich 2007,
 *                EJOR 181(3)); exact, for 2 and 3 objectives, where the contributions are cheap;
 *   reference    NSGA-III's niching on Das-Dennis reference directions (Deb, Jain 2014, IEEE TEVC
 *                18(4)): the least crowded direction gets the member nearest to it; for 4 or more
 *                objectives, where hypervolume costs grow exponentially and crowding degrades.
 * Every choice depends only on the points and their keys (ties by key), never on a generator, so
 * a population stored with a run is rebuilt exactly and a resumed run continues identically.
 */
export type SurvivalName = 'crowding' | 'hypervolume' | 'reference';

/** The survival a search uses for `objectives` objectives when none is asked for. */
export function survivalFor(objectives: number): SurvivalName {
  return objectives <= 3 ? 'hypervolume' : 'reference';
}

/**
 * The largest last front truncated by exact hypervolume; a larger one is truncated by crowding.
 * Greedy removal costs one set of contributions per removed member, each F hypervolumes of F
 * points: measured on 3-objective fronts on the shared 2-core machine under load, one set took
 * 68 ms at 100 points, 390 ms at 500 and 2.3 s at 1,000. 128 is the merged parents and offspring of
 * the largest default population (64, `defaultPopulation`), so a run with the default population
 * always gets exact hypervolume survival; a population set above 64 may not.
 */
export const HYPERVOLUME_SURVIVAL_LIMIT = 128;
/** The largest first front whose members are compared by exclusive hypervolume in tournaments (one set per generation; see above). */
export const HYPERVOLUME_MATING_LIMIT = 500;

const byKey = (pts: readonly ArchivedPoint[]) => (a: number, b: number) => (pts[a].key < pts[b].key ? -1 : pts[a].key > pts[b].key ? 1 : 0);

export function survive(merged: readonly ArchivedPoint[], size: number, survival: SurvivalName): string[] {
  const fronts = constrainedNonDominatedSort(
    merged.map((p) => p.objectives),
    merged.map((p) => p.violation),
  );
  const next: string[] = [];
  for (const f of fronts) {
    if (next.length + f.length <= size) {
      for (const i of f) next.push(merged[i].key);
      if (next.length === size) break;
      continue;
    }
    const want = size - next.length;
    const feasible = merged[f[0]].feasible;
    const pick = !feasible || survival === 'crowding' ? byCrowding(merged, f, want) : survival === 'hypervolume' ? byHypervolume(merged, f, want) : byReference(merged, fronts, f, size - want, want);
    for (const i of pick) next.push(merged[i].key);
    break;
  }
  return next;
}

function byCrowding(pts: readonly ArchivedPoint[], front: number[], want: number): number[] {
  const d = crowdingDistance(
    pts.map((p) => p.objectives),
    front,
  );
  const at = new Map(front.map((i, j) => [i, d[j]]));
  const tie = byKey(pts);
  return [...front].sort((a, b) => at.get(b)! - at.get(a)! || tie(a, b)).slice(0, want);
}

/** Objectives scaled to [0, 1] by the minimum and maximum of `front` (a flat objective maps to 0). */
function normalized(pts: readonly ArchivedPoint[], front: readonly number[]): Point[] {
  const m = pts[front[0]].objectives.length;
  const lo = Array.from({ length: m }, (_, j) => Math.min(...front.map((i) => pts[i].objectives[j])));
  const hi = Array.from({ length: m }, (_, j) => Math.max(...front.map((i) => pts[i].objectives[j])));
  return front.map((i) => pts[i].objectives.map((v, j) => (hi[j] > lo[j] ? (v - lo[j]) / (hi[j] - lo[j]) : 0)));
}

/**
 * Greedy removal by least exclusive hypervolume in the front's normalized objectives, with the
 * reference at 1 + 1/(n - 1) in each (n the front's size): Ishibuchi et al. 2017 ("How to specify a
 * reference point in hypervolume calculation for fair performance comparison", Evolutionary
 * Computation 26(3)) show that this offset gives the extreme members about the share of a uniform
 * spread, where a reference at the nadir would give them nothing and a far one everything.
 */
function byHypervolume(pts: readonly ArchivedPoint[], front: number[], want: number): number[] {
  if (front.length > HYPERVOLUME_SURVIVAL_LIMIT || pts[front[0]].objectives.length > 3) return byCrowding(pts, front, want);
  const objs = normalized(pts, front);
  const m = objs[0].length;
  const ref = new Array<number>(m).fill(1 + 1 / Math.max(1, front.length - 1));
  let alive = front.map((_, j) => j);
  const tie = byKey(pts);
  while (alive.length > want) {
    const c = hypervolumeContributions(
      alive.map((j) => objs[j]),
      ref,
    );
    let worst = 0;
    for (let k = 1; k < alive.length; k++) {
      if (c[k] < c[worst] || (c[k] === c[worst] && tie(front[alive[k]], front[alive[worst]]) > 0)) worst = k;
    }
    alive = alive.filter((_, k) => k !== worst);
  }
  return alive.map((j) => front[j]);
}

/** Exclusive hypervolume of each member of a non-dominated `front` (normalized as byHypervolume does). */
export function frontContributions(pts: readonly ArchivedPoint[], front: number[]): Float64Array {
  if (front.length < 2) return new Float64Array(front.length).fill(1);
  const objs = normalized(pts, front);
  const ref = new Array<number>(objs[0].length).fill(1 + 1 / Math.max(1, front.length - 1));
  return hypervolumeContributions(objs, ref);
}

/** Das-Dennis points: every vector of m non-negative multiples of 1/p summing to 1. */
export function referenceDirections(m: number, p: number): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[], left: number) => {
    if (prefix.length === m - 1) {
      out.push([...prefix, left].map((x) => x / p));
      return;
    }
    for (let k = 0; k <= left; k++) walk([...prefix, k], left - k);
  };
  walk([], p);
  return out;
}

/** Divisions p whose C(p + m - 1, m - 1) directions are the fewest at least `size`. */
function divisionsFor(m: number, size: number): number {
  let p = 1;
  const count = (q: number) => {
    let c = 1;
    for (let k = 1; k < m; k++) c = (c * (q + k)) / k;
    return c;
  };
  while (count(p) < size) p++;
  return p;
}

/**
 * NSGA-III niching. The kept fronts and the last front are normalized together by their ideal point
 * and their per-objective maximum (the simple normalization of Blank, Deb, Roy 2019 when the
 * extreme-point hyperplane is degenerate, used here always so that no state is needed), each member
 * is associated with the direction of least perpendicular distance, and directions are filled
 * least-counted first, each taking its nearest unchosen last-front member (ties by key).
 */
function byReference(pts: readonly ArchivedPoint[], fronts: number[][], last: number[], keptCount: number, want: number): number[] {
  const kept = fronts.flat().slice(0, keptCount);
  const members = [...kept, ...last];
  const objs = normalized(pts, members);
  const m = objs[0].length;
  const dirs = referenceDirections(m, divisionsFor(m, keptCount + want));
  const unit = dirs.map((d) => {
    const n = Math.hypot(...d);
    return d.map((x) => x / n);
  });
  const assoc = objs.map((f) => {
    let best = 0;
    let bestDist = Infinity;
    unit.forEach((u, r) => {
      const t = f.reduce((s, x, j) => s + x * u[j], 0);
      const dist = Math.hypot(...f.map((x, j) => x - t * u[j]));
      if (dist < bestDist) {
        bestDist = dist;
        best = r;
      }
    });
    return { dir: best, dist: bestDist };
  });
  const count = new Array<number>(dirs.length).fill(0);
  for (let k = 0; k < kept.length; k++) count[assoc[k].dir]++;
  const tie = byKey(pts);
  const open = last.map((i, j) => ({ i, ...assoc[kept.length + j] }));
  const closed = new Set<number>();
  const out: number[] = [];
  while (out.length < want) {
    let r = -1;
    for (let d = 0; d < dirs.length; d++) if (!closed.has(d) && (r < 0 || count[d] < count[r])) r = d;
    const candidates = open.filter((o) => o.dir === r);
    if (candidates.length === 0) {
      closed.add(r);
      continue;
    }
    candidates.sort((a, b) => a.dist - b.dist || tie(a.i, b.i));
    const chosen = candidates[0];
    out.push(chosen.i);
    open.splice(open.indexOf(chosen), 1);
    count[r]++;
  }
  return out;
}
