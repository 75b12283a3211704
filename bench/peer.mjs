// Peer: the same problem driven by Optuna's NSGAIISampler (bench/peer/optuna_nsga2.py, through the
// JSON bridge bench/peer/bridge.mjs to the same evaluator), at the same budgets in unique
// evaluations, scored by the same hypervolume code against the same truth as bench/quality.mjs;
// and the wall time of a run with Optuna's SQLite storage (RDBStorage) against runSearch with ours.
// Skips, saying why, where Optuna is not installed.
//
// Optuna re-proposes designs it has tried more and more as it converges (past 5% of this space,
// most of its trials), and its trials get slower as the study grows: so the seeds run to 5% of
// the space (2% with --quick), one seed (population 64) to 10%, and the SQLite timing is at 2%.
//
//   node bench/peer.mjs [--quick] [--seeds 11] [--population 64,8]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, ROOT, argValue, lib, log, summary, writeResult } from './lib/common.mjs';
import { budgetsOf, score, truthOf } from './lib/scoring.mjs';

// The Debian python3-optuna package installs for the system interpreter.
const PYTHON = process.env.CHIPDSE_BENCH_PYTHON ?? '/usr/bin/python3';
const SPACE = argValue('space', 'inference-chip');
const SEEDS = Number(argValue('seeds', QUICK ? '3' : '11'));
const POPULATIONS = argValue('population', QUICK ? '64' : '64,8').split(',').map(Number);
const POPULATION = POPULATIONS[0];
const SHARES = [0.01, 0.02, 0.05, 0.1];

const probe = spawnSync(PYTHON, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8' });
if (probe.status !== 0) {
  const reason = probe.error ? `${PYTHON} not found` : `optuna is not installed for ${PYTHON}`;
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
const shortBudgets = budgets.filter((b) => b.share <= (QUICK ? 0.02 : 0.05));
const longBudget = budgets[budgets.length - 1];

function optuna(seed, budget, storage, db, population = POPULATION) {
  const a = [join(ROOT, 'bench/peer/optuna_nsga2.py'), '--space', SPACE, '--budget', String(budget), '--seed', String(seed), '--population', String(population), '--storage', storage, '--node', process.execPath];
  if (db) a.push('--db', db);
  const out = execFileSync(PYTHON, a, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out);
}

/** Optuna's unique evaluations in order, as the scorer takes them (key, feasible, objectives). */
const asEvaluated = (r) => r.order.map((key) => ({ key, feasible: r.results[key].feasible, objectives: r.results[key].objectives }));

function seedsAt(population, seeds, bs, label) {
  const top = bs[bs.length - 1].budget;
  log(`peer: Optuna ${optunaVersion} NSGAIISampler (population ${population}) on ${space.name}, ${seeds} seed(s) to ${top} unique designs`);
  const perBudget = bs.map(() => []);
  const duplicatesAt = bs.map(() => []);
  for (let seed = 1; seed <= seeds; seed++) {
    const r = optuna(seed, top, 'memory', undefined, population);
    const evaluated = asEvaluated(r);
    bs.forEach((b, k) => {
      perBudget[k].push(score(truth, evaluated, b.budget));
      // Share of the trials spent to reach b unique designs that re-proposed a design already tried.
      const reached = Math.min(b.budget, r.unique);
      const trialsToReach = r.firstTrial[reached - 1] + 1;
      duplicatesAt[k].push((trialsToReach - reached) / trialsToReach);
    });
    runs.push({ population, seed, budget: top, unique: r.unique, trials: r.trials, duplicates: r.duplicates, hitTrialCap: r.hitTrialCap, wallSec: r.wallSec, evalSec: r.evalSec, bridgeSec: r.bridgeSec });
    log(`  seed ${seed}: ${r.unique} unique in ${r.trials} trials (${r.duplicates} re-proposed), ${r.wallSec.toFixed(1)} s`);
  }
  return bs.map((b, k) => ({
    algorithm: label ?? `optuna nsga2 (population ${population})`,
    population,
    share: b.share,
    budget: b.budget,
    seeds,
    hvRatio: summary(perBudget[k].map((x) => x.hvRatio)),
    looseHvRatio: summary(perBudget[k].map((x) => x.looseHvRatio)),
    frontFound: summary(perBudget[k].map((x) => x.frontFound)),
    seedsAt99: perBudget[k].filter((x) => x.hvRatio >= 0.99).length,
    reproposedShareOfTrials: summary(duplicatesAt[k]),
  }));
}

const runs = [];
const cells = [];
for (const population of POPULATIONS) cells.push(...seedsAt(population, SEEDS, shortBudgets));
if (!QUICK) cells.push(...seedsAt(POPULATION, 1, [longBudget]));

// Wall time with SQLite storage, Optuna's and ours, on the same budget and seed.
const timingBudget = QUICK ? budgets[0].budget : budgets[1].budget;
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

const file = writeResult('peer', { optuna: optunaVersion, space: space.name, spaceSize: space.size, seeds: SEEDS, populations: POPULATIONS, sampler: 'NSGAIISampler(population_size=P, seed=s, constraints_func=[violation]); ordinal parameters suggest_int over value indices, categorical ones suggest_categorical', cells, runs, timing });
log(`wrote ${file}`);
