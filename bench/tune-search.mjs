// Tuning the search in memory: every design of a space is evaluated once, then each (configuration,
// seed) runs the algorithm's propose/accept loop exactly as runSearch drives it (same generator,
// same archive, proposals of min(population, budget left)) against that table, and is scored
// against the exhaustive truth as bench/quality.mjs scores it. Thousands of runs take seconds, so
// it is the tool for trying populations and operators; bench/quality.mjs confirms the choice
// through runSearch and the store.
//
//   node bench/tune-search.mjs [--space inference-chip] [--seeds 11] [--population 8,16,rule]
//                              [--survival default,crowding,hypervolume,reference]
//                              [--mating default,crowding,hypervolume] [--shares 0.01,0.02,0.05]
//                              [--seed-from 1]
// Seeds run from --seed-from to --seed-from + --seeds - 1: tune on seeds other than the
// benchmark's 1-11 (bench/quality.mjs), e.g. --seed-from 101, and report on 1-11.
// "default" is what a run uses (survival and mating chosen by the number of objectives); "rule"
// runs each budget on its own with the default population for it (budget/32 within 8..64).
import { argValue, lib, log, summary, surrogateOption } from './lib/common.mjs';
import { loadProblemOf } from './lib/problems.mjs';
import { budgetsOf, score, truthOf } from './lib/scoring.mjs';
import { designTable, runLoop } from './lib/search-loop.mjs';

const { defaultPopulation } = await lib('search/algorithms.js');
const { loadSpace } = await lib('search/space.js');

const SPACE = argValue('space', 'inference-chip');
const SEEDS = Number(argValue('seeds', '11'));
const SEED_FROM = Number(argValue('seed-from', '1'));
const POPULATIONS = argValue('population', 'rule').split(',').map((p) => (p === 'rule' ? p : Number(p)));
const SURVIVALS = argValue('survival', 'default').split(',');
const MATING = argValue('mating', 'default').split(',');
const SHARES = argValue('shares', '0.01,0.02,0.05').split(',').map(Number);
// Surrogate pre-screening variants: "off", "default", or settings as name=value joined by ':'
// (candidates=30:plainShare=0.25:lambda=1:minFeasible=8); several separated by ','. Each cell
// prints the median (mean) [worst seed] and the seeds at 0.95 or better.
const SURROGATES = argValue('surrogate', 'default').split(',');

const { space, problem } = await loadProblemOf(SPACE, loadSpace(SPACE).defaultWorkloads);
const truth = await truthOf(SPACE, space.defaultWorkloads);
const t0 = performance.now();
const table = designTable(space, problem);
log(`tune: ${space.name} (${space.size} designs, ${space.objectives.length} objectives) evaluated in ${((performance.now() - t0) / 1000).toFixed(1)} s; true front ${truth.frontKeys.length}`);

function runOnce(seed, budget, population, survival, mating, surrogate) {
  return runLoop(space, table, seed, budget, population, { survival: survival === 'default' ? undefined : survival, mating: mating === 'default' ? undefined : mating, surrogate: surrogateOption(surrogate) });
}

const budgets = budgetsOf(space.size, SHARES);
for (const survival of SURVIVALS) for (const mating of MATING) for (const surrogate of SURROGATES) {
  for (const population of POPULATIONS) {
    const rows = budgets.map(() => []);
    const t1 = performance.now();
    for (let seed = SEED_FROM; seed < SEED_FROM + SEEDS; seed++) {
      if (population === 'rule') {
        budgets.forEach((b, k) => rows[k].push(score(truth, runOnce(seed, b.budget, defaultPopulation(b.budget), survival, mating, surrogate), b.budget)));
        continue;
      }
      const evaluated = runOnce(seed, budgets[budgets.length - 1].budget, population, survival, mating, surrogate);
      budgets.forEach((b, k) => rows[k].push(score(truth, evaluated, b.budget)));
    }
    const cells = budgets.map((b, k) => {
      const s = summary(rows[k].map((x) => x.hvRatio));
      const mean = rows[k].reduce((a, x) => a + x.hvRatio, 0) / rows[k].length;
      return `${b.share * 100}%: ${s.median.toFixed(4)} (mean ${mean.toFixed(3)}) [${s.min.toFixed(3)}] ${rows[k].filter((x) => x.hvRatio >= 0.95).length}/${SEEDS}>=.95`;
    });
    log(`  ${surrogate} survival ${survival.padEnd(11)} mating ${mating.padEnd(11)} p${String(population).padEnd(5)} ${cells.join('  ')}  (${((performance.now() - t1) / 1000).toFixed(1)} s)`);
  }
}
