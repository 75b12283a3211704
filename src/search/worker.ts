import { parentPort, workerData } from 'node:worker_threads';
import { evaluateGenome } from './problem.js';
import { problemFromData, type ProblemData } from './pool.js';

const problem = problemFromData(workerData as ProblemData);

parentPort!.on('message', (m: { genomes: number[][] }) => {
  try {
    parentPort!.postMessage({ results: m.genomes.map((g) => evaluateGenome(problem, g)) });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
