// How fast a search's first visits cover the cells of a few parameters (s29, bench/NOTES.md "Early
// generations"). Every design is evaluated once; each seed's propose/accept loop runs as
// bench/tune-search.mjs runs it (population by the budget rule) to the budget, and since a shorter
// run proposes exactly the first designs of a longer one, its prefixes are the shorter runs.
// Per setting: the mean count of cells with a feasible design after each checkpoint, over all cells
// and at --at (200 GB/s by default), and the waiting-time tail: over the cells that hold a feasible
// design anywhere in the space, the share of (seed, cell) pairs not yet reached at the budget, and
// how many cells are missed by more than a quarter / half of the seeds.
//
//   node bench/cell-coverage.mjs [--space inference-chip] [--seed-from 2001] [--seeds 40] [--budget 259]
//        [--cell mxus,hbmStacks,clockGHz,linkGBps] [--at linkGBps=2] [--checkpoints 8,16,32,64,130,259]
//        [--surrogate default,name=value:...]
import { argValue, lib, log, surrogateOption } from './lib/common.mjs';
import { loadProblemOf } from './lib/problems.mjs';
import { designTable, parameterIndex, runLoop } from './lib/search-loop.mjs';

const { defaultPopulation } = await lib('search/algorithms.js');
const { loadSpace } = await lib('search/space.js');

const SPACE = argValue('space', 'inference-chip');
const FROM = Number(argValue('seed-from', '2001'));
const SEEDS = Number(argValue('seeds', '40'));
const BUDGET = Number(argValue('budget', '259'));
const CHECKS = argValue('checkpoints', '8,16,32,64,130,259').split(',').map(Number);
const { space, problem } = await loadProblemOf(SPACE, loadSpace(SPACE).defaultWorkloads);
const index = (name) => parameterIndex(space, name);
const cell = argValue('cell', 'mxus,hbmStacks,clockGHz,linkGBps').split(',').map(index);
const at = argValue('at', 'linkGBps=2').split(',').filter(Boolean).map((kv) => kv.split('=')).map(([k, v]) => [index(k), Number(v)]);
const cellOf = (g) => cell.map((i) => g[i]).join('.');
const held = (g) => at.every(([i, v]) => g[i] === v);
const table = designTable(space, problem);
const feasibleCells = new Set([...table.values()].filter((r) => r.feasible).map((r) => cellOf(r.genome)));
const heldCells = [...feasibleCells].filter((c) => { const g = new Array(space.parameters.length).fill(0); c.split('.').forEach((v, j) => (g[cell[j]] = Number(v))); return held(g); });
const population = defaultPopulation(BUDGET);
for (const setting of argValue('surrogate', 'default').split(',')) {
  const surrogate = surrogateOption(setting);
  const all = CHECKS.map(() => 0), atHeld = CHECKS.map(() => 0);
  const missed = new Map([...feasibleCells].map((c) => [c, 0]));
  for (let seed = FROM; seed < FROM + SEEDS; seed++) {
    const order = runLoop(space, table, seed, BUDGET, population, { surrogate });
    const first = new Map();
    order.forEach((r, k) => { if (r.feasible && !first.has(cellOf(r.genome))) first.set(cellOf(r.genome), { k, g: r.genome }); });
    CHECKS.forEach((b, j) => { for (const { k, g } of first.values()) if (k < b) { all[j]++; if (held(g)) atHeld[j]++; } });
    for (const c of feasibleCells) if (!first.has(c)) missed.set(c, missed.get(c) + 1);
  }
  const miss = [...missed.values()];
  const missHeld = heldCells.map((c) => missed.get(c));
  const share = (a) => (a.reduce((x, y) => x + y, 0) / (a.length * SEEDS)).toFixed(3);
  log(`${space.name} ${setting}, seeds ${FROM}-${FROM + SEEDS - 1}: feasible cells reached (of ${feasibleCells.size}; at ${argValue('at', 'linkGBps=2')} of ${heldCells.length}) by design ${CHECKS.map((b, j) => `${b}: ${(all[j] / SEEDS).toFixed(1)} (${(atHeld[j] / SEEDS).toFixed(1)})`).join(', ')}; not reached by ${BUDGET}: ${share(miss)} of seed-cells (${share(missHeld)} at held), cells missed by >25% of seeds ${miss.filter((m) => m > SEEDS / 4).length} (${missHeld.filter((m) => m > SEEDS / 4).length}), by >50% ${miss.filter((m) => m > SEEDS / 2).length} (${missHeld.filter((m) => m > SEEDS / 2).length})`);
}
