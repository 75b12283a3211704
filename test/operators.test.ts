import { loadSpace } from '../src/search/space.js';
import { crossover, mutate, neighbour, randomGenome } from '../src/search/operators.js';
import { latinHypercube, genomeAt } from '../src/search/algorithms.js';
import { makeRng } from '../src/search/rng.js';

const space = loadSpace('small');
const inRange = (g: number[]) => g.every((v, i) => Number.isInteger(v) && v >= 0 && v < space.parameters[i].values.length);

describe('variation operators', () => {
  test('children, mutants and neighbours stay inside the space', () => {
    const rng = makeRng(7);
    for (let t = 0; t < 2000; t++) {
      const a = randomGenome(space, rng);
      const b = randomGenome(space, rng);
      const [c1, c2] = crossover(space, a, b, rng);
      expect(inRange(c1) && inRange(c2) && inRange(mutate(space, a, rng)) && inRange(neighbour(space, a, rng))).toBe(true);
    }
  });

  test('crossover of an ordinal gene lands between or near its parents; a categorical gene comes from a parent', () => {
    const rng = makeRng(8);
    const cat = space.parameters.findIndex((p) => p.categorical);
    for (let t = 0; t < 2000; t++) {
      const a = randomGenome(space, rng);
      const b = randomGenome(space, rng);
      const [c1, c2] = crossover(space, a, b, rng, 1);
      expect([a[cat], b[cat]]).toContain(c1[cat]);
      expect([a[cat], b[cat]]).toContain(c2[cat]);
      // SBX keeps the children's mean at the parents' mean (before rounding and clamping).
      for (let i = 0; i < a.length; i++) if (i !== cat) expect(Math.abs(c1[i] + c2[i] - (a[i] + b[i]))).toBeLessThanOrEqual(2 * (space.parameters[i].values.length - 1));
    }
  }, 30_000);

  test('a neighbour differs in exactly one gene, by one step for ordinal genes', () => {
    const rng = makeRng(9);
    for (let t = 0; t < 2000; t++) {
      const g = randomGenome(space, rng);
      const n = neighbour(space, g, rng);
      const diff = g.map((v, i) => i).filter((i) => g[i] !== n[i]);
      expect(diff).toHaveLength(1);
      const i = diff[0];
      if (!space.parameters[i].categorical) expect(Math.abs(g[i] - n[i])).toBe(1);
    }
  }, 30_000);

  test('categorical mutation always picks a different value; mutation rate 1 changes every gene', () => {
    const rng = makeRng(10);
    for (let t = 0; t < 500; t++) {
      const g = randomGenome(space, rng);
      const m = mutate(space, g, rng, 1);
      space.parameters.forEach((p, i) => expect(m[i]).not.toBe(g[i]));
    }
  });

  test('the Latin hypercube start covers every value of a gene with as many samples as values', () => {
    const rng = makeRng(11);
    const lhs = latinHypercube(space, 40, rng);
    space.parameters.forEach((p, i) => {
      if (40 % p.values.length === 0) expect(new Set(lhs.map((g) => g[i])).size).toBe(p.values.length);
    });
  });

  test('mixed-radix enumeration visits every genome once', () => {
    const seen = new Set<string>();
    for (let k = 0; k < space.size; k++) seen.add(genomeAt(space, k).join('.'));
    expect(seen.size).toBe(space.size);
  });

  test('the generator state saved mid-stream continues the same stream', () => {
    const a = makeRng(12);
    for (let i = 0; i < 100; i++) a();
    const b = makeRng(0, a.state());
    expect(Array.from({ length: 10 }, () => a())).toEqual(Array.from({ length: 10 }, () => b()));
  });
});
