import { jest } from '@jest/globals';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSearch, type SearchOptions } from '../src/search/run.js';
import { cleanErrorLines, finished, runCli, spawnCli, type CliResult } from './helpers/cli.js';
import { consistencyProblems, retriedJobs, runContent } from './helpers/distributed.js';
import { createTestDatabase, describePg, dropTestDatabase, PG_URL } from './helpers/pg.js';
import { clusterUnavailable, startCluster, type Cluster } from './helpers/pg-cluster.js';

/**
 * Distributed runs as separate processes on loopback, with the faults the issue names: a worker
 * killed mid-job (its job goes to another worker after the timeout), the coordinator killed
 * (--resume continues from the database), and the database restarted mid-run (workers wait for
 * it; the coordinator stops with one line; a resume completes). Each ends with the rows of a
 * local run of the same seed and passes the consistency checks; no output shows the password.
 */

jest.setTimeout(240_000);
const dir = mkdtempSync(join(tmpdir(), 'chipdse-e2e-'));
const databases: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const url of databases) await dropTestDatabase(url);
  rmSync(dir, { recursive: true, force: true });
});

const PASSWORD = 'pw-S3cret-e2e';
/** The URL with a password in it (trust authentication ignores it): it must show up nowhere. */
function withPassword(url: string): string {
  const u = new URL(url);
  u.password = PASSWORD;
  return u.toString();
}

/** Some 0.5 ms of evaluation a design, in jobs of 1,500: a job takes long enough to be killed in the middle. */
const SEARCH = { space: 'inference-chip', workloads: ['serve-train-mix', 'llama-3-70b-serve'], algorithm: 'random' as const, budget: 6000, population: 3000, seed: 5, workers: 1, run: 'k', resume: false, referenceChips: ['h100-sxm'] } satisfies Omit<SearchOptions, 'db'>;
const SEARCH_ARGS = ['search', '--space', SEARCH.space, ...SEARCH.workloads.flatMap((w) => ['--workload', w]), '--algorithm', SEARCH.algorithm, '--budget', String(SEARCH.budget), '--population', String(SEARCH.population), '--seed', String(SEARCH.seed), '--reference-chips', 'h100-sxm', '--run', 'k'];
const DISTRIBUTE = ['--distribute', '--job-timeout', '3', '--job-designs', '1500'];

/** A started process with its stderr lines as they come, and a way to wait for one. */
interface Proc {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  result: Promise<CliResult>;
  waitFor: (re: RegExp) => Promise<RegExpMatchArray>;
}

function start(args: string[]): Proc {
  const child = spawnCli(args);
  children.push(child);
  const result = finished(child);
  const lines: string[] = [];
  const waiting: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  let partial = '';
  child.stderr.on('data', (d: string) => {
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiting]) {
        const m = line.match(w.re);
        if (m) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  });
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const seen = lines.map((l) => l.match(re)).find((m) => m);
      if (seen) return resolve(seen);
      waiting.push({ re, resolve });
      void result.then((r) => reject(new Error(`process exited (${r.code ?? r.signal}) before printing ${re}:\n${r.stderr}`)));
    });
  return { child, lines, result, waitFor };
}

const worker = (url: string) => start(['worker', '--storage', url, '--poll', '0.2', '--give-up-after', '120']);

/** Stops workers with SIGTERM (they finish the job in hand) and returns their output. */
async function stopWorkers(ws: Proc[]): Promise<CliResult[]> {
  for (const w of ws) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  return Promise.all(ws.map((w) => w.result));
}

let local: Awaited<ReturnType<typeof runContent>>;
beforeAll(async () => {
  const db = join(dir, 'local.db');
  await runSearch({ ...SEARCH, db });
  local = await runContent(db, 'k');
});

describePg('a distributed search as processes', () => {
  test('a coordinator and three workers, one killed mid-job: its job is retried after the timeout, and the run stores the rows of the local run', async () => {
    const base = await createTestDatabase('chipdse_e2e');
    databases.push(base);
    const url = withPassword(base);
    const workers = [worker(url), worker(url), worker(url)];
    await Promise.all(workers.map((w) => w.waitFor(/taking jobs from/)));
    const coordinator = start([...SEARCH_ARGS, '--storage', url, ...DISTRIBUTE]);
    // The first worker to take a job is killed while it evaluates it.
    const taken = await Promise.race(workers.map((w) => w.waitFor(/took job (\w{8})/).then((m) => ({ w, job: m[1] }))));
    taken.w.child.kill('SIGKILL');
    const r = await coordinator.result;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^k: done, 6000 evaluations in 2 generations/m);
    const survivors = workers.filter((w) => w !== taken.w);
    const outputs = await stopWorkers(survivors);
    outputs.forEach((o) => expect(o.code).toBe(0));
    // The killed worker's job went back to the queue and another finished it.
    expect((await retriedJobs(base)).some((j) => j.id.startsWith(taken.job))).toBe(true);
    expect(survivors.flatMap((w) => w.lines).some((l) => l.includes(`took job ${taken.job}`))).toBe(true);
    expect(await runContent(url, 'k')).toEqual(local);
    expect(await consistencyProblems(base, 'k')).toEqual([]);
    // What a user sees: the run, and the workers (two stopped, one silent since it was killed).
    const runs = await runCli(['runs', '--storage', url]);
    expect(runs.stdout).toMatch(/^k\s+inference-chip\s+random\s+5\s+6000\/6000\s+2\s+serve-train-mix llama-3-70b-serve\s+done$/m);
    const listed = await runCli(['workers', '--storage', url, '--all']);
    expect(listed.stdout.match(/\bstopped\b/g)).toHaveLength(2);
    const everything = [r.stdout, r.stderr, ...workers.flatMap((w) => w.lines), runs.stdout, runs.stderr, listed.stdout, listed.stderr].join('\n');
    expect(everything).toContain(':***@');
    expect(everything).not.toContain(PASSWORD);
  });

  test('the coordinator killed after its first generation: --resume continues from the database (reusing what workers staged) to the rows of the local run', async () => {
    const base = await createTestDatabase('chipdse_e2e');
    databases.push(base);
    const workers = [worker(base), worker(base)];
    const first = start([...SEARCH_ARGS, '--storage', base, ...DISTRIBUTE]);
    await first.waitFor(/^k: gen 0 /);
    first.child.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    expect(await consistencyProblems(base, 'k')).toEqual([]);
    const resumed = await runCli(['search', '--run', 'k', '--resume', '--storage', base, ...DISTRIBUTE]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^k: done, 6000 evaluations/m);
    await stopWorkers(workers);
    expect(await runContent(base, 'k')).toEqual(local);
    expect(await consistencyProblems(base, 'k')).toEqual([]);
  });
});

// Like every PostgreSQL test, only with a server configured (CHIPDSE_TEST_PG); there it must run.
describePg('a distributed sweep as processes', () => {
  test('chipdse sweep --distribute with two worker processes prints the JSON of the local chipdse sweep', async () => {
    const base = await createTestDatabase('chipdse_e2e');
    databases.push(base);
    const workers = [worker(base), worker(base)];
    const args = ['sweep', '--space', 'small', '--workload', 'llama-3-70b-serve', '--json'];
    const remote = await runCli([...args, '--distribute', '--storage', base, '--job-designs', '250']);
    const here = await runCli(args);
    await stopWorkers(workers);
    expect(remote.code).toBe(0);
    expect(here.code).toBe(0);
    expect(remote.stdout).toBe(here.stdout);
    expect(workers.flatMap((w) => w.lines).filter((l) => /done job \w+ \(sweep/.test(l))).toHaveLength(8);
  });
});

const unavailable = clusterUnavailable();
const describeCluster = PG_URL && (!unavailable || process.env.CHIPDSE_TEST_PG_REQUIRED === '1') ? describe : describe.skip;

describeCluster(`the database restarted mid-run (a server of the test's own${unavailable ? `; ${unavailable}` : ''})`, () => {
  let cluster: Cluster;
  beforeAll(() => {
    cluster = startCluster();
  });
  afterAll(() => cluster?.destroy());

  test('workers wait for it and go on; the coordinator stops with one line saying how to resume; the resume completes to the rows of the local run', async () => {
    const url = withPassword(cluster.url());
    const workers = [worker(url), worker(url)];
    await Promise.all(workers.map((w) => w.waitFor(/taking jobs from/)));
    const coordinator = start([...SEARCH_ARGS, '--storage', url, ...DISTRIBUTE]);
    await coordinator.waitFor(/^k: gen 0 /);
    cluster.stop();
    await new Promise((r) => setTimeout(r, 2000));
    cluster.start();
    const r = await coordinator.result;
    expect(r.code).toBe(1);
    // Progress lines aside, and the time estimate a search prints when it expects more than a minute (on a busy machine).
    expect(cleanErrorLines(r.stderr.split('\n').filter((l) => !/^k: (gen|waiting)|^chipdse: k: about /.test(l)).join('\n'))).toEqual([
      expect.stringMatching(/^chipdse: postgresql:\/\/root:\*\*\*@127\.0\.0\.1:\d+\/postgres: the database cannot be reached \(.*\); run "k" is stored up to its last whole generation: once the database is back, resume it with chipdse search --run k --resume --storage 'postgresql:\/\/root:\*\*\*@127\.0\.0\.1:\d+\/postgres' --distribute$/),
    ]);
    for (const w of workers) await w.waitFor(/the database answers again after/);
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
    const resumed = await runCli(['search', '--run', 'k', '--resume', '--storage', url, ...DISTRIBUTE]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^k: done, 6000 evaluations/m);
    const outputs = await stopWorkers(workers);
    outputs.forEach((o) => expect(o.code).toBe(0));
    expect(await runContent(url, 'k')).toEqual(local);
    expect(await consistencyProblems(cluster.url(), 'k')).toEqual([]);
    expect([r.stdout, r.stderr, resumed.stdout, resumed.stderr, ...workers.flatMap((w) => w.lines)].join('\n')).not.toContain(PASSWORD);
  });
});
