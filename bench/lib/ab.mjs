// Quick before/after check of an evaluator change: per-CPU-second rate of evaluateGenome on one
// core, and a SHA-1 of 1,000 results (must not change unless results are meant to).
//   node bench/lib/ab.mjs [--problem serve-batch256] [--ms 3000] [--threads]
// --threads (e27) prints each round's CPU attributed instead of the median line: evaluations per
// process CPU-second (process.cpuUsage, what the median line divides by), per CPU-second of the
// main thread alone (/proc/self/task/PID/stat, 10 ms ticks; Linux only), per wall second, and the
// CPU the other threads (GC helpers, the optimizing compiler) took. A slow round whose main-thread
// rate is slow too is the evaluator's own code (or the machine under it), not background threads.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { argValue, lib, sampleIndices } from './common.mjs';
import { loadProblem, PROBLEMS } from './problems.mjs';

const { evaluateGenome } = await lib('search/problem.js');
const { genomeAt } = await lib('search/algorithms.js');
const ms = Number(argValue('ms', '3000'));
const threads = process.argv.includes('--threads');
/** The main thread's user + system CPU seconds (fields 14 and 15 of its stat line, in 10 ms ticks). */
const mainCpu = () => {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
for (const name of (argValue('problem') ?? Object.keys(PROBLEMS).join(',')).split(',')) {
  const { space, problem } = await loadProblem(name);
  const genomes = sampleIndices(space.size, 4096).map((i) => genomeAt(space, i));
  const h = createHash('sha1');
  for (let i = 0; i < 1000; i++) h.update(JSON.stringify(evaluateGenome(problem, genomes[i])));
  let n = 0;
  const warm = performance.now();
  while (performance.now() - warm < 500) evaluateGenome(problem, genomes[n++ % genomes.length]);
  const rates = [];
  const rounds = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const m0 = threads ? mainCpu() : 0;
    const t0 = performance.now();
    let k = 0;
    while (performance.now() - t0 < ms / 3) evaluateGenome(problem, genomes[(n + k++) % genomes.length]);
    const wall = (performance.now() - t0) / 1e3;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    rates.push(k / cpu);
    if (threads) {
      const main = mainCpu() - m0;
      rounds.push(`${Math.round(k / cpu)}/cpu ${Math.round(k / main)}/main ${Math.round(k / wall)}/wall other ${(cpu - main).toFixed(2)} s`);
    }
    n += k;
  }
  const sha = h.digest('hex').slice(0, 12);
  if (threads) console.log(`${name}: ${rounds.join(' | ')} sha1 ${sha}`);
  else {
    rates.sort((a, b) => a - b);
    console.log(`${name}: ${Math.round(rates[1])} /CPU-s [${rates.map(Math.round).join(', ')}] sha1 ${sha}`);
  }
}
