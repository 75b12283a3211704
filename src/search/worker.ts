import { parentPort, workerData } from 'node:worker_threads';
import { ChipdseError } from '../errors.js';
import type { MetricsForm } from '../results/point.js';
import { evaluateGenome } from './problem.js';
import { columnsEncoder, problemFromData, storeEncoder, unflattenGenomes, type GenomeBatch, type ProblemData } from './pool.js';

const problem = problemFromData(workerData as ProblemData);
const encode = storeEncoder(problem);
const encodeColumns = columnsEncoder(problem);

parentPort!.on('message', (m: { batch: GenomeBatch; encode: MetricsForm | false }) => {
  try {
    const form = m.encode;
    const genomes = unflattenGenomes(m.batch);
    const columns = form === 'packed' ? encodeColumns(genomes) : undefined;
    if (columns) {
      parentPort!.postMessage({ columns: columns.batch }, columns.transfer);
      return;
    }
    const results = form ? genomes.map((g) => encode(g, form)) : genomes.map((g) => evaluateGenome(problem, g));
    // The pool has the genomes already (see EvaluatorPool.run).
    for (const r of results as { genome: number[] | undefined }[]) r.genome = undefined;
    parentPort!.postMessage({ results });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message, userError: e instanceof ChipdseError });
  }
});
