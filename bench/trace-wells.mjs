// Which cells of a few parameters a search has evaluated by a budget, and when it first reached
// given cells (the "wells": cells whose designs the hypervolume hangs on). Every design of the
// space is evaluated once, then each seed's propose/accept loop runs as bench/tune-search.mjs runs
// it (population by the budget rule), and its designs are read in the order proposed.
//
//   node bench/trace-wells.mjs [--space inference-chip] [--seed-from 2001] [--seeds 40] [--budget 130]
//        [--cell mxus,hbmStacks,clockGHz] [--at linkGBps=2] [--wells 2.4.0,1.2.2]
//        [--surrogate default|name=value:...] [--quiet]
// --cell: the parameters of a cell; --at: a parameter held at a value index (cells are counted
// there); --wells: cells as value indices of --cell, dot-separated, comma between cells. The
// defaults are inference-chip's two TPOT wells at 200 GB/s (bench/NOTES.md, "Relevance jumps").
import { argValue, hasFlag, lib, log, surrogateOption } from './lib/common.mjs';
import { loadProblemOf } from './lib/problems.mjs';
import { score, truthOf } from './lib/scoring.mjs';
import { designTable, parameterIndex, runLoop } from './lib/search-loop.mjs';

const { defaultPopulation } = await lib('search/algorithms.js');
const { loadSpace } = await lib('search/space.js');

const SPACE = argValue('space', 'inference-chip');
const FROM = Number(argValue('seed-from', '2001'));
const SEEDS = Number(argValue('seeds', '40'));
const BUDGET = Number(argValue('budget', '130'));
const SURROGATE = argValue('surrogate', 'default');
const surrogate = surrogateOption(SURROGATE);

const { space, problem } = await loadProblemOf(SPACE, loadSpace(SPACE).defaultWorkloads);
const truth = await truthOf(SPACE, space.defaultWorkloads);
const index = (name) => parameterIndex(space, name);
const cell = argValue('cell', 'mxus,hbmStacks,clockGHz').split(',').map(index);
const at = argValue('at', 'linkGBps=2').split(',').filter(Boolean).map((kv) => kv.split('=')).map(([k, v]) => [index(k), Number(v)]);
const wells = argValue('wells', '2.4.0,1.2.2').split(',').filter(Boolean);
const table = designTable(space, problem);
const cellOf = (g) => cell.map((i) => g[i]).join('.');
const held = (g) => at.every(([i, v]) => g[i] === v);
const cells = at.reduce((n, [i]) => n / space.parameters[i].values.length, space.size) / space.parameters.filter((_, i) => !cell.includes(i) && !at.some(([j]) => j === i)).reduce((n, p) => n * p.values.length, 1);

const population = defaultPopulation(BUDGET);
let covered = 0;
const found = new Array(wells.length + 1).fill(0);
const ratios = [];
for (let seed = FROM; seed < FROM + SEEDS; seed++) {
  const order = runLoop(space, table, seed, BUDGET, population, { surrogate });
  const reached = new Set(order.filter((r) => r.feasible && held(r.genome)).map((r) => cellOf(r.genome)));
  const first = wells.map((w) => order.findIndex((r) => r.feasible && held(r.genome) && cellOf(r.genome) === w));
  const ratio = score(truth, order, BUDGET).hvRatio;
  covered += reached.size;
  found[first.filter((f) => f >= 0).length]++;
  ratios.push(ratio);
  if (!hasFlag('quiet')) log(`seed ${seed}: hypervolume ratio ${ratio.toFixed(3)}, ${reached.size} of ${cells} cells with a feasible design, wells first reached at design ${first.map((f) => (f < 0 ? '-' : f + 1)).join(', ')}`);
}
ratios.sort((a, b) => a - b);
log(`${space.name}, ${BUDGET} designs, surrogate ${SURROGATE}, seeds ${FROM}-${FROM + SEEDS - 1}: median ${ratios[Math.floor(SEEDS / 2)].toFixed(3)}, mean ${(ratios.reduce((a, b) => a + b, 0) / SEEDS).toFixed(3)}; cells covered ${(covered / SEEDS).toFixed(1)} of ${cells} on average; seeds that reached ${found.map((n, k) => `${k} wells: ${n}`).join(', ')}`);
