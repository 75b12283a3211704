import type { AlgorithmOptions } from '../src/search/algorithms.js';
import { genomeKey } from '../src/results/point.js';
import { parentPair } from '../src/search/mating.js';
import { drive, evaluate, space } from './helpers/synthetic-search.js';

// The default is mateRare 3 on both kinds of offspring (surrogate-options.ts); each setting is compared with mateRare off.
const OFF: AlgorithmOptions = { surrogate: { mateRare: 0 } };
const settings: AlgorithmOptions[] = [{}, { surrogate: { mateRare: 3 } }, { surrogate: { mateRare: 2, mateScope: 1 } }, { surrogate: { mateRare: 3, mateScope: 2 } }];

describe('parents from less-visited cells (option mateRare)', () => {
  test.each(settings)('%j: used (proposals differ from mateRare off), nothing proposed twice, and a resumed run proposes what the uninterrupted one did', (options) => {
    const full = drive(300, 10, 7, options);
    expect(full.archive).toHaveLength(300);
    expect(full.archive.map((p) => p.key)).not.toEqual(drive(300, 10, 7, OFF).archive.map((p) => p.key));
    const part = drive(300, 10, 7, options, undefined, 9);
    const resumed = drive(300, 10, 7, options, { archive: part.archive, state: JSON.parse(JSON.stringify(part.steps.at(-1)!.state)), rngState: part.rngState });
    expect([...part.archive.map((p) => p.key), ...resumed.steps.flatMap((s) => s.proposed)]).toEqual(full.archive.map((p) => p.key));
  });

  test('a run stored before parent choice existed (its state has no mateRare) resumes as it ran, without it', () => {
    const full = drive(300, 10, 7, OFF);
    const part = drive(300, 10, 7, OFF, undefined, 9);
    const { mateRare, ...old } = JSON.parse(JSON.stringify(part.steps.at(-1)!.state));
    expect(mateRare).toBe(0);
    const resumed = drive(300, 10, 7, {}, { archive: part.archive, state: old, rngState: part.rngState });
    expect([...part.archive.map((p) => p.key), ...resumed.steps.flatMap((s) => s.proposed)]).toEqual(full.archive.map((p) => p.key));
    // and a state that records the default resumes with it
    expect(drive(300, 10, 7, {}, undefined, 1).steps[0].state.mateRare).toBe(3);
  });

  test('each parent is the tournament winner of the least-visited cell of the relevant parameters; off, the tournament draws', () => {
    // Two parameters matter (relevance 0.5 each), the rest none.
    const P = space.parameters.length;
    const relevance = [Array.from({ length: P }, (_, i) => (i < 2 ? 0.5 : 0))];
    const at = (a: number, b: number, rest = 0) => space.parameters.map((_, i) => (i === 0 ? a : i === 1 ? b : rest));
    const pop = [at(0, 0), at(0, 0, 1), at(1, 0), at(1, 1)].map(evaluate);
    const draws = (seq: number[]) => {
      let k = 0;
      return () => seq[k++ % seq.length];
    };
    // The cell of parameters 0 and 1: (0, 0) holds three evaluated designs (they differ only where
    // nothing matters), (1, 1) one, (1, 0) none.
    const archive = new Map([at(0, 0), at(0, 0, 1), at(0, 0, 2), at(1, 1)].map((g) => [genomeKey(g), evaluate(g)]));
    expect(parentPair(pop, archive, draws([0, 3, 1, 0]), 2, relevance)()).toEqual([3, 1]);
    expect(parentPair(pop, archive, draws([1, 3, 2, 0, 3, 1]), 3, relevance)()).toEqual([2, 3]);
    // Off (under 2, or no relevance yet): the tournament's own draws.
    expect(parentPair(pop, archive, draws([0, 3, 1, 0]), 0, relevance)()).toEqual([0, 3]);
    expect(parentPair(pop, archive, draws([0, 3, 1, 0]), 3, undefined)()).toEqual([0, 3]);
  });
});
