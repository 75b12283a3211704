import { jobSizes, MAX_DESIGNS_UNMEASURED, MAX_OVERHEAD_SHARE, QUEUE_OVERHEAD_SEC_PER_JOB } from '../src/search/job-size.js';

/** How a distributed run cuts its designs into jobs (src/search/job-size.ts). */

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('jobs cover the designs exactly, in sizes that differ by at most one', () => {
  for (const designs of [1, 7, 64, 1000, 12_960]) {
    for (const workersAlive of [0, 1, 3, 8, 100]) {
      for (const secPerDesign of [undefined, 1e-5, 1e-3, 1]) {
        const s = jobSizes({ designs, workersAlive, secPerDesign, jobTimeoutSec: 120 });
        expect(sum(s)).toBe(designs);
        expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
      }
    }
  }
  expect(jobSizes({ designs: 0, workersAlive: 3, secPerDesign: 1e-3, jobTimeoutSec: 120 })).toEqual([]);
});

test('cheap designs go in jobs large enough that the queue overhead stays under its share, even if that leaves workers idle', () => {
  // 50 us a design (today's model): every job holds at least overhead / (share x 50 us) designs.
  const secPerDesign = 5e-5;
  const enough = QUEUE_OVERHEAD_SEC_PER_JOB / (MAX_OVERHEAD_SHARE * secPerDesign);
  const s = jobSizes({ designs: 10_000, workersAlive: 8, secPerDesign, jobTimeoutSec: 120 });
  expect(s.length).toBeLessThan(8);
  for (const n of s) expect(n).toBeGreaterThanOrEqual(enough);
  for (const n of s) expect(QUEUE_OVERHEAD_SEC_PER_JOB / (n * secPerDesign)).toBeLessThanOrEqual(MAX_OVERHEAD_SHARE);
  // Fewer designs than one such job: one job.
  expect(jobSizes({ designs: 64, workersAlive: 8, secPerDesign, jobTimeoutSec: 120 })).toEqual([64]);
});

test('costly designs go one job per worker alive, and no job is planned to take more than a quarter of the timeout', () => {
  expect(jobSizes({ designs: 64, workersAlive: 8, secPerDesign: 0.5, jobTimeoutSec: 120 })).toEqual(Array(8).fill(8));
  // 10 s a design, timeout 120 s: at most 3 designs a job, whatever the workers.
  const s = jobSizes({ designs: 64, workersAlive: 2, secPerDesign: 10, jobTimeoutSec: 120 });
  expect(Math.max(...s)).toBe(3);
  expect(s).toHaveLength(22);
  // A design longer than the quarter still gets a job (of one).
  expect(jobSizes({ designs: 3, workersAlive: 1, secPerDesign: 100, jobTimeoutSec: 120 })).toEqual([1, 1, 1]);
});

test('before any worker reported its speed, jobs are one per worker alive, and no larger than the unmeasured cap', () => {
  expect(jobSizes({ designs: 64, workersAlive: 4, secPerDesign: undefined, jobTimeoutSec: 120 })).toEqual([16, 16, 16, 16]);
  expect(jobSizes({ designs: 64, workersAlive: 0, secPerDesign: undefined, jobTimeoutSec: 120 })).toEqual([64]);
  const big = jobSizes({ designs: 1_000_000, workersAlive: 1, secPerDesign: undefined, jobTimeoutSec: 120 });
  expect(Math.max(...big)).toBeLessThanOrEqual(MAX_DESIGNS_UNMEASURED);
});

test('--job-designs is taken as given', () => {
  expect(jobSizes({ designs: 10, workersAlive: 1, secPerDesign: 1e-6, jobTimeoutSec: 120, fixed: 3 })).toEqual([3, 3, 2, 2]);
});
