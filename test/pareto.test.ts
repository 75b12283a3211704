import seedrandom from 'seedrandom';
import {
  constrainedDominates,
  constrainedNonDominatedSort,
  crowdingDistance,
  dominates,
  hypervolume,
  hypervolumeContributions,
  nonDominatedSort,
  paretoFront,
  weaklyDominates,
  type Point,
} from '../src/pareto/index.js';

type Rng = () => number;

/** n points in m objectives: uniform in [0, 1), or integers 0..levels-1 (many ties and duplicates). */
function randomPoints(rng: Rng, n: number, m: number, levels?: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => (levels ? Math.floor(rng() * levels) : rng())));
}

function randomInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** O(N^2) reference: indices not dominated by any other point, ascending. */
function bruteForceFront(points: readonly Point[]): number[] {
  return points.flatMap((p, i) => (points.some((q) => dominates(q, p)) ? [] : [i]));
}

/** Reference non-dominated sort: peel off the points no remaining point dominates, O(N^3). */
function peelFronts<T>(items: readonly T[], beats: (a: T, b: T) => boolean): number[][] {
  let left = items.map((_, i) => i);
  const fronts: number[][] = [];
  while (left.length > 0) {
    const front = left.filter((i) => !left.some((k) => beats(items[k], items[i])));
    fronts.push(front);
    left = left.filter((i) => !front.includes(i));
  }
  return fronts;
}

/**
 * Reference hypervolume by coordinate compression: the grid formed by the distinct coordinates of the
 * points and the reference in every objective; a cell counts when some point weakly dominates its
 * lower corner. Exact, O(G^M N M) for G grid lines per objective.
 */
function bruteForceHypervolume(points: readonly Point[], ref: Point): number {
  const m = ref.length;
  const lines = ref.map((r, j) => [...new Set([...points.map((p) => p[j]).filter((v) => v < r), r])].sort((a, b) => a - b));
  const cell = new Array<number>(m).fill(0);
  let total = 0;
  for (;;) {
    const lower = cell.map((c, j) => lines[j][c]);
    if (points.some((p) => weaklyDominates(p, lower))) total += cell.reduce((v, c, j) => v * (lines[j][c + 1] - lines[j][c]), 1);
    let j = 0;
    while (j < m && ++cell[j] >= lines[j].length - 1) cell[j++] = 0;
    if (j === m) return total;
  }
}

function expectRelativelyClose(actual: number, expected: number, tolerance = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const k = Math.floor(rng() * (i + 1));
    [out[i], out[k]] = [out[k], out[i]];
  }
  return out;
}

describe('dominance', () => {
  test('better in one objective and no worse in the others dominates', () => {
    expect(dominates([1, 2], [2, 3])).toBe(true);
    expect(dominates([1, 2], [1, 3])).toBe(true);
    expect(dominates([2, 3], [1, 2])).toBe(false);
    expect(dominates([1, 3, 0], [1, 3, 1])).toBe(true);
  });
  test('equal points and trade-offs dominate neither way', () => {
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([1, 3], [2, 2])).toBe(false);
    expect(dominates([2, 2], [1, 3])).toBe(false);
    expect(weaklyDominates([1, 2], [1, 2])).toBe(true);
    expect(weaklyDominates([1, 3], [2, 2])).toBe(false);
  });
  test("Deb's constrained domination", () => {
    const feasibleBad = { objectives: [9, 9], violation: 0 };
    const feasibleGood = { objectives: [1, 1], violation: 0 };
    const slightlyInfeasible = { objectives: [5, 5], violation: 0.1 };
    const veryInfeasible = { objectives: [0, 0], violation: 2 };
    expect(constrainedDominates(feasibleBad, veryInfeasible)).toBe(true);
    expect(constrainedDominates(veryInfeasible, feasibleBad)).toBe(false);
    expect(constrainedDominates(slightlyInfeasible, veryInfeasible)).toBe(true);
    expect(constrainedDominates(veryInfeasible, slightlyInfeasible)).toBe(false);
    expect(constrainedDominates(feasibleGood, feasibleBad)).toBe(true);
    expect(constrainedDominates(feasibleBad, feasibleGood)).toBe(false);
    expect(constrainedDominates({ objectives: [1, 3], violation: 0 }, { objectives: [3, 1], violation: 0 })).toBe(false);
    expect(constrainedDominates({ objectives: [1, 1], violation: 1 }, { objectives: [2, 2], violation: 1 })).toBe(false);
  });
});

describe('nonDominatedSort', () => {
  test('hand example with a duplicate', () => {
    const points = [[1, 5], [2, 2], [5, 1], [3, 3], [4, 4], [2, 2], [6, 6], [2.5, 4.5]];
    expect(nonDominatedSort(points)).toEqual([[0, 1, 2, 5], [3, 7], [4], [6]]);
  });
  test('empty and single-objective sets', () => {
    expect(nonDominatedSort([])).toEqual([]);
    expect(nonDominatedSort([[3], [1], [2], [1]])).toEqual([[1, 3], [2], [0]]);
  });
  test('rejects ragged or NaN points', () => {
    expect(() => nonDominatedSort([[1, 2], [1]])).toThrow(RangeError);
    expect(() => paretoFront([[1, Number.NaN]])).toThrow(RangeError);
  });

  test('200 seeded random sets: fronts are exact, front 0 is the Pareto front', () => {
    const rng = seedrandom('pareto-nds');
    for (let trial = 0; trial < 200; trial++) {
      const m = randomInt(rng, 2, 4);
      const points = randomPoints(rng, randomInt(rng, 5, 60), m, trial % 2 === 0 ? randomInt(rng, 2, 6) : undefined);
      const fronts = nonDominatedSort(points);

      expect(fronts.flat().sort((a, b) => a - b)).toEqual(points.map((_, i) => i));
      fronts.forEach((front, f) => {
        expect(front).toEqual([...front].sort((a, b) => a - b));
        for (const i of front) {
          if (f > 0) expect(fronts[f - 1].some((k) => dominates(points[k], points[i]))).toBe(true);
          for (const later of fronts.slice(f)) expect(later.some((k) => dominates(points[k], points[i]))).toBe(false);
        }
      });
      expect(fronts).toEqual(peelFronts(points, dominates));
      expect(paretoFront(points)).toEqual(fronts[0]);
      expect(bruteForceFront(points)).toEqual(fronts[0]);
    }
  }, 60_000);
});

describe('constrainedNonDominatedSort', () => {
  test('feasible fronts first, then infeasible points by violation', () => {
    const points = [[1, 1], [2, 2], [0, 0], [0, 5], [3, 0], [9, 9], [-1, -1]];
    const violations = [0, 0, 0.5, 0, 0, 0, 0.5];
    expect(constrainedNonDominatedSort(points, violations)).toEqual([[0, 3, 4], [1], [5], [2, 6]]);
    expect(constrainedNonDominatedSort([[0], [1], [2]], [3, 1, 2])).toEqual([[1], [2], [0]]);
    expect(() => constrainedNonDominatedSort([[0]], [])).toThrow(RangeError);
  });
  test('matches peeling under constrained domination on seeded random sets', () => {
    const rng = seedrandom('pareto-constrained');
    for (let trial = 0; trial < 100; trial++) {
      const m = randomInt(rng, 2, 3);
      const items = randomPoints(rng, randomInt(rng, 5, 40), m, 4).map((objectives) => ({
        objectives,
        violation: rng() < 0.5 ? 0 : randomInt(rng, 1, 3),
      }));
      const fronts = constrainedNonDominatedSort(
        items.map((it) => it.objectives),
        items.map((it) => it.violation),
      );
      expect(fronts).toEqual(peelFronts(items, constrainedDominates));
    }
  });
});

describe('paretoFront', () => {
  test('hand examples: duplicates kept, dominated dropped', () => {
    expect(paretoFront([])).toEqual([]);
    expect(paretoFront([[2], [1], [1], [3]])).toEqual([1, 2]);
    expect(paretoFront([[1, 2], [1, 2], [2, 1], [2, 2], [1, 3], [0, 9]])).toEqual([0, 1, 2, 5]);
    expect(paretoFront([[1, 1, 1], [1, 1, 1], [0, 2, 2], [2, 0, 2], [1, 1, 2], [2, 2, 0], [1, 2, 1]])).toEqual([0, 1, 2, 3, 5]);
    expect(paretoFront([[0, 0, 0, 1], [0, 0, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]])).toEqual([0, 1, 3]);
  });

  test.each([
    [3, 200_000, undefined],
    [3, 100_000, 30],
    [2, 100_000, undefined],
    [2, 100_000, 50],
    [4, 50_000, undefined],
    [4, 50_000, 8],
  ])('%i objectives, %i seeded points (integer levels: %s): front is exact', (m, n, levels) => {
    const rng = seedrandom(`pareto-front-${m}-${n}-${levels}`);
    const points = randomPoints(rng, n, m, levels);
    const front = paretoFront(points);
    const inFront = new Uint8Array(n);
    for (const i of front) inFront[i] = 1;

    expect(front.length).toBeGreaterThan(0);
    for (let k = 1; k < front.length; k++) expect(front[k]).toBeGreaterThan(front[k - 1]);
    for (const i of front) for (const k of front) if (dominates(points[k], points[i])) throw new Error(`front point ${k} dominates front point ${i}`);
    for (let i = 0; i < n; i++) {
      if (!inFront[i] && !front.some((k) => dominates(points[k], points[i]))) throw new Error(`excluded point ${i} is not dominated by the front`);
    }
    const sample = points.slice(0, 2000);
    expect(paretoFront(sample)).toEqual(bruteForceFront(sample));
  }, 60_000);

  test('a front made of every point (points on a plane)', () => {
    const rng = seedrandom('pareto-plane');
    const points = randomPoints(rng, 20_000, 3).map((p) => {
      const sum = p[0] + p[1] + p[2];
      return p.map((v) => v / sum);
    });
    points.push([...points[7]]);
    expect(paretoFront(points).length).toBe(points.length);
  });
});

describe('crowdingDistance', () => {
  const points = [[0, 10], [1, 8], [3, 5], [6, 2], [10, 0]];

  test('boundaries are infinite, interior points add normalized neighbour gaps', () => {
    // Objective 0 (range 10): 1 -> (3-0)/10, 2 -> (6-1)/10, 3 -> (10-3)/10.
    // Objective 1 (range 10): 1 -> (10-5)/10, 2 -> (8-2)/10, 3 -> (5-0)/10.
    const distance = crowdingDistance(points, [0, 1, 2, 3, 4]);
    expect(distance[0]).toBe(Infinity);
    expect(distance[4]).toBe(Infinity);
    expect(distance[1]).toBeCloseTo(0.8, 12);
    expect(distance[2]).toBeCloseTo(1.1, 12);
    expect(distance[3]).toBeCloseTo(1.2, 12);
  });
  test('the result follows the order of the front', () => {
    const distance = crowdingDistance(points, [3, 0, 4, 1, 2]);
    expect(Array.from(distance).map((d) => Number(d.toFixed(12)))).toEqual([1.2, Infinity, Infinity, 0.8, 1.1]);
  });
  test('an objective of zero range contributes nothing', () => {
    expect(Array.from(crowdingDistance([[0, 1], [1, 1], [2, 1]], [0, 1, 2]))).toEqual([Infinity, 1, Infinity]);
    expect(Array.from(crowdingDistance([[4, 4], [4, 4], [4, 4]], [0, 1, 2]))).toEqual([0, 0, 0]);
  });
  test('ties are broken by point index', () => {
    expect(Array.from(crowdingDistance([[0, 0], [0, 0], [1, 1]], [2, 1, 0]))).toEqual([Infinity, 2, Infinity]);
    expect(crowdingDistance(points, [])).toHaveLength(0);
  });
  test('a subset front of a larger population', () => {
    const population = [[9, 9], [0, 2], [5, 5], [1, 1], [2, 0]];
    expect(Array.from(crowdingDistance(population, [1, 3, 4]))).toEqual([Infinity, 2, Infinity]);
  });
});

describe('hypervolume', () => {
  test('hand-computed examples in 1 to 4 objectives', () => {
    expect(hypervolume([[3], [1], [2]], [5])).toBe(4);
    // Staircase (4-1)(4-3) + (4-2)(3-2) + (4-3)(2-1).
    expect(hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4])).toBe(6);
    expect(hypervolume([[1, 1, 1]], [2, 2, 2])).toBe(1);
    // Boxes of 4 and 2 overlapping in a unit cube.
    expect(hypervolume([[0, 0, 1], [1, 1, 0]], [2, 2, 2])).toBe(5);
    // Three boxes of 6, pairwise overlaps of 2, triple overlap of 1: 18 - 6 + 1.
    expect(hypervolume([[1, 2, 3], [2, 3, 1], [3, 1, 2]], [4, 4, 4])).toBe(13);
    // Two boxes of 1/4 overlapping in a cube of side 1/2: 1/4 + 1/4 - 1/16.
    expect(hypervolume([[0, 0, 0.5, 0.5], [0.5, 0.5, 0, 0]], [1, 1, 1, 1])).toBeCloseTo(0.4375, 15);
  });

  test('matches coordinate-compression brute force in 2 to 5 objectives', () => {
    const rng = seedrandom('pareto-hv');
    for (const m of [2, 3, 4, 5]) {
      for (let trial = 0; trial < 40; trial++) {
        const n = randomInt(rng, 1, m === 5 ? 8 : 12);
        const points = randomPoints(rng, n, m, trial % 2 === 0 ? 5 : undefined).map((p) => p.map((v) => v * 1.1));
        const ref = new Array(m).fill(trial % 2 === 0 ? 4.5 : 1);
        expectRelativelyClose(hypervolume(points, ref), bruteForceHypervolume(points, ref));
      }
    }
  });

  test('the 2D and 3D routines agree with WFG when a constant objective is appended', () => {
    const rng = seedrandom('pareto-hv-embed');
    for (const m of [2, 3]) {
      const points = randomPoints(rng, 80, m);
      const lifted = points.map((p) => [...p, 0.25]);
      const ref = new Array(m).fill(1);
      expectRelativelyClose(hypervolume(lifted, [...ref, 1]), 0.75 * hypervolume(points, ref), 1e-12);
      const liftedTwice = points.map((p) => [...p, 0.25, 0.5]);
      expectRelativelyClose(hypervolume(liftedTwice, [...ref, 1, 1]), 0.375 * hypervolume(points, ref), 1e-12);
    }
  });

  test('invariants: dominated points, new non-dominated points, points outside the reference, order', () => {
    const rng = seedrandom('pareto-hv-invariants');
    for (const m of [2, 3, 4, 5]) {
      for (let trial = 0; trial < 20; trial++) {
        const points = randomPoints(rng, randomInt(rng, 3, m >= 4 ? 20 : 60), m);
        const ref = new Array(m).fill(1);
        const base = hypervolume(points, ref);

        const anchor = points[randomInt(rng, 0, points.length - 1)];
        const dominated = anchor.map((v) => v + (1 - v) * rng());
        expectRelativelyClose(hypervolume([...points, dominated], ref), base, 1e-12);
        expectRelativelyClose(hypervolume([...points, [...anchor]], ref), base, 1e-12);

        let fresh: number[] | undefined;
        while (!fresh) {
          const candidate = Array.from({ length: m }, () => rng());
          if (!points.some((p) => weaklyDominates(p, candidate))) fresh = candidate;
        }
        expect(hypervolume([...points, fresh], ref)).toBeGreaterThan(base);

        expectRelativelyClose(hypervolume(shuffled(rng, points), ref), base, 1e-12);
        expect(hypervolume([...points, points[0].map((v, j) => (j === 0 ? 1 : v))], ref)).toBeCloseTo(base, 12);
      }
      const outside = randomPoints(rng, 10, m).map((p) => p.map((v, j) => (j === m - 1 ? 1 + v : v)));
      expect(hypervolume(outside, new Array(m).fill(1))).toBe(0);
      expect(hypervolume([], new Array(m).fill(1))).toBe(0);
    }
  });

  test('rejects a reference of the wrong size or not finite', () => {
    expect(() => hypervolume([[0, 0]], [1, 1, 1])).toThrow(RangeError);
    expect(() => hypervolume([[0, 0]], [1, Infinity])).toThrow(RangeError);
    expect(() => hypervolume([], [])).toThrow(RangeError);
  });
});

describe('hypervolumeContributions', () => {
  test('hand example: staircase steps, a duplicate pair and a dominated point', () => {
    const points = [[1, 3], [2, 2], [3, 1], [2.5, 2.5], [5, 0], [3, 1]];
    // (2, 2) alone covers [2, 3) x [2, 3), less the quarter that (2.5, 2.5) still covers without it.
    const contribution = Array.from(hypervolumeContributions(points, [4, 4]));
    expect(contribution).toEqual([1, 0.75, 0, 0, 0, 0]);
  });
  test('each contribution is the drop in hypervolume when the point is removed', () => {
    const rng = seedrandom('pareto-contrib');
    for (const m of [1, 2, 3, 4, 5]) {
      // Two objectives have their own sweep: more and larger sets, with ties.
      for (let trial = 0; trial < (m === 2 ? 60 : 10); trial++) {
        const points = randomPoints(rng, randomInt(rng, 1, m === 2 ? 40 : 15), m, trial % 2 === 0 ? 4 : undefined);
        const ref = new Array(m).fill(trial % 2 === 0 ? 3.5 : 0.9);
        const total = hypervolume(points, ref);
        const contribution = hypervolumeContributions(points, ref);
        expect(contribution).toHaveLength(points.length);
        points.forEach((_, i) => {
          const without = hypervolume(points.filter((__, k) => k !== i), ref);
          expect(Math.abs(contribution[i] - (total - without))).toBeLessThanOrEqual(1e-9 * Math.max(1, total));
        });
      }
    }
  });
});
