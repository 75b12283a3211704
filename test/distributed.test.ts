import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import { queueName, QUEUE_SCHEMA } from '../src/queue/boss.js';
import type { EvaluationJob } from '../src/queue/jobs.js';
import { doJob, ProblemCache } from '../src/search/worker-jobs.js';
import { runSearch, type SearchOptions } from '../src/search/run.js';
import { sweepReport } from '../src/search/sweep-report.js';
import { newPool } from '../src/store/postgres-connect.js';
import { TOOL_VERSION } from '../src/version.js';
import { consistencyProblems, inProcessWorkers, runContent } from './helpers/distributed.js';
import { createTestDatabase, describePg, dropTestDatabase, sql } from './helpers/pg.js';

/**
 * Distributed searches and sweeps, with workers in this process (test/distributed-e2e.test.ts
 * runs them as separate processes and kills them): the same rows and exports as a local run
 * whatever the number of workers and the order they finish in, a coordinator stopped while no
 * worker is alive resumes to the same rows, and a worker refuses jobs of another model version.
 */

jest.setTimeout(180_000);
const dir = mkdtempSync(join(tmpdir(), 'chipdse-distributed-'));
const databases: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const url of databases) await dropTestDatabase(url);
});
async function database(): Promise<string> {
  const url = await createTestDatabase('chipdse_dist');
  databases.push(url);
  return url;
}

const SEARCH: Omit<SearchOptions, 'db'> = { space: 'small', workloads: ['llama-3-70b-serve', 'llama-3-8b-serve'], algorithm: 'nsga2', budget: 120, population: 40, seed: 11, workers: 1, run: 'r', resume: false, now: () => 'T', referenceChips: ['h100-sxm', 'tpu7x'] };

let local: Awaited<ReturnType<typeof runContent>>;
beforeAll(async () => {
  const db = join(dir, 'local.db');
  await runSearch({ ...SEARCH, db });
  local = await runContent(db, 'r');
});

describePg('a distributed search', () => {
  test.each([1, 2, 8])('with %i workers stores the rows of the local run: byte-identical exports, same statistics, state, reference chips and details', async (n) => {
    const url = await database();
    const workers = inProcessWorkers(url, n);
    // Jobs of 7 designs: a generation of 40 is 6 jobs, spread over the workers.
    const s = await runSearch({ ...SEARCH, db: url, distribute: { jobDesigns: 7, jobTimeoutSec: 60 } });
    const summaries = await workers.stop();
    expect(s).toMatchObject({ status: 'done', evaluations: 120 });
    expect(summaries.reduce((a, w) => a + w.designs, 0)).toBe(120);
    if (n > 1) expect(summaries.filter((w) => w.jobs > 0).length).toBeGreaterThan(1);
    const got = await runContent(url, 'r');
    expect(got.csv).toBe(local.csv);
    expect(got.json).toBe(local.json);
    expect(got).toEqual(local);
    expect(await consistencyProblems(url, 'r')).toEqual([]);
  });

  test('jobs finished in reverse and shuffled order store the same rows', async () => {
    const url = await database();
    const boss = new PgBoss({ connectionString: url, schema: QUEUE_SCHEMA, supervise: false, schedule: false });
    boss.on('error', () => {});
    const pool = newPool(url, 2);
    const cache = new ProblemCache();
    let done = false;
    let round = 0;
    // The test is the worker: it waits until a generation's jobs are all queued, then does them backwards (odd rounds) or shuffled.
    const player = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      await boss.start();
      while (!done) {
        const jobs = await boss.fetch<EvaluationJob>(queueName(TOOL_VERSION), { batchSize: 100 });
        if (jobs.length === 0) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        const order = round++ % 2 === 0 ? [...jobs].reverse() : [...jobs].sort((a, b) => (a.id < b.id ? -1 : 1));
        for (const j of order) {
          await doJob(pool, cache, j.data);
          await boss.complete(queueName(TOOL_VERSION), j.id);
        }
      }
    })();
    const s = await runSearch({ ...SEARCH, db: url, distribute: { jobDesigns: 5 } });
    done = true;
    await player;
    await boss.stop({ graceful: false });
    await pool.end();
    expect(s.status).toBe('done');
    expect(round).toBeGreaterThanOrEqual(3);
    expect(await runContent(url, 'r')).toEqual(local);
  });

  test('a coordinator with no worker alive says so, stops when asked, and resumed with workers ends with the rows of the local run', async () => {
    const url = await database();
    const waits: { workersAlive: number }[] = [];
    let stop = false;
    const stopped = await runSearch({ ...SEARCH, db: url, distribute: { onWait: (w) => { waits.push(w); stop = true; } }, shouldStop: () => stop });
    expect(stopped.status).toBe('stopped');
    expect(waits[0].workersAlive).toBe(0);
    expect(await consistencyProblems(url, 'r')).toEqual([]);
    const workers = inProcessWorkers(url, 2);
    const resumed = await runSearch({ ...SEARCH, db: url, resume: true, distribute: {} });
    await workers.stop();
    expect(resumed).toMatchObject({ status: 'done', evaluations: 120 });
    expect(await runContent(url, 'r')).toEqual(local);
    expect(await consistencyProblems(url, 'r')).toEqual([]);
  });

  test('--distribute needs a PostgreSQL storage', async () => {
    await expect(runSearch({ ...SEARCH, db: join(dir, 'x.db'), distribute: {} })).rejects.toThrow(/--distribute needs a postgresql:\/\/ --storage .* got the SQLite file/);
  });
});

describePg('a distributed sweep', () => {
  test('merges its shards into the local sweep: the same counts, reference, hypervolume and front', async () => {
    const url = await database();
    const workers = inProcessWorkers(url, 3);
    const o = { space: 'small', workloads: ['llama-3-70b-serve'], workers: 1 };
    const remote = await sweepReport({ ...o, distribute: { url, jobDesigns: 150 } });
    const summaries = await workers.stop();
    const here = await sweepReport(o);
    const { seconds: _a, ...r } = remote;
    const { seconds: _b, ...h } = here;
    expect(r).toEqual(h);
    expect(JSON.stringify(r)).toBe(JSON.stringify(h));
    expect(summaries.reduce((a, w) => a + w.jobs, 0)).toBe(14);
    expect(summaries.filter((w) => w.jobs > 0).length).toBeGreaterThan(1);
    // The sweep's rows are gone once it is over.
    expect(await sql(url, 'SELECT id FROM chipdse.sweeps')).toEqual([]);
  });
});

describePg('a worker and model versions', () => {
  test('refuses a job of a run made by another chipdse version in one line, and notes queued jobs of other versions once', async () => {
    const url = await database();
    // A run and a job as another version would have made them.
    await runSearch({ ...SEARCH, budget: 40, db: url });
    await sql(url, "UPDATE chipdse.runs SET tool_version = '0.0.1', status = 'running'");
    const boss = new PgBoss({ connectionString: url, schema: QUEUE_SCHEMA, supervise: false, schedule: false });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue('chipdse-evaluate-0.0.1');
    await boss.createQueue(queueName(TOOL_VERSION));
    await boss.insert([{ name: 'chipdse-evaluate-0.0.1', data: { kind: 'search', runId: 1, runName: 'r', toolVersion: '0.0.1', genomes: [[0, 0, 0, 0, 0]] } }]);
    const id = randomUUID();
    await boss.insert([{ id, name: queueName(TOOL_VERSION), data: { kind: 'search', runId: 1, runName: 'r', toolVersion: TOOL_VERSION, genomes: [[1, 1, 1, 1, 1]] }, retryLimit: 0 }]);
    const workers = inProcessWorkers(url, 1);
    for (let i = 0; i < 100 && !workers.logs.some((l) => / refused /.test(l)); i++) await new Promise((r) => setTimeout(r, 100));
    const [summary] = await workers.stop();
    const refused = workers.logs.filter((l) => / refused /.test(l));
    expect(refused).toEqual([expect.stringMatching(/^chipdse worker \d+: refused job \w{8} \(run "r": 1 designs\): run "r" was made by chipdse 0\.0\.1 and this worker is chipdse \S+, whose model may score designs differently; start a worker of chipdse 0\.0\.1 for it$/)]);
    expect(workers.logs.filter((l) => /leaving the/.test(l))).toEqual([expect.stringMatching(/leaving the 1 queued jobs of chipdse 0\.0\.1 runs alone: they were made by chipdse 0\.0\.1 and this worker is/)]);
    expect(summary.refused).toBe(1);
    expect((await boss.getJobById(queueName(TOOL_VERSION), id, { includeArchive: true }))?.state).toBe('failed');
    expect(await sql(url, 'SELECT count(*)::int AS n FROM chipdse.staged_results')).toEqual([{ n: 0 }]);
    await boss.stop({ graceful: false });
  });
});
