import { parentPort, workerData } from 'node:worker_threads';
import { problemFromData, type ProblemData } from './pool.js';
import { FrontKeeper, sweepRange } from './sweep.js';

const problem = problemFromData(workerData as ProblemData);
const keeper = new FrontKeeper();

parentPort!.on('message', (m: { from: number; to: number; done?: boolean }) => {
  try {
    if (m.done) parentPort!.postMessage({ front: keeper.flush() });
    else parentPort!.postMessage({ report: sweepRange(problem, m.from, m.to, keeper) });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
