import { frontContributions, HYPERVOLUME_SURVIVAL_LIMIT, referenceDirections, survivalFor, survive, type SurvivalName } from '../src/search/survival.js';
import { hypervolume, paretoFront } from '../src/pareto/index.js';

type P = { key: string; feasible: boolean; violation: number; objectives: number[] };
const pt = (key: string, objectives: number[], violation = 0): P => ({ key, feasible: violation <= 0, violation, objectives });

/** A deterministic generator for test data (no Math.random: the data are the same every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** n points on the simplex-like front sum(x) = 1 in m objectives, plus dominated copies pushed out. */
function cloud(n: number, m: number, seed: number): P[] {
  const r = lcg(seed);
  const out: P[] = [];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: m }, () => r() + 1e-3);
    const s = x.reduce((a, b) => a + b, 0);
    out.push(pt(`f${i}`, x.map((v) => v / s)));
    out.push(pt(`d${i}`, x.map((v) => v / s + 0.2 + r())));
  }
  return out;
}

describe('survival on the last front', () => {
  test('chosen by the number of objectives: hypervolume for 2 and 3, reference directions beyond', () => {
    expect(survivalFor(2)).toBe('hypervolume');
    expect(survivalFor(3)).toBe('hypervolume');
    expect(survivalFor(4)).toBe('reference');
    expect(survivalFor(6)).toBe('reference');
  });

  test('whole fronts first: every kept point of a dominated front comes after the first front is all in', () => {
    for (const s of ['crowding', 'hypervolume', 'reference'] as SurvivalName[]) {
      const pts = cloud(10, 3, 7);
      const kept = new Set(survive(pts, 12, s));
      expect(kept.size).toBe(12);
      for (let i = 0; i < 10; i++) expect(kept.has(`f${i}`)).toBe(true);
    }
  });

  test('feasible before infeasible, infeasible by smaller violation', () => {
    const pts = [pt('a', [1, 2]), pt('b', [2, 1]), pt('x', [0, 0], 3), pt('y', [0, 0], 1), pt('z', [0, 0], 2)];
    for (const s of ['crowding', 'hypervolume', 'reference'] as SurvivalName[]) expect(survive(pts, 3, s)).toEqual(['a', 'b', 'y']);
  });

  test('hypervolume: of two nearly identical points one goes, the ends of the front stay', () => {
    const pts = [pt('a', [0, 1]), pt('b', [0.5, 0.5]), pt('c', [0.51, 0.49]), pt('d', [1, 0]), pt('e', [0.25, 0.8])];
    const kept = survive(pts, 4, 'hypervolume');
    expect(kept).toEqual(expect.arrayContaining(['a', 'd', 'e']));
    expect(kept.filter((k) => k === 'b' || k === 'c')).toHaveLength(1);
  });

  test('hypervolume keeps more hypervolume than crowding, on the front\'s own scale, on random 2- and 3-objective fronts', () => {
    let better = 0;
    for (let seed = 1; seed <= 20; seed++) {
      for (const m of [2, 3]) {
        const pts = cloud(30, m, seed).filter((p) => p.key.startsWith('f'));
        // The measure survival works in: objectives scaled to the front's range, reference 1 + 1/(n - 1).
        const lo = Array.from({ length: m }, (_, j) => Math.min(...pts.map((p) => p.objectives[j])));
        const hi = Array.from({ length: m }, (_, j) => Math.max(...pts.map((p) => p.objectives[j])));
        const scaled = (p: P) => p.objectives.map((v, j) => (v - lo[j]) / (hi[j] - lo[j]));
        const hvOf = (keys: string[]) => hypervolume(pts.filter((p) => keys.includes(p.key)).map(scaled), new Array(m).fill(1 + 1 / 29));
        if (hvOf(survive(pts, 10, 'hypervolume')) > hvOf(survive(pts, 10, 'crowding'))) better++;
      }
    }
    // Greedy removal is not optimal, so crowding may win a case, not more than a few.
    expect(better).toBeGreaterThanOrEqual(36);
  });

  test('reference directions spread the kept points: on a 4-objective front each objective\'s best member is among them', () => {
    const pts = cloud(60, 4, 3).filter((p) => p.key.startsWith('f'));
    const kept = new Set(survive(pts, 20, 'reference'));
    expect(kept.size).toBe(20);
    for (let j = 0; j < 4; j++) {
      const best = [...pts].sort((a, b) => a.objectives[j] - b.objectives[j])[0];
      // the point nearest an axis direction is the nearest to that direction's reference line
      expect(kept.has(best.key) || [...kept].some((k) => pts.find((p) => p.key === k)!.objectives[j] < best.objectives[j] + 0.05)).toBe(true);
    }
  });

  test('the choice depends on the points, never on their order (a resumed run rebuilds the same population)', () => {
    for (const s of ['crowding', 'hypervolume', 'reference'] as SurvivalName[]) {
      for (const m of [2, 3, 5]) {
        const pts = cloud(25, m, 11);
        const r = lcg(5);
        const shuffled = [...pts].sort(() => r() - 0.5);
        expect(new Set(survive(shuffled, 15, s))).toEqual(new Set(survive(pts, 15, s)));
      }
    }
  });

  test('a last front over the exact-hypervolume limit is truncated by crowding (the cost grows with its cube)', () => {
    const pts = cloud(HYPERVOLUME_SURVIVAL_LIMIT + 1, 3, 9).filter((p) => p.key.startsWith('f'));
    expect(survive(pts, 64, 'hypervolume')).toEqual(survive(pts, 64, 'crowding'));
    const under = pts.slice(0, HYPERVOLUME_SURVIVAL_LIMIT);
    expect(survive(under, 64, 'hypervolume')).not.toEqual(survive(under, 64, 'crowding'));
  });

  test('Das-Dennis directions: C(p + m - 1, m - 1) points on the unit simplex', () => {
    const d = referenceDirections(3, 4);
    expect(d).toHaveLength(15);
    for (const v of d) expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(referenceDirections(5, 3)).toHaveLength(35);
  });

  test('front contributions: the ends and the isolated member contribute most', () => {
    const pts = [pt('a', [0, 1]), pt('b', [0.5, 0.5]), pt('c', [0.51, 0.49]), pt('d', [1, 0])];
    const front = paretoFront(pts.map((p) => p.objectives));
    const c = frontContributions(pts, front);
    const at = (k: string) => c[front.indexOf(pts.findIndex((p) => p.key === k))];
    expect(at('a')).toBeGreaterThan(at('b'));
    expect(at('d')).toBeGreaterThan(at('c'));
  });
});
