// Search quality against the exhaustive truth: hypervolume ratio (found / true) and share of the
// true front found, at budgets of 1%, 2%, 5% and 10% of the space, median and spread over seeds,
// for NSGA-II and random sampling, each run through runSearch into a temporary SQLite database.
//
// A run of budget B proposes exactly the designs that the first B proposals of a longer run do
// (proposals depend only on the archive, the algorithm state and the generator; a budget only
// truncates the last generation), so each (algorithm, seed) runs once at the largest budget and
// is scored at every prefix. --check-prefix (on by default in the full run) verifies this claim by
// running seed 1 separately at each smaller budget.
//
//   node bench/quality.mjs [--quick] [--space inference-chip] [--seeds 11] [--population 64] [--out quality]
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, argValue, hasFlag, lib, log, summary, writeResult } from './lib/common.mjs';
import { budgetsOf, score, truthOf } from './lib/scoring.mjs';

const { runSearch } = await lib('search/run.js');
const { openStore } = await lib('store/open.js');
const { loadSpace } = await lib('search/space.js');

const SPACE = argValue('space', 'inference-chip');
const SEEDS = Number(argValue('seeds', QUICK ? '3' : '11'));
// Population sizes to compare; "rule" runs each budget on its own with population = budget / 32, within 8..64.
const POPULATIONS = argValue('population', QUICK ? '64,8' : '64,8,16,32,rule').split(',').map((p) => (p === 'rule' ? p : Number(p)));
const { defaultPopulation: rulePopulation } = await lib('search/algorithms.js');
const SHARES = [0.01, 0.02, 0.05, 0.1];
const WORKERS = availableParallelism();
const CHECK_PREFIX = hasFlag('check-prefix') || !QUICK;

const space = loadSpace(SPACE);
const workloads = space.defaultWorkloads;
log(`quality: ${space.name} (${space.size} designs) on ${workloads.join(', ')}, ${SEEDS} seeds`);
const truth = await truthOf(SPACE, workloads);
log(`  truth: ${truth.feasible} feasible, front of ${truth.frontKeys.length}, sweep ${truth.sweepSeconds} s${truth.cached ? ' (cached)' : ''}`);
const budgets = budgetsOf(space.size, SHARES);
const maxBudget = budgets[budgets.length - 1].budget;

const dir = mkdtempSync(join(tmpdir(), 'chipdse-quality-'));
const db = join(dir, 'quality.db');

let runNumber = 0;
async function run(algorithm, seed, budget, population) {
  const name = `${algorithm}-p${population}-s${seed}-b${budget}-${runNumber++}`;
  const t0 = performance.now();
  await runSearch({ space: SPACE, workloads: [], algorithm, budget, population, seed, workers: WORKERS, db, run: name, resume: false });
  const seconds = (performance.now() - t0) / 1000;
  const store = await openStore(db);
  const evaluated = (await store.loadEvaluations((await store.getRun(name)).id));
  await store.close();
  return { evaluated, seconds };
}

const cells = [];
const runSeconds = {};
try {
  for (const population of POPULATIONS) {
    for (const algorithm of ['nsga2', 'random']) {
      if (algorithm === 'random' && population !== POPULATIONS[0]) continue;
      log(`  ${algorithm}${algorithm === 'nsga2' ? ` population ${population}` : ''}...`);
      const label = algorithm === 'random' ? 'random' : population === 'rule' ? 'nsga2 (population budget/32, 8..64)' : `nsga2 (population ${population})`;
      const perBudget = budgets.map(() => []);
      const times = [];
      for (let seed = 1; seed <= SEEDS; seed++) {
        if (population === 'rule') {
          for (const [k, b] of budgets.entries()) {
            const { evaluated, seconds } = await run(algorithm, seed, b.budget, rulePopulation(b.budget));
            if (k === budgets.length - 1) times.push(seconds);
            perBudget[k].push(score(truth, evaluated, b.budget));
          }
          continue;
        }
        const { evaluated, seconds } = await run(algorithm, seed, maxBudget, population);
        times.push(seconds);
        budgets.forEach((b, k) => perBudget[k].push(score(truth, evaluated, b.budget)));
      }
      runSeconds[label] = summary(times);
      budgets.forEach((b, k) => {
        const s = perBudget[k];
        cells.push({
          algorithm: label,
          population: algorithm === 'random' ? null : population === 'rule' ? rulePopulation(b.budget) : population,
          share: b.share,
          budget: b.budget,
          hvRatio: summary(s.map((x) => x.hvRatio)),
          looseHvRatio: summary(s.map((x) => x.looseHvRatio)),
          frontFound: summary(s.map((x) => x.frontFound)),
          seedsAt99: s.filter((x) => x.hvRatio >= 0.99).length,
          seedsAt95: s.filter((x) => x.hvRatio >= 0.95).length,
        });
        log(`  ${label.padEnd(22)} ${String(b.share * 100).padStart(3)}% (${b.budget}): HV ratio median ${summary(s.map((x) => x.hvRatio)).median} [${summary(s.map((x) => x.hvRatio)).min}], ${s.filter((x) => x.hvRatio >= 0.95).length}/${SEEDS} >= 0.95, front found ${summary(s.map((x) => x.frontFound)).median}`);
      });
    }
  }

  // The prefix claim, checked: seed 1 run separately at each smaller budget.
  const prefixCheck = [];
  if (CHECK_PREFIX) {
    for (const algorithm of ['nsga2', 'random']) {
      const long = await run(algorithm, 1, maxBudget, 64);
      for (const b of budgets.slice(0, -1)) {
        const short = await run(algorithm, 1, b.budget, 64);
        const same = short.evaluated.length === b.budget && short.evaluated.every((p, i) => p.key === long.evaluated[i].key);
        prefixCheck.push({ algorithm, budget: b.budget, identicalToPrefix: same });
      }
    }
    log(`  prefix check: ${prefixCheck.every((c) => c.identicalToPrefix) ? 'every shorter run is the prefix of the longer one' : 'MISMATCH'}`);
  }

  const file = writeResult(argValue('out', 'quality'), {
    space: space.name,
    spaceSize: space.size,
    workloads,
    seeds: SEEDS,
    workers: WORKERS,
    populations: POPULATIONS,
    target: { share: 0.02, hvRatio: 0.99 },
    truth: { feasible: truth.feasible, frontSize: truth.frontKeys.length, objectives: truth.objectives, reference: truth.reference, looseReference: truth.looseReference, hypervolume: truth.hypervolume, sweepSeconds: truth.sweepSeconds },
    cells,
    runSeconds,
    prefixCheck,
  });
  log(`wrote ${file}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
