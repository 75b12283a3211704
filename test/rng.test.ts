import seedrandom from 'seedrandom';
import { makeRng, rngKey } from '../src/search/rng.js';

const draws = (rng: () => number, n = 8) => Array.from({ length: n }, () => rng());

describe('seeded generator', () => {
  test('the bare seed as key repeats: seedrandom gives "1" and "11" one stream (why rngKey has a prefix)', () => {
    expect(draws(seedrandom('11'))).toEqual(draws(seedrandom('1')));
  });

  test('seeds whose digits repeat get distinct streams', () => {
    for (const [a, b] of [[1, 11], [2, 22], [12, 1212], [3, 333], [7, 77]]) {
      expect(draws(makeRng(b))).not.toEqual(draws(makeRng(a)));
    }
  });

  test('seeds 1-40 give 40 distinct first draws', () => {
    const first = new Set(Array.from({ length: 40 }, (_, i) => makeRng(i + 1)()));
    expect(first.size).toBe(40);
  });

  test('a seed is reproducible, and a saved state resumes the same stream', () => {
    expect(draws(makeRng(5))).toEqual(draws(makeRng(5)));
    const rng = makeRng(5);
    draws(rng, 3);
    const resumed = makeRng(5, rng.state());
    expect(draws(resumed)).toEqual(draws(rng));
  });

  test('a number seed and its text are one key', () => {
    expect(rngKey(42)).toBe(rngKey('42'));
  });
});
