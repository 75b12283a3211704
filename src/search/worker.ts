import { parentPort, workerData } from 'node:worker_threads';
import { ChipdseError } from '../errors.js';
import type { MetricsForm, StoredPoint } from '../results/point.js';
import { evaluateGenome } from './problem.js';
import { toColumns } from './stored-batch.js';
import { problemFromData, storeEncoder, unflattenGenomes, type GenomeBatch, type ProblemData } from './pool.js';

const problem = problemFromData(workerData as ProblemData);
const encode = storeEncoder(problem);

parentPort!.on('message', (m: { batch: GenomeBatch; encode: MetricsForm | false }) => {
  try {
    const form = m.encode;
    const genomes = unflattenGenomes(m.batch);
    const results = form ? genomes.map((g) => encode(g, form)) : genomes.map((g) => evaluateGenome(problem, g));
    const columns = form === 'packed' ? toColumns(results as StoredPoint[]) : undefined;
    if (columns) {
      parentPort!.postMessage({ columns: columns.batch }, columns.transfer);
      return;
    }
    // The pool has the genomes already (see EvaluatorPool.run).
    for (const r of results as { genome: number[] | undefined }[]) r.genome = undefined;
    parentPort!.postMessage({ results });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message, userError: e instanceof ChipdseError });
  }
});
