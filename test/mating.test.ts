import { makeAlgorithm, type AlgorithmOptions, type ArchivedPoint } from '../src/search/algorithms.js';
import { makeRng } from '../src/search/rng.js';
import { loadSpace, type Space } from '../src/search/space.js';
import { genomeKey } from '../src/results/point.js';
import type { AlgorithmState } from '../src/results/run.js';
import { parentPair } from '../src/search/mating.js';

const space: Space = loadSpace('small');

/** The synthetic two-objective problem of surrogate.test.ts (outliers, a feasibility limit). */
function evaluate(g: number[]): ArchivedPoint {
  const x = g.map((v, i) => v / Math.max(1, space.parameters[i].values.length - 1));
  const cost = Math.exp(1 + x[0] + 0.5 * x[1] + 0.3 * x[2] + 0.2 * x[3] + 0.1 * x[4]);
  const outlier = (g[0] * 7 + g[2] * 3 + g[3]) % 23 === 0 ? 0.7 : 1;
  const speed = Math.exp(2 - x[0] - 0.2 * x[1] - 0.6 * x[2] + 0.1 * x[0] * x[2]) * outlier;
  const feasible = x[1] + x[2] <= 1.5;
  return { key: genomeKey(g), genome: g, feasible, violation: feasible ? 0 : x[1] + x[2] - 1.5, objectives: [cost, speed] };
}

/** runSearch's propose/accept loop, from an optional stored point (archive in stored order, state, generator). */
function drive(budget: number, population: number, seed: number, options: AlgorithmOptions, from?: { archive: ArchivedPoint[]; state: AlgorithmState; rngState: ReturnType<ReturnType<typeof makeRng>['state']> }, stopAfter = Infinity) {
  const archive = new Map<string, ArchivedPoint>();
  for (const p of from?.archive ?? []) archive.set(p.key, p);
  const rng = from ? makeRng(seed, from.rngState) : makeRng(seed);
  const alg = makeAlgorithm('nsga2', space, population, from?.state, options);
  const steps: { proposed: string[]; state: AlgorithmState }[] = [];
  let rngState = rng.state();
  while (archive.size < budget && steps.length < stopAfter) {
    const genomes = alg.propose(archive, Math.min(population, budget - archive.size), rng);
    if (genomes.length === 0) break;
    const results = genomes.map(evaluate);
    for (const r of results) {
      if (archive.has(r.key)) throw new Error(`design ${r.key} proposed twice`);
      archive.set(r.key, r);
    }
    alg.accept(results, archive);
    rngState = rng.state();
    steps.push({ proposed: results.map((r) => r.key), state: alg.state() });
  }
  return { archive: [...archive.values()], steps, rngState };
}

const settings: AlgorithmOptions[] = [{ surrogate: { mateRare: 3 } }, { surrogate: { mateRare: 2, mateScope: 1 } }, { surrogate: { mateRare: 3, mateScope: 2 } }];

describe('parents from less-visited cells (option mateRare)', () => {
  test.each(settings)('%j: used (proposals differ from the default), nothing proposed twice, and a resumed run proposes what the uninterrupted one did', (options) => {
    const full = drive(300, 10, 7, options);
    expect(full.archive).toHaveLength(300);
    expect(full.archive.map((p) => p.key)).not.toEqual(drive(300, 10, 7, {}).archive.map((p) => p.key));
    const part = drive(300, 10, 7, options, undefined, 9);
    const resumed = drive(300, 10, 7, options, { archive: part.archive, state: JSON.parse(JSON.stringify(part.steps.at(-1)!.state)), rngState: part.rngState });
    expect([...part.archive.map((p) => p.key), ...resumed.steps.flatMap((s) => s.proposed)]).toEqual(full.archive.map((p) => p.key));
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
