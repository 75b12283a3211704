// Storage overhead: evaluations per second of a whole `chipdse search` (the CLI: start-up, search,
// SQLite store) against the evaluator alone on the very designs that search evaluated.
//
//   node bench/storage.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, ROOT, lib, log, summary, writeResult } from './lib/common.mjs';
import { loadProblemOf } from './lib/problems.mjs';
import { SCALE_DIR, writeScaleSpaces } from './lib/scale-spaces.mjs';

const { runSearch } = await lib('search/run.js');
const { openStore } = await lib('store/open.js');
const { evaluateGenome } = await lib('search/problem.js');
const { EvaluatorPool } = await lib('search/pool.js');
const { genomeAt } = await lib('search/algorithms.js');

const REPS = QUICK ? 1 : 3;
const CORES = availableParallelism();
writeScaleSpaces();

const CASES = [
  { name: 'inference-chip, NSGA-II', space: 'inference-chip', algorithm: 'nsga2', budget: QUICK ? 259 : 1296, population: 64 },
  { name: 'scale-1e4 (cheap workload), exhaustive', space: join(SCALE_DIR, 'scale-1e4.json'), algorithm: 'exhaustive', budget: 10000, population: 1024 },
];

const dir = mkdtempSync(join(tmpdir(), 'chipdse-storage-'));
let n = 0;
const cliArgs = (c, workers, db, run) => ['search', '--space', c.space, '--algorithm', c.algorithm, '--budget', String(c.budget), '--population', String(c.population), '--seed', '1', '--workers', String(workers), '--db', db, '--run', run];

function cli(c, workers) {
  const db = join(dir, `cli-${n++}.db`);
  const t0 = performance.now();
  execFileSync(process.execPath, [join(ROOT, 'bin/chipdse.js'), ...cliArgs(c, workers, db, 'r')], { stdio: ['ignore', 'ignore', 'ignore'] });
  return { seconds: (performance.now() - t0) / 1000, db };
}

/** The designs a search evaluated, in order. */
async function evaluatedGenomes(db) {
  const store = await openStore(db);
  const pts = await store.loadEvaluations((await store.getRun('r')).id);
  await store.close();
  return pts.map((p) => p.genome);
}

const rows = [];
try {
  const startup = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [join(ROOT, 'bin/chipdse.js'), 'presets'], { stdio: 'ignore' });
    startup.push((performance.now() - t0) / 1000);
  }
  for (const c of CASES) {
    log(`storage: ${c.name}, budget ${c.budget}`);
    const { problem } = await loadProblemOf(c.space, (await lib('search/space.js')).loadSpace(c.space).defaultWorkloads);
    const measure = {};
    for (const workers of [1, CORES]) {
      const times = [];
      let db;
      for (let r = 0; r < REPS; r++) ({ seconds: times[r], db } = cli(c, workers));
      measure[`cli${workers}`] = summary(times.map((s) => c.budget / s));
      measure[`cliSeconds${workers}`] = summary(times);
      if (workers === 1) {
        measure.dbMB = Number((statSync(db).size / 1e6).toFixed(1));
        measure.genomes = await evaluatedGenomes(db);
      }
      const inproc = [];
      for (let r = 0; r < REPS; r++) {
        const t0 = performance.now();
        await runSearch({ space: c.space, workloads: [], algorithm: c.algorithm, budget: c.budget, population: c.population, seed: 1, workers, db: join(dir, `in-${n++}.db`), run: 'r', resume: false });
        inproc.push(c.budget / ((performance.now() - t0) / 1000));
      }
      measure[`runSearch${workers}`] = summary(inproc);
    }
    // The evaluator alone, one thread, on the same designs (warmed up on them once).
    const genomes = measure.genomes;
    for (const g of genomes) evaluateGenome(problem, g);
    const alone = [];
    for (let r = 0; r < REPS; r++) {
      const t0 = performance.now();
      for (const g of genomes) evaluateGenome(problem, g);
      alone.push(genomes.length / ((performance.now() - t0) / 1000));
    }
    const evaluatorAlone = summary(alone);
    rows.push({
      case: c.name,
      algorithm: c.algorithm,
      budget: c.budget,
      population: c.population,
      evaluatorAlone1: evaluatorAlone,
      runSearch1: measure.runSearch1,
      cli1: measure.cli1,
      cliSeconds1: measure.cliSeconds1,
      [`runSearch${CORES}`]: measure[`runSearch${CORES}`],
      [`cli${CORES}`]: measure[`cli${CORES}`],
      [`cliSeconds${CORES}`]: measure[`cliSeconds${CORES}`],
      dbMB: measure.dbMB,
      storedShareOfEvaluatorSpeed1: Number((measure.cli1.median / evaluatorAlone.median).toFixed(3)),
    });
    log(`  evaluator alone ${evaluatorAlone.median}/s; runSearch ${measure.runSearch1.median}/s; chipdse search ${measure.cli1.median}/s (1 worker), ${measure[`cli${CORES}`].median}/s (${CORES} workers)`);
  }
  // Fixed costs of a pool: start-up to the first result, and fresh workers' warm-up.
  const { space, data, problem } = await loadProblemOf('inference-chip', ['llama-3-70b-serve', 'llama-3-70b-serve-fp4']);
  const batch = Array.from({ length: 64 }, (_, i) => genomeAt(space, (i * 7919) % space.size));
  const poolStartup = [];
  const first = [];
  const later = [];
  const BATCHES = QUICK ? 10 : 25;
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    const pool = new EvaluatorPool(data, CORES);
    await pool.evaluate(batch.slice(0, CORES));
    poolStartup.push((performance.now() - t0) / 1000);
    const timeBatches = async () => {
      const t = performance.now();
      for (let k = 0; k < BATCHES; k++) await pool.evaluate(batch);
      return (performance.now() - t) / BATCHES;
    };
    first.push(await timeBatches());
    later.push(await timeBatches());
    await pool.close();
  }
  for (const g of batch) evaluateGenome(problem, g);
  const inThread = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    for (let k = 0; k < BATCHES; k++) for (const g of batch) evaluateGenome(problem, g);
    inThread.push((performance.now() - t) / BATCHES);
  }
  const poolWarmup = { batches: BATCHES, firstBatchesMs: summary(first), laterBatchesMs: summary(later), inThreadMs: summary(inThread) };
  const file = writeResult('storage', { cores: CORES, reps: REPS, cliStartupSeconds: summary(startup), poolStartupSeconds: summary(poolStartup), poolWarmup, rows });
  log(`wrote ${file}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
