// Evaluator throughput: full design evaluations per second (genome -> design -> chip -> metrics
// -> objectives, what a search does per design) on one core and on all cores, per problem.
//
//   node bench/throughput.mjs [--quick] [--problems serve-batch256,serve-auto,train]
import { Worker } from 'node:worker_threads';
import { availableParallelism, loadavg } from 'node:os';
import { QUICK, argValue, cpuSeconds, lib, log, sampleIndices, summary, writeResult } from './lib/common.mjs';
import { PROBLEMS, loadProblem } from './lib/problems.mjs';
import { measureFloor, recordSteps } from './lib/floor.mjs';

const { evaluateGenome } = await lib('search/problem.js');
const { chipForGenome, useDesignTemplates } = await lib('search/design-template.js');
const { designForGenome } = await lib('search/space.js');
const { parseDesign } = await lib('chip/load.js');
const { evaluate } = await lib('eval/evaluate.js');
const { genomeAt } = await lib('search/algorithms.js');
const { EvaluatorPool } = await lib('search/pool.js');

const REPS = QUICK ? 3 : 7;
const MS = QUICK ? 300 : 1000;
const PAR_REPS = QUICK ? 2 : 5;
const PAR_MS = QUICK ? 500 : 1500;
const SAMPLE = 4096;
const CORES = availableParallelism();

/** Calls f(i) in a loop for `ms` after a warm-up; evaluations per wall second and per CPU second. */
function rate(f, count, ms) {
  const warm = performance.now();
  for (let i = 0; performance.now() - warm < Math.min(200, ms); i++) f(i % count);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) f(n++ % count);
  const wallSec = (performance.now() - t0) / 1000;
  return { wall: n / wallSec, cpu: n / cpuSeconds(c0) };
}

function repeated(f, count, reps = REPS, ms = MS) {
  const runs = Array.from({ length: reps }, () => rate(f, count, ms));
  return { perWallSec: summary(runs.map((r) => r.wall)), perCpuSec: summary(runs.map((r) => r.cpu)) };
}

/** All cores, no result traffic: one worker per core evaluating in a loop. */
async function workersLoop(data, indices, n) {
  const per = Math.ceil(indices.length / n);
  const workers = Array.from({ length: n }, (_, k) => new Worker(new URL('./lib/loop-worker.mjs', import.meta.url), {
    workerData: { data, indices: indices.slice(k * per, (k + 1) * per), warmMs: 300, ms: PAR_MS },
  }));
  const once = (w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await Promise.all(workers.map(once));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const done = workers.map(once);
  for (const w of workers) w.postMessage('go');
  const parts = await Promise.all(done);
  const wallSec = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  await Promise.all(workers.map((w) => w.terminate()));
  const count = parts.reduce((a, p) => a + p.count, 0);
  return { wall: count / wallSec, cpu: count / cpu };
}

/** All cores through the search's EvaluatorPool as a search uses it: batches of genomes out, results encoded for the store back. */
async function poolRate(data, genomes, batch) {
  const pool = new EvaluatorPool(data, CORES);
  try {
    await pool.evaluateForStore(genomes.slice(0, batch));
    const runs = [];
    for (let r = 0; r < PAR_REPS; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let n = 0;
      for (let k = 0; performance.now() - t0 < PAR_MS; k++) {
        const from = (k * batch) % (genomes.length - batch);
        n += (await pool.evaluateForStore(genomes.slice(from, from + batch))).length;
      }
      runs.push({ wall: n / ((performance.now() - t0) / 1000), cpu: n / cpuSeconds(c0) });
    }
    return { perWallSec: summary(runs.map((x) => x.wall)), perCpuSec: summary(runs.map((x) => x.cpu)) };
  } finally {
    await pool.close();
  }
}

async function benchProblem(name) {
  const { space, workloads, problem, data } = await loadProblem(name);
  const indices = sampleIndices(space.size, SAMPLE);
  const genomes = indices.map((i) => genomeAt(space, i));
  log(`throughput ${name}: ${space.name} (${space.size} designs) x ${workloads.map((w) => w.name).join(', ')}`);

  const full = repeated((i) => evaluateGenome(problem, genomes[i]), genomes.length);
  log(`  one core: ${full.perWallSec.median} evaluations/s (median of ${REPS})`);
  useDesignTemplates(false);
  const noTemplate = repeated((i) => evaluateGenome(problem, genomes[i]), genomes.length);
  useDesignTemplates(true);

  // Where the time of one evaluation goes, stage by stage (one core).
  const valid = genomes.filter((g) => {
    try {
      chipForGenome(space, g, 'bench');
      return true;
    } catch {
      return false;
    }
  });
  const chips = valid.map((g) => chipForGenome(space, g, 'bench'));
  const stages = {
    designForGenome: repeated((i) => designForGenome(space, valid[i]), valid.length, 3, MS / 2),
    validateAndBuild: repeated((i) => parseDesign(designForGenome(space, valid[i]), 'bench'), valid.length, 3, MS / 2),
    templateBuild: repeated((i) => chipForGenome(space, valid[i], 'bench'), valid.length, 3, MS / 2),
    evaluate: repeated((i) => {
      for (const w of workloads) evaluate(chips[i], w, { detail: false });
    }, chips.length, 3, MS / 2),
  };
  const us = (s) => Number((1e6 / s.perCpuSec.median).toFixed(2));
  const stageUs = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, us(v)]));
  log(`  stages (us per design, CPU): ${JSON.stringify(stageUs)}`);

  const workerRuns = [];
  for (let r = 0; r < PAR_REPS; r++) workerRuns.push(await workersLoop(data, indices, CORES));
  const allCores = { perWallSec: summary(workerRuns.map((x) => x.wall)), perCpuSec: summary(workerRuns.map((x) => x.cpu)) };
  log(`  ${CORES} cores (worker loop): ${allCores.perWallSec.median} evaluations/s`);
  const pool = await poolRate(data, genomes, 1024);
  log(`  ${CORES} cores (EvaluatorPool, batches of 1024): ${pool.perWallSec.median} evaluations/s`);

  const feasible = genomes.slice(0, 512).map((g) => evaluateGenome(problem, g)).filter((p) => p.feasible).length / Math.min(512, genomes.length);

  return {
    problem: name,
    label: PROBLEMS[name].label,
    about: PROBLEMS[name].about,
    space: space.name,
    spaceSize: space.size,
    workloads: workloads.map((w) => w.name),
    sampleDesigns: genomes.length,
    feasibleShare: Number(feasible.toFixed(3)),
    oneCore: full,
    oneCoreWithoutTemplate: noTemplate,
    stagesUsPerDesign: stageUs,
    floor: null,
    allCores: { cores: CORES, workerLoop: allCores, evaluatorPool: pool, poolBatch: 1024 },
  };
}

const names = (argValue('problems') ?? Object.keys(PROBLEMS).join(',')).split(',');
const results = [];
const loadBefore = loadavg();
for (const n of names) results.push(await benchProblem(n));
// The arithmetic floor (bench/lib/floor.mjs): every step cost of a design's evaluation as a flat
// loop over typed arrays; serving only (the floor records steps where serving costs them). After
// every rate above, as recording wraps two evaluator methods for its duration.
for (const r of results) {
  if (!r.problem.startsWith('serve')) continue;
  const recorded = await recordSteps(r.problem, QUICK ? 256 : 1024);
  const f = measureFloor(recorded, QUICK ? 600 : 3000);
  r.floor = { designs: recorded.length, stepCostsPerDesign: Number((recorded.reduce((a, d) => a + d.count, 0) / recorded.length).toFixed(1)), usPerDesign: Number(f.usPerDesign.toFixed(2)) };
  log(`${r.problem}: arithmetic floor ${r.floor.stepCostsPerDesign} step costs per design, ${r.floor.usPerDesign} us of CPU per design`);
}
const file = writeResult('throughput', { loadavgBefore: loadBefore, target: { problem: 'serve', evaluationsPerSecPerCore: 100000 }, reps: REPS, msPerRep: MS, parallelReps: PAR_REPS, parallelMsPerRep: PAR_MS, results });
log(`wrote ${file}`);
