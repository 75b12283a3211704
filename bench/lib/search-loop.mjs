// The search's propose/accept loop in memory, against a table of every design of a space evaluated
// once: what bench/tune-search.mjs, tune-seeds.mjs, trace-wells.mjs and cell-coverage.mjs run (and
// surrogate-cost.mjs's table). The loop is runSearch's: the same generator, the same archive, and
// proposals of min(population, budget left).
import { lib } from './common.mjs';

const { evaluateGenome } = await lib('search/problem.js');
const { genomeAt, makeAlgorithm } = await lib('search/algorithms.js');
const { makeRng } = await lib('search/rng.js');

/** Every design of `space` evaluated once on `problem`, by key: what a run reads instead of evaluating. */
export function designTable(space, problem) {
  const table = new Map();
  for (let i = 0; i < space.size; i++) {
    const r = evaluateGenome(problem, genomeAt(space, i));
    table.set(r.key, { key: r.key, genome: r.genome, feasible: r.feasible, violation: r.violation, objectives: r.objectives });
  }
  return table;
}

/**
 * One NSGA-II run of `budget` designs from `seed` against `table`: the designs in the order
 * proposed. `options` are makeAlgorithm's (survival, mating, surrogate). A design proposed twice
 * is an error (the search never repeats one).
 */
export function runLoop(space, table, seed, budget, population, options) {
  const archive = new Map();
  const rng = makeRng(seed);
  const alg = makeAlgorithm('nsga2', space, population, undefined, options);
  while (archive.size < budget) {
    const genomes = alg.propose(archive, Math.min(population, budget - archive.size), rng);
    if (genomes.length === 0) break;
    const results = genomes.map((g) => table.get(g.join('.')));
    for (const r of results) {
      if (archive.has(r.key)) throw new Error(`design ${r.key} proposed twice`);
      archive.set(r.key, r);
    }
    alg.accept(results, archive);
  }
  return [...archive.values()];
}

/** The index of `space`'s parameter `name`; an error naming the space where it has none. */
export function parameterIndex(space, name) {
  const i = space.parameters.findIndex((p) => p.name === name);
  if (i < 0) throw new Error(`no parameter ${name} in ${space.name}`);
  return i;
}
