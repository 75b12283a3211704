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
let n = 0;
const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) {
  for (const b of builds) {
    const c0 = process.cpuUsage();
    const s = performance.now();
    let k = 0;
    while (performance.now() - s < 40) b.run(n + k++);
    const c = process.cpuUsage(c0);
    b.rates.push(k / ((c.user + c.system) / 1e6));
  }
  n += 997;
}
// The first turns are left out (the builds warming up).
const at = (b, p) => {
  const s = b.rates.slice(5).sort((x, y) => x - y);
  return s[Math.floor(p * (s.length - 1))];
};
const [base, cur] = builds;
const fmt = (b) => [0.5, 0.8, 0.95].map((p) => Math.round(at(b, p))).join(' / ');
// The ratio turn by turn (each current turn over the baseline turn just before it, which saw about
// the same load): its median and quartiles, less moved by the load drifting over the run.
const pairs = cur.rates.slice(5).map((r, i) => r / base.rates[i + 5]).sort((x, y) => x - y);
const q = (p) => pairs[Math.floor(p * (pairs.length - 1))].toFixed(3);
console.log(`${name}${order === 'bench' ? '' : ` (order ${order})`}: baseline ${fmt(base)} /CPU-s (p50/p80/p95), current ${fmt(cur)}; ratio at p80 ${(at(cur, 0.8) / at(base, 0.8)).toFixed(2)}, p95 ${(at(cur, 0.95) / at(base, 0.95)).toFixed(2)}; turn by turn ${q(0.5)} (${q(0.25)}-${q(0.75)}, ${pairs.length} pairs); sha1 ${base.sha1} ${cur.sha1}`);
