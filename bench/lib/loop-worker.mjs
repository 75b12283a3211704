// A worker thread that evaluates genomes in a loop for a while and reports how many it did:
// the ceiling of evaluations per second on several cores, without any result traffic.
import { parentPort, workerData } from 'node:worker_threads';
import { lib } from './common.mjs';

const { problemFromData } = await lib('search/pool.js');
const { evaluateGenome } = await lib('search/problem.js');
const { genomeAt } = await lib('search/algorithms.js');

const { data, indices, warmMs, ms } = workerData;
const problem = problemFromData(data);
const genomes = indices.map((i) => genomeAt(problem.space, i));

function loop(forMs) {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < forMs) evaluateGenome(problem, genomes[n++ % genomes.length]);
  return { count: n, wallMs: performance.now() - t0 };
}

loop(warmMs);
parentPort.postMessage('warm');
parentPort.once('message', () => parentPort.postMessage(loop(ms)));
