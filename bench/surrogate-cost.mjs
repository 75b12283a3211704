// What the search itself costs per proposed design (NSGA-II with its surrogate pre-screening), apart
// from evaluation: every design of the space is evaluated once into a table, then the
// propose/accept loop runs against it as bench/tune-search.mjs runs it, and only the loop's CPU
// time is counted. Also a SHA-1 of every design proposed, in order: two builds (CHIPDSE_DIST) that
// print the same hash proposed the same designs, so a speed-up that must not change results can be
// checked here.
//
//   node bench/surrogate-cost.mjs [--space inference-chip] [--runs 64:1296,8:648] [--seeds 3]
//                                 [--surrogate default|off|name=value:...]
// --runs: population:budget pairs.
import { createHash } from 'node:crypto';
import { argValue, lib, log, surrogateOption } from './lib/common.mjs';
import { loadProblemOf } from './lib/problems.mjs';
import { designTable } from './lib/search-loop.mjs';

const { makeAlgorithm } = await lib('search/algorithms.js');
const { makeRng } = await lib('search/rng.js');
const { loadSpace } = await lib('search/space.js');

const SPACE = argValue('space', 'inference-chip');
const RUNS = argValue('runs', '64:1296,8:648').split(',').map((r) => r.split(':').map(Number));
const SEEDS = Number(argValue('seeds', '3'));
const SURROGATE = argValue('surrogate', 'default');
const surrogate = surrogateOption(SURROGATE);

const { space, problem } = await loadProblemOf(SPACE, loadSpace(SPACE).defaultWorkloads);
const table = designTable(space, problem);
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
for (const [population, budget] of RUNS) {
  const hash = createHash('sha1');
  let ms = 0;
  let proposed = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const archive = new Map();
    const rng = makeRng(seed);
    const alg = makeAlgorithm('nsga2', space, population, undefined, { surrogate });
    while (archive.size < budget) {
      const c0 = cpu();
      const genomes = alg.propose(archive, Math.min(population, budget - archive.size), rng);
      ms += cpu() - c0;
      if (genomes.length === 0) break;
      const results = genomes.map((g) => table.get(g.join('.')));
      for (const r of results) {
        archive.set(r.key, r);
        hash.update(r.key).update(';');
      }
      const c1 = cpu();
      alg.accept(results, archive);
      ms += cpu() - c1;
      proposed += results.length;
    }
  }
  log(`${space.name} population ${population} to ${budget} designs, ${SEEDS} seeds, surrogate ${SURROGATE}: ${(ms / proposed).toFixed(2)} ms CPU per design proposed (${(ms / 1000 / SEEDS).toFixed(2)} s a run); proposals sha1 ${hash.digest('hex').slice(0, 12)}`);
}
