// Quick before/after check of an evaluator change: per-CPU-second rate of evaluateGenome on one
// core, and a SHA-1 of 1,000 results (must not change unless results are meant to).
//   node bench/lib/ab.mjs [--problem serve-batch256] [--ms 3000]
import { createHash } from 'node:crypto';
import { argValue, lib, sampleIndices } from './common.mjs';
import { loadProblem, PROBLEMS } from './problems.mjs';

const { evaluateGenome } = await lib('search/problem.js');
const { genomeAt } = await lib('search/algorithms.js');
const ms = Number(argValue('ms', '3000'));
for (const name of (argValue('problem') ?? Object.keys(PROBLEMS).join(',')).split(',')) {
  const { space, problem } = await loadProblem(name);
  const genomes = sampleIndices(space.size, 4096).map((i) => genomeAt(space, i));
  const h = createHash('sha1');
  for (let i = 0; i < 1000; i++) h.update(JSON.stringify(evaluateGenome(problem, genomes[i])));
  let n = 0;
  const warm = performance.now();
  while (performance.now() - warm < 500) evaluateGenome(problem, genomes[n++ % genomes.length]);
  const rates = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let k = 0;
    while (performance.now() - t0 < ms / 3) evaluateGenome(problem, genomes[(n + k++) % genomes.length]);
    const c = process.cpuUsage(c0);
    rates.push(k / ((c.user + c.system) / 1e6));
    n += k;
  }
  rates.sort((a, b) => a - b);
  console.log(`${name}: ${Math.round(rates[1])} /CPU-s [${rates.map(Math.round).join(', ')}] sha1 ${h.digest('hex').slice(0, 12)}`);
}
