import { makeAlgorithm, type AlgorithmOptions, type ArchivedPoint } from '../../src/search/algorithms.js';
import { makeRng } from '../../src/search/rng.js';
import { loadSpace, type Space } from '../../src/search/space.js';
import { genomeKey } from '../../src/results/point.js';
import type { AlgorithmState } from '../../src/results/run.js';

/** The search tests' space: `small` (2,000 designs). */
export const space: Space = loadSpace('small');

/**
 * A synthetic problem on the small space's genomes, cheap and exact: two objectives that trade off
 * (a product of the genes and its mirror), with a few designs far better in the second than their
 * neighbours (outliers, as serving latencies under their SLO are), and a feasibility limit on the
 * sum of two genes.
 */
export function evaluate(g: number[]): ArchivedPoint {
  const x = g.map((v, i) => v / Math.max(1, space.parameters[i].values.length - 1));
  const cost = Math.exp(1 + x[0] + 0.5 * x[1] + 0.3 * x[2] + 0.2 * x[3] + 0.1 * x[4]);
  const outlier = (g[0] * 7 + g[2] * 3 + g[3]) % 23 === 0 ? 0.7 : 1;
  const speed = Math.exp(2 - x[0] - 0.2 * x[1] - 0.6 * x[2] + 0.1 * x[0] * x[2]) * outlier;
  const feasible = x[1] + x[2] <= 1.5;
  return { key: genomeKey(g), genome: g, feasible, violation: feasible ? 0 : x[1] + x[2] - 1.5, objectives: [cost, speed] };
}

export interface Step {
  proposed: string[];
  state: AlgorithmState;
}

/** The propose/accept loop as runSearch drives it, from an optional stored point (archive in stored order, state, generator state). */
export function drive(budget: number, population: number, seed: number, options: AlgorithmOptions = {}, from?: { archive: ArchivedPoint[]; state: AlgorithmState; rngState: ReturnType<ReturnType<typeof makeRng>['state']> }, stopAfter = Infinity) {
  const archive = new Map<string, ArchivedPoint>();
  for (const p of from?.archive ?? []) archive.set(p.key, p);
  const rng = from ? makeRng(seed, from.rngState) : makeRng(seed);
  const alg = makeAlgorithm('nsga2', space, population, from?.state, options);
  const steps: Step[] = [];
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
