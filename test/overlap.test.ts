import seedrandom from 'seedrandom';
import { overlapSec } from '../src/kernels/time.js';
import { decodeOverlapSec, gemmOverlapSec } from '../src/eval/step-fast.js';

/**
 * overlapSec writes the usual p (2 and 3) out instead of calling its power function per part (for
 * speed, src/kernels/time.ts): it must give the bits of the general form, the p-norm as it was
 * written before, for every whole p, with parts that are zero, equal, or far apart.
 */
function reference(a: number, b: number, c: number, d: number, e: number, p: number): number {
  const power = (x: number, q: number): number => {
    const x2 = x * x;
    return q === 1 ? x : q === 2 ? x2 : q === 3 ? x2 * x : q === 4 ? x2 * x2 : x2 * x2 * power(x, q - 4);
  };
  const m = Math.max(a, b, c, d, e);
  if (m <= 0) return 0;
  let s = 0;
  for (const x of [a, b, c, d, e]) if (x > 0) s += power(x / m, p);
  if (s === 1 || p === 1) return m * s;
  return m * (p === 2 ? Math.sqrt(s) : p === 3 ? Math.cbrt(s) : p === 4 ? Math.sqrt(Math.sqrt(s)) : s ** (1 / p));
}

describe('overlapSec gives the general p-norm\'s bits', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 12])('p = %i', (p) => {
    const rng = seedrandom(`overlap-${p}`);
    // Step times: seconds from nanoseconds to a second, a part zero about a third of the time.
    const part = () => (rng() < 0.35 ? 0 : 10 ** (-9 + 9 * rng()));
    let differentFromMax = 0;
    const misses: number[][] = [];
    for (let i = 0; i < 20000; i++) {
      const xs = [part(), part(), part(), part(), part()] as const;
      const got = overlapSec(...xs, p);
      if (!Object.is(got, reference(...xs, p))) misses.push([...xs]);
      if (got !== Math.max(...xs)) differentFromMax++;
    }
    expect(misses).toEqual([]);
    // (The cases are not all "one part only": the sums and roots were exercised.)
    if (p > 1) expect(differentFromMax).toBeGreaterThan(1000);
    // Equal parts, one part, none.
    const special: [number, number, number, number, number][] = [[1e-3, 1e-3, 1e-3, 1e-3, 1e-3], [0, 2e-6, 0, 0, 0], [0, 0, 0, 0, 0], [5e-4, 0, 5e-4, 0, 1e-9]];
    for (const xs of special) {
      expect(Object.is(overlapSec(...xs, p), reference(...xs, p))).toBe(true);
    }
  });
});

describe('the step loop\'s copy for matrix products (gemmOverlapSec) gives overlapSec\'s bits', () => {
  test.each([1, 2, 3, 4, 8])('p = %i', (p) => {
    const rng = seedrandom(`gemm-overlap-${p}`);
    const part = () => (rng() < 0.35 ? 0 : 10 ** (-9 + 9 * rng()));
    const misses: number[][] = [];
    for (let i = 0; i < 20000; i++) {
      const xs = [part(), part(), part(), part(), part()] as const;
      if (!Object.is(gemmOverlapSec(...xs, p), overlapSec(...xs, p))) misses.push([...xs]);
    }
    const special: [number, number, number, number, number][] = [[1e-3, 1e-3, 1e-3, 1e-3, 1e-3], [0, 2e-6, 0, 0, 0], [0, 0, 0, 0, 0]];
    for (const xs of special) {
      if (!Object.is(gemmOverlapSec(...xs, p), overlapSec(...xs, p))) misses.push([...xs]);
    }
    expect(misses).toEqual([]);
  });
});

describe('decode attention\'s written-out p = 8 (decodeOverlapSec) gives overlapSec\'s bits', () => {
  test.each([2, 3, 8])('p = %i', (p) => {
    const rng = seedrandom(`decode-overlap-${p}`);
    const part = () => (rng() < 0.35 ? 0 : 10 ** (-9 + 9 * rng()));
    const misses: number[][] = [];
    let differentFromMax = 0;
    for (let i = 0; i < 20000; i++) {
      const [a, c, d] = [part(), part(), part()];
      const got = decodeOverlapSec(a, c, d, p);
      if (!Object.is(got, overlapSec(a, 0, c, d, 0, p))) misses.push([a, c, d]);
      if (got !== Math.max(a, c, d)) differentFromMax++;
    }
    for (const [a, c, d] of [[1e-3, 1e-3, 1e-3], [0, 2e-6, 0], [0, 0, 0], [5e-4, 5e-4, 0]]) {
      if (!Object.is(decodeOverlapSec(a, c, d, p), overlapSec(a, 0, c, d, 0, p))) misses.push([a, c, d]);
    }
    expect(misses).toEqual([]);
    expect(differentFromMax).toBeGreaterThan(1000);
  });
});
