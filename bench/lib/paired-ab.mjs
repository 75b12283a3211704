// Two builds side by side in one process, for a machine too loaded for bench/serving-ab.mjs's
// separate runs: both builds' evaluateGenome loaded at once, taking turns of 40 ms for --seconds,
// each turn's evaluations per CPU-second kept; prints the 50th/80th/95th percentiles per build
// (the high ones are the turns other processes disturbed least), their ratio, and each build's
// SHA-1 of 1,000 results as bench/lib/ab.mjs prints it. --order as bench/lib/design-order.mjs
// (bench: the throughput benchmark's designs in its order; random: shuffled; walk: one parameter
// changed at a time).
//   node bench/lib/paired-ab.mjs --baseline DIR [--problem serve-auto] [--seconds 15] [--order bench]
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, argValue, sampleIndices } from './common.mjs';
import { PROBLEMS } from './problems.mjs';
import { orderedGenomes } from './design-order.mjs';
import { takeTurns, turnSummary } from './turns.mjs';

const baseline = argValue('baseline');
if (!baseline) throw new Error('give --baseline DIR: a checkout of the old code with its dist/ built');
const name = argValue('problem', 'serve-auto');
const seconds = Number(argValue('seconds', '15'));
const order = argValue('order', 'bench');
const spec = PROBLEMS[name];
if (!spec) throw new Error(`unknown problem ${name} (${Object.keys(PROBLEMS).join(', ')})`);

async function load(root) {
  const im = (p) => import(join(root, 'dist', p));
  const { loadSpace } = await im('search/space.js');
  const { loadWorkload } = await im('workload/load.js');
  const { evaluateGenome } = await im('search/problem.js');
  const { genomeAt } = await im('search/algorithms.js');
  // Space and workload references resolve against the working directory, as in each tree's own benchmarks.
  process.chdir(root);
  const space = loadSpace(spec.space);
  const problem = { space, workloads: spec.workloads.map((w) => loadWorkload(w)) };
  const genomes = orderedGenomes(space, sampleIndices(space.size, 4096).map((i) => genomeAt(space, i)), order);
  const h = createHash('sha1');
  for (let i = 0; i < 1000; i++) h.update(JSON.stringify(evaluateGenome(problem, genomes[i])));
  return { run: (i) => evaluateGenome(problem, genomes[i % genomes.length]), sha1: h.digest('hex').slice(0, 12), rates: [] };
}

const builds = [await load(baseline), await load(ROOT)];
takeTurns(builds, seconds);
console.log(`${name}${order === 'bench' ? '' : ` (order ${order})`}: ${turnSummary(builds[0], builds[1])}`);
