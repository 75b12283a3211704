// Peers: the same problem driven by Optuna's NSGAIISampler (bench/peer/optuna_nsga2.py), DEAP's
// NSGA-III and an SMS-EMOA on DEAP's hypervolume (bench/peer/deap_moea.py), each through the JSON
// bridge bench/peer/bridge.mjs to the same evaluator, at the same budgets in unique evaluations,
// scored by the same hypervolume code against the same truth as bench/quality.mjs; and the wall
// time of a run with Optuna's SQLite storage (RDBStorage) against runSearch with ours.
// Skips a peer, saying why, where its package is not installed.
//
// Optuna re-proposes designs it has tried more and more as it converges (past 5% of this space,
// most of its trials), and its trials get slower as the study grows: so the seeds run to 5% of
// the space (2% with --quick), one seed (population 64) to 10%, and the SQLite timing is at 2%.
//
//   node bench/peer.mjs [--quick] [--space inference-chip] [--seeds 11] [--population 8,20,40]
//                       [--peers optuna,nsga3,smsemoa] [--no-timing]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, ROOT, argValue, hasFlag, lib, log, summary, writeResult } from './lib/common.mjs';
import { budgetsOf, score, truthOf } from './lib/scoring.mjs';

// The Debian python3-optuna package installs for the system interpreter.
const PYTHON = process.env.CHIPDSE_BENCH_PYTHON ?? '/usr/bin/python3';
const SPACE = argValue('space', 'inference-chip');
const SEEDS = Number(argValue('seeds', QUICK ? '3' : '11'));
const POPULATIONS = argValue('population', QUICK ? '20' : '8,20,40').split(',').map(Number);
const PEERS = argValue('peers', 'optuna,nsga3,smsemoa').split(',');
const TIMING = !hasFlag('no-timing') && PEERS.includes('optuna');
const POPULATION = POPULATIONS[0];
const SHARES = [0.01, 0.02, 0.05, 0.1];

/** The package's version, or undefined (saying why) where it is missing. */
function versionOf(module, debian) {
  const probe = spawnSync(PYTHON, ['-c', `import ${module}; print(${module}.__version__)`], { encoding: 'utf8' });
  if (probe.status === 0) return probe.stdout.trim();
  log(`peer: ${module} SKIPPED: ${probe.error ? `${PYTHON} not found` : `${module} is not installed for ${PYTHON}`} (Debian: apt-get install -y ${debian})`);
  return undefined;
}
const optunaVersion = PEERS.includes('optuna') ? versionOf('optuna', 'python3-optuna') : undefined;
const deapVersion = PEERS.some((p) => p !== 'optuna') ? versionOf('deap', 'python3-deap') : undefined;
const available = PEERS.filter((p) => (p === 'optuna' ? optunaVersion : deapVersion));
if (available.length === 0) {
  writeResult('peer', { skipped: 'neither optuna nor deap is installed; apt-get install -y python3-optuna python3-deap' });
  process.exit(0);
}

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
function deap(algorithm, seed, budget, population) {
  const a = [join(ROOT, 'bench/peer/deap_moea.py'), '--algorithm', algorithm, '--space', SPACE, '--budget', String(budget), '--seed', String(seed), '--population', String(population), '--node', process.execPath];
  return JSON.parse(execFileSync(PYTHON, a, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] }));
}

const LABELS = { optuna: 'optuna nsga2', nsga3: 'deap nsga3', smsemoa: 'sms-emoa (deap hv)' };
const peerRun = (peer, seed, budget, population) => (peer === 'optuna' ? optuna(seed, budget, 'memory', undefined, population) : deap(peer, seed, budget, population));

const asEvaluated = (r) => r.order.map((key) => ({ key, feasible: r.results[key].feasible, objectives: r.results[key].objectives }));

function seedsAt(peer, population, seeds, bs) {
  const top = bs[bs.length - 1].budget;
  log(`peer: ${LABELS[peer]} ${peer === 'optuna' ? optunaVersion : deapVersion} (population ${population}) on ${space.name}, ${seeds} seed(s) to ${top} unique designs`);
  const perBudget = bs.map(() => []);
  const duplicatesAt = bs.map(() => []);
  for (let seed = 1; seed <= seeds; seed++) {
    const r = peerRun(peer, seed, top, population);
    const evaluated = asEvaluated(r);
    bs.forEach((b, k) => {
      perBudget[k].push(score(truth, evaluated, b.budget));
      // Share of the trials spent to reach b unique designs that re-proposed a design already tried.
      const reached = Math.min(b.budget, r.unique);
      const trialsToReach = r.firstTrial[reached - 1] + 1;
      duplicatesAt[k].push((trialsToReach - reached) / trialsToReach);
    });
    runs.push({ peer, population, seed, budget: top, unique: r.unique, trials: r.trials, duplicates: r.duplicates, hitTrialCap: r.hitTrialCap, wallSec: r.wallSec, evalSec: r.evalSec, bridgeSec: r.bridgeSec });
    log(`  seed ${seed}: ${r.unique} unique in ${r.trials} trials (${r.duplicates} re-proposed), ${r.wallSec.toFixed(1)} s`);
  }
  return bs.map((b, k) => ({
    algorithm: `${LABELS[peer]} (population ${population})`,
    population,
    share: b.share,
    budget: b.budget,
    seeds,
    hvRatio: summary(perBudget[k].map((x) => x.hvRatio)),
    looseHvRatio: summary(perBudget[k].map((x) => x.looseHvRatio)),
    frontFound: summary(perBudget[k].map((x) => x.frontFound)),
    seedsAt99: perBudget[k].filter((x) => x.hvRatio >= 0.99).length,
    seedsAt95: perBudget[k].filter((x) => x.hvRatio >= 0.95).length,
    reproposedShareOfTrials: summary(duplicatesAt[k]),
  }));
}

const runs = [];
const cells = [];
for (const peer of available) for (const population of POPULATIONS) cells.push(...seedsAt(peer, population, SEEDS, shortBudgets));
for (const c of cells) log(`  ${c.algorithm.padEnd(34)} ${String(c.share * 100).padStart(3)}% (${c.budget}): HV ratio median ${c.hvRatio.median} [${c.hvRatio.min}-${c.hvRatio.max}], ${c.seedsAt95}/${c.seeds} seeds >= 0.95`);
if (!QUICK && TIMING) cells.push(...seedsAt('optuna', POPULATION, 1, [longBudget]));

// Wall time with SQLite storage, Optuna's and ours, on the same budget and seed.
const timingBudget = QUICK ? budgets[0].budget : budgets[1].budget;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-peer-'));
const timing = [];
try {
  if (TIMING) await timeRuns();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function timeRuns() {
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
}

const file = writeResult(argValue('out', 'peer'), { optuna: optunaVersion, deap: deapVersion, peers: available, space: space.name, spaceSize: space.size, seeds: SEEDS, populations: POPULATIONS, sampler: 'NSGAIISampler(population_size=P, seed=s, constraints_func=[violation]); ordinal parameters suggest_int over value indices, categorical ones suggest_categorical', deapAlgorithms: 'bench/peer/deap_moea.py: NSGA-III (tools.selNSGA3) and SMS-EMOA (hv.hypervolume), SBX eta 30 and polynomial mutation eta 20 on value indices, rounded', cells, runs, timing });
log(`wrote ${file}`);
