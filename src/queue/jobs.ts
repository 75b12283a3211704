/** What a job asks a worker to do: evaluate designs of a run, or a shard of a sweep's index space. */

/** Designs of a search run's generation (genomes, one value index per parameter). */
export interface SearchJob {
  kind: 'search';
  runId: number;
  /** The run's name, checked against the database (a job left from a database dropped and made again names another run). */
  runName: string;
  /** The chipdse version of the run: a worker of another version refuses it. */
  toolVersion: string;
  genomes: number[][];
}

/** Designs from..to-1 (mixed-radix index order) of a distributed sweep. */
export interface SweepJob {
  kind: 'sweep';
  sweepId: number;
  shard: number;
  from: number;
  to: number;
  toolVersion: string;
}

export type EvaluationJob = SearchJob | SweepJob;

/** A job as queued, with the per-job settings of its queue. */
export function jobInsert(queue: string, id: string, data: EvaluationJob, timeoutSec: number, retryLimit: number) {
  return { id, name: queue, data, expireInSeconds: Math.max(1, Math.round(timeoutSec)), retryLimit, retryDelay: 0 };
}

/** One line naming a job for logs. */
export function describeJob(j: EvaluationJob): string {
  return j.kind === 'search' ? `run "${j.runName}": ${j.genomes.length} designs` : `sweep ${j.sweepId} shard ${j.shard}: designs ${j.from}-${j.to - 1}`;
}
