// Peer: the same problem driven by Optuna's NSGAIISampler (bench/peer/optuna_nsga2.py, through the
// JSON bridge bench/peer/bridge.mjs to the same evaluator), at the same budgets in unique
// evaluations, scored by the same hypervolume code against the same truth as bench/quality.mjs;
// and the wall time of a run with Optuna's SQLite storage (RDBStorage) against runSearch with ours.
// Skips, saying why, where Optuna is not installed.
//
//   node bench/peer.mjs [--quick] [--seeds 11] [--population 64]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, ROOT, argValue, lib, log, summary, writeResult } from './lib/common.mjs';
import { budgetsOf, score, truthOf } from './lib/scoring.mjs';

const PYTHON = '/usr/bin/python3';
const SPACE = argValue('space', 'inference-chip');
const SEEDS = Number(argValue('seeds', QUICK ? '3' : '11'));
const POPULATION = Number(argValue('population', '64'));
const SHARES = [0.01, 0.02, 0.05, 0.1];

const probe = spawnSync(PYTHON, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8' });
if (probe.status !== 0) {
  const reason = probe.error ? `${PYTHON} not found` : 'optuna is not installed for /usr/bin/python3';
  log(`peer: SKIPPED: ${reason} (Debian: apt-get install -y python3-optuna)`);
  writeResult('peer', { skipped: `${reason}; install it with apt-get install -y python3-optuna` });
  process.exit(0);
}
const optunaVersion = probe.stdout.trim();

const { runSearch } = await lib('search/run.js');
const { loadSpace } = await lib('search/space.js');
const space = loadSpace(SPACE);
const truth = await truthOf(SPACE, space.defaultWorkloads);
const budgets = budgetsOf(space.size, SHARES);
const maxBudget = budgets[budgets.length - 1].budget;

function optuna(seed, budget, storage, db) {
  const a = [join(ROOT, 'bench/peer/optuna_nsga2.py'), '--space', SPACE, '--budget', String(budget), '--seed', String(seed), '--population', String(POPULATION), '--storage', storage, '--node', process.execPath];
  if (db) a.push('--db', db);
  const out = execFileSync(PYTHON, a, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out);
}

/** Optuna's unique evaluations in order, as the scorer takes them (key, feasible, objectives). */
const asEvaluated = (r) => r.order.map((key) => ({ key, feasible: r.results[key].feasible, objectives: r.results[key].objectives }));

log(`peer: Optuna ${optunaVersion} NSGAIISampler (population ${POPULATION}) on ${space.name}, ${SEEDS} seeds, in-memory storage`);
const perBudget = budgets.map(() => []);
const duplicatesAt = budgets.map(() => []);
const runs = [];
for (let seed = 1; seed <= SEEDS; seed++) {
  const r = optuna(seed, maxBudget, 'memory');
  const evaluated = asEvaluated(r);
  budgets.forEach((b, k) => {
    perBudget[k].push(score(truth, evaluated, b.budget));
    // Trials spent to reach b unique designs, less b: the re-proposed ones.
    const trialsToReach = r.firstTrial[Math.min(b.budget, r.firstTrial.length) - 1] + 1;
    duplicatesAt[k].push((trialsToReach - Math.min(b.budget, r.unique)) / trialsToReach);
  });
  runs.push({ seed, unique: r.unique, trials: r.trials, duplicates: r.duplicates, hitTrialCap: r.hitTrialCap, wallSec: r.wallSec, evalSec: r.evalSec, bridgeSec: r.bridgeSec });
  log(`  seed ${seed}: ${r.unique} unique in ${r.trials} trials (${r.duplicates} re-proposed), ${r.wallSec.toFixed(1)} s`);
}
const cells = budgets.map((b, k) => ({
  algorithm: `optuna nsga2 (population ${POPULATION})`,
  share: b.share,
  budget: b.budget,
  hvRatio: summary(perBudget[k].map((x) => x.hvRatio)),
  looseHvRatio: summary(perBudget[k].map((x) => x.looseHvRatio)),
  frontFound: summary(perBudget[k].map((x) => x.frontFound)),
  seedsAt99: perBudget[k].filter((x) => x.hvRatio >= 0.99).length,
  reproposedShareOfTrials: summary(duplicatesAt[k]),
}));

// Wall time with SQLite storage, Optuna's and ours, on the same budget and seed.
const timingBudget = QUICK ? budgets[1].budget : maxBudget;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-peer-'));
const timing = [];
try {
  log(`peer: wall time at ${timingBudget} unique designs, SQLite storage both sides`);
  const sqliteRun = optuna(1, timingBudget, 'sqlite', join(dir, 'optuna.db'));
  const memRun = optuna(1, timingBudget, 'memory');
  timing.push({ who: 'optuna, RDBStorage sqlite', workers: 1, budget: timingBudget, wallSec: sqliteRun.wallSec, trials: sqliteRun.trials, evalSec: sqliteRun.evalSec, bridgeSec: sqliteRun.bridgeSec });
  timing.push({ who: 'optuna, in-memory storage', workers: 1, budget: timingBudget, wallSec: memRun.wallSec, trials: memRun.trials, evalSec: memRun.evalSec, bridgeSec: memRun.bridgeSec });
  for (const workers of [1, availableParallelism()]) {
    const t0 = performance.now();
    await runSearch({ space: SPACE, workloads: [], algorithm: 'nsga2', budget: timingBudget, population: POPULATION, seed: 1, workers, db: join(dir, `ours-${workers}.db`), run: 'peer', resume: false });
    timing.push({ who: 'chipdse runSearch, SQLite store', workers, budget: timingBudget, wallSec: (performance.now() - t0) / 1000, trials: timingBudget });
  }
  for (const t of timing) log(`  ${t.who} (workers ${t.workers}): ${t.wallSec.toFixed(2)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const file = writeResult('peer', { optuna: optunaVersion, space: space.name, spaceSize: space.size, seeds: SEEDS, population: POPULATION, sampler: `NSGAIISampler(population_size=${POPULATION}, seed=s, constraints_func=violation)`, cells, runs, timing });
log(`wrote ${file}`);
