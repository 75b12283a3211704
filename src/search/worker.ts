import { parentPort, workerData } from 'node:worker_threads';
import { ChipdseError } from '../errors.js';
import type { MetricsForm } from '../results/point.js';
import { evaluateGenome } from './problem.js';
import { problemFromData, storeEncoder, type ProblemData } from './pool.js';

const problem = problemFromData(workerData as ProblemData);
const encode = storeEncoder(problem);

parentPort!.on('message', (m: { genomes: number[][]; encode: MetricsForm | false }) => {
  try {
    const form = m.encode;
    const results = form ? m.genomes.map((g) => encode(g, form)) : m.genomes.map((g) => evaluateGenome(problem, g));
    parentPort!.postMessage({ results });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message, userError: e instanceof ChipdseError });
  }
});
