// What a search's parent pool (population and archive front) and its plain offspring look like in
// the cell parameters, generation by generation, beside when the seed first reaches a well's cell:
// whether the seeds that miss breed from a narrower pool. Every design of the space is evaluated
// once, then each seed's loop runs as bench/lib/search-loop.mjs's runLoop (population by the budget
// rule), reading the algorithm's state after each generation.
//
//   node bench/trace-parents.mjs [--space inference-chip] [--seeds 2001,2017,...] [--budget 259]
//        [--cell mxus,hbmStacks,clockGHz,linkGBps] [--well 2.4.0.2] [--surrogate default|k=v:...]
import { argValue, lib, log, surrogateOption } from './lib/common.mjs';
import { loadProblemOf } from './lib/problems.mjs';
import { score, truthOf } from './lib/scoring.mjs';
import { designTable, parameterIndex } from './lib/search-loop.mjs';

const { defaultPopulation, makeAlgorithm } = await lib('search/algorithms.js');
const { paretoFront } = await lib('pareto/index.js');
const { makeRng } = await lib('search/rng.js');
const { loadSpace } = await lib('search/space.js');

const SPACE = argValue('space', 'inference-chip');
const SEEDS = argValue('seeds', '2001').split(',').flatMap((s) => { const [a, b] = s.split('-').map(Number); return b ? Array.from({ length: b - a + 1 }, (_, k) => a + k) : [a]; });
const BUDGET = Number(argValue('budget', '259'));
const surrogate = surrogateOption(argValue('surrogate', 'default'));
const { space, problem } = await loadProblemOf(SPACE, loadSpace(SPACE).defaultWorkloads);
const truth = await truthOf(SPACE, space.defaultWorkloads);
const table = designTable(space, problem);
const cell = argValue('cell', 'mxus,hbmStacks,clockGHz,linkGBps').split(',').map((n) => parameterIndex(space, n));
const WELL = argValue('well', '2.4.0.2');
const cellOf = (g) => cell.map((i) => g[i]).join('.');
const dist = (a, b) => cell.reduce((d, i) => d + (a[i] !== b[i] ? 1 : 0), 0);
const population = defaultPopulation(BUDGET);
const mean = (a) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
for (const seed of SEEDS) {
  const archive = new Map();
  const rng = makeRng(seed);
  const alg = makeAlgorithm('nsga2', space, population, undefined, { surrogate });
  const visited = new Set();
  const poolCells = [], poolDist = [], plainNew = [], pickNew = [], frontCells = [];
  let first = -1;
  while (archive.size < BUDGET) {
    const pop = alg.state().population.map((k) => archive.get(k));
    if (pop.length) {
      const feas = [...archive.values()].filter((p) => p.feasible);
      const front = paretoFront(feas.map((p) => p.objectives)).map((i) => feas[i]);
      const pool = [...new Map([...pop, ...front].map((p) => [p.key, p])).values()];
      poolCells.push(new Set(pool.map((p) => cellOf(p.genome))).size);
      frontCells.push(new Set(front.map((p) => cellOf(p.genome))).size);
      const d = [];
      for (let i = 0; i < pool.length; i++) for (let j = i + 1; j < pool.length; j++) d.push(dist(pool[i].genome, pool[j].genome));
      poolDist.push(mean(d));
    }
    const genomes = alg.propose(archive, Math.min(population, BUDGET - archive.size), rng);
    if (genomes.length === 0) break;
    const results = genomes.map((g) => table.get(g.join('.')));
    results.forEach((r, k) => {
      const fresh = !visited.has(cellOf(r.genome)) ? 1 : 0;
      if (pop.length && genomes.length === population) (k >= population - Math.round(0.25 * population) ? plainNew : pickNew).push(fresh);
      visited.add(cellOf(r.genome));
      archive.set(r.key, r);
      if (first < 0 && r.feasible && cellOf(r.genome) === WELL) first = archive.size;
    });
    alg.accept(results, archive);
  }
  const ratio = score(truth, [...archive.values()], BUDGET).hvRatio;
  log(`seed ${seed}: ratio ${ratio.toFixed(3)} well ${first < 0 ? '-' : first}; pool cells ${mean(poolCells).toFixed(1)} (front ${mean(frontCells).toFixed(1)}), pool mean cell distance ${mean(poolDist).toFixed(2)}; new cells: picks ${mean(pickNew).toFixed(2)}, plain offspring ${mean(plainNew).toFixed(2)}; cells visited ${visited.size}`);
}
