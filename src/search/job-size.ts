/**
 * How many designs go into one job of a distributed run. A job costs the queue a fixed overhead
 * (the worker fetches it, stages its results, completes it; the coordinator is woken), whatever
 * its size; evaluations cost per design. Jobs are made large enough that the overhead stays a
 * small share of the evaluation time, small enough that every worker alive gets work, and well
 * inside the job timeout (a job still running at its timeout is given to another worker).
 */

/**
 * Queue overhead per job, seconds: 15.7 and 22.4 ms in two runs of bench/distributed.mjs on
 * loopback, 1 worker, the same 512 designs in jobs of 1 and in one job, on the shared 2-core
 * machine (other sessions used 78% and 82% of its CPU; BENCHMARKS.md, distributed section, shows
 * the later run). Over a network add a round trip or three.
 */
export const QUEUE_OVERHEAD_SEC_PER_JOB = 0.02;
/** The share of a job's time the queue may take. */
export const MAX_OVERHEAD_SHARE = 0.05;
/** A job is sized to take at most this share of the job timeout on a worker of the measured speed. */
const TIMEOUT_SHARE = 0.25;
/**
 * Designs per job while no worker has reported its speed: some 0.2 s at today's model (about 50 us
 * a design on one core, BENCHMARKS.md), and still inside the default timeout at 200 times that.
 */
export const MAX_DESIGNS_UNMEASURED = 4096;

export interface JobSizing {
  /** Designs to evaluate. */
  designs: number;
  /** Workers to keep busy: those of this version alive (0 counts as 1), or more for finer load balance. */
  workersAlive: number;
  /** Mean evaluation seconds per design the workers reported; undefined before any did. */
  secPerDesign: number | undefined;
  jobTimeoutSec: number;
  /** Designs per job the user asked for (--job-designs): used as it is. */
  fixed?: number;
}

/** Sizes of consecutive jobs covering `designs` (they differ by at most one). */
export function jobSizes(s: JobSizing): number[] {
  const n = s.designs;
  if (n <= 0) return [];
  // One job per worker, so that every worker alive gets one ...
  let jobs = Math.min(n, Math.max(1, s.workersAlive));
  if (s.fixed !== undefined) jobs = Math.ceil(n / s.fixed);
  else if (s.secPerDesign !== undefined && s.secPerDesign > 0) {
    // ... but no job so small that the queue's overhead is more than its share of it ...
    const enough = QUEUE_OVERHEAD_SEC_PER_JOB / (MAX_OVERHEAD_SHARE * s.secPerDesign);
    jobs = Math.min(jobs, Math.max(1, Math.floor(n / enough)));
    // ... and, above all, none planned to run past a quarter of the timeout.
    const most = Math.max(1, Math.floor((TIMEOUT_SHARE * s.jobTimeoutSec) / s.secPerDesign));
    jobs = Math.max(jobs, Math.ceil(n / most));
  } else jobs = Math.max(jobs, Math.ceil(n / MAX_DESIGNS_UNMEASURED));
  const base = Math.floor(n / jobs);
  const extra = n - base * jobs;
  return Array.from({ length: jobs }, (_, i) => base + (i < extra ? 1 : 0));
}
