import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import seedrandom from 'seedrandom';
import { finished, integrityCheck, runCli, runRows, sleep, spawnCli } from './helpers/cli.js';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * A search killed at random moments (SIGKILL: no handler runs) and resumed each time ends with
 * exactly the rows of an uninterrupted run, and the database passes `PRAGMA integrity_check`
 * after every kill. SIGINT stops after the generation in hand, says how to resume, exits 130,
 * and the run resumes to the same rows; a second SIGINT aborts at once, and that too resumes.
 *
 * The workload with "batch": "auto" (Llama 3 70B serving, which tries batch after batch) makes a
 * generation of 20 designs take some 20 ms, so the kills land inside generations, not only
 * between processes.
 */

const T = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEARCH = ['--space', 'small', '--workload', 'llama-3-70b-serve', '--budget', '400', '--population', '20', '--seed', '7'];
const fresh = (db: string) => ['search', ...SEARCH, '--db', db, '--run', 'k'];
const resume = (db: string) => ['search', '--run', 'k', '--resume', '--db', db];

let reference: Promise<string>;
beforeAll(() => {
  // The uninterrupted run, started now so it runs beside the first kills.
  const db = join(dir, 'reference.db');
  reference = runCli(fresh(db)).then((r) => {
    if (r.code !== 0) throw new Error(`reference run failed: ${r.stderr}`);
    return runRows(db, 'k');
  });
  reference.catch(() => {}); // awaited (and reported) by the tests
});

function runExists(db: string): boolean {
  if (!existsSync(db)) return false;
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const hasRuns = d.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get() as { n: number };
    return hasRuns.n > 0 && d.prepare("SELECT 1 FROM runs WHERE name = 'k'").get() !== undefined;
  } finally {
    d.close();
  }
}

/** What a kill may leave: whole generations only, each with its statistics and the search state of the last. */
function expectWholeGenerations(db: string): void {
  if (!runExists(db)) return;
  const d = new Database(db, { readonly: true });
  try {
    const ev = d.prepare('SELECT count(*) AS n, max(generation) AS g FROM evaluations').get() as { n: number; g: number | null };
    const gens = d.prepare('SELECT generation, evaluations FROM generations ORDER BY generation').all() as { generation: number; evaluations: number }[];
    const state = d.prepare('SELECT generation FROM search_state').all() as { generation: number }[];
    gens.forEach((g, i) => expect(g.generation).toBe(i));
    if (ev.n === 0) {
      expect(gens).toEqual([]);
      expect(state).toEqual([]);
      return;
    }
    expect(gens[gens.length - 1]).toEqual({ generation: ev.g, evaluations: ev.n });
    expect(state).toEqual([{ generation: ev.g }]);
    const front = d.prepare('SELECT count(*) AS n FROM pareto p LEFT JOIN evaluations e ON e.run_id = p.run_id AND e.genome = p.genome WHERE e.genome IS NULL').get() as { n: number };
    expect(front.n).toBe(0);
  } finally {
    d.close();
  }
}

/** Resolves after `n` more progress lines ("k: gen N ...") on the child's stderr, or when it exits. */
function afterGenerations(child: ChildProcessWithoutNullStreams, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onData = (d: Buffer | string) => {
      seen += (String(d).match(/\bgen \d+/g) ?? []).length;
      if (seen >= n) done();
    };
    const done = () => {
      child.stderr.off('data', onData);
      child.off('exit', done);
      resolve();
    };
    child.stderr.on('data', onData);
    child.on('exit', done);
  });
}

test('SIGKILL at random moments, resumed each time: the same rows as an uninterrupted run, integrity ok after every kill', async () => {
  const db = join(dir, 'killed.db');
  const rng = seedrandom('chipdse-kill-test');
  let kills = 0;
  for (let attempt = 0; attempt < 8 && kills < 5; attempt++) {
    const child = spawnCli(runExists(db) ? resume(db) : fresh(db));
    const result = finished(child);
    if (attempt === 0) {
      // Very early: while the process starts, opens the database or creates the run.
      await sleep(50 + rng() * 350);
    } else {
      await afterGenerations(child, 1 + Math.floor(rng() * 4));
      await sleep(rng() * 15);
    }
    const killed = child.kill('SIGKILL');
    const r = await result;
    if (r.signal === 'SIGKILL') kills++;
    else if (killed === false || r.code === 0) break; // finished before the kill landed
    else throw new Error(`search failed (exit ${r.code}):\n${r.stderr}`);
    if (existsSync(db)) expect(integrityCheck(db)).toBe('ok');
    expectWholeGenerations(db);
  }
  expect(kills).toBeGreaterThanOrEqual(4);
  const last = await runCli(runExists(db) ? resume(db) : fresh(db));
  expect(last.stderr).not.toMatch(/locked|internal error/);
  expect(last.code).toBe(0);
  expect(last.stdout).toMatch(/^k: done, 400 evaluations/m);
  expect(integrityCheck(db)).toBe('ok');
  expect(runRows(db, 'k')).toBe(await reference);
}, T);

test('SIGINT stops after the current generation, says how to resume, exits 130; the run resumes to the same rows (and a second SIGINT aborts, resumable too)', async () => {
  const db = join(dir, 'interrupted.db');
  const child = spawnCli(fresh(db));
  const result = finished(child);
  await afterGenerations(child, 2);
  child.kill('SIGINT');
  const r = await result;
  expect(r.signal).toBeNull();
  expect(r.code).toBe(130);
  expect(r.stderr).toMatch(/^chipdse: stopping after this generation/m);
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  const hint = r.stdout.match(/^resume with: chipdse (search .*)$/m);
  expect(hint).not.toBeNull();
  expect(r.stdout).toMatch(/^k: stopped, \d+ evaluations/m);
  expect(integrityCheck(db)).toBe('ok');
  expectWholeGenerations(db);
  const d = new Database(db, { readonly: true });
  const stopped = d.prepare("SELECT status, (SELECT count(*) FROM evaluations) AS n FROM runs WHERE name = 'k'").get() as { status: string; n: number };
  d.close();
  expect(stopped.status).toBe('stopped');
  expect(stopped.n).toBeGreaterThan(0);
  expect(stopped.n).toBeLessThan(400);
  expect(stopped.n % 20).toBe(0); // whole generations

  // Resume with the printed command; interrupt it twice: the second SIGINT exits at once.
  const args = hint![1].split(' ');
  expect(args).toEqual(resume(db));
  const again = spawnCli(args);
  const againResult = finished(again);
  await afterGenerations(again, 1);
  again.kill('SIGINT');
  await sleep(2);
  again.kill('SIGINT');
  const r2 = await againResult;
  expect(r2.code).toBe(130);
  expect(integrityCheck(db)).toBe('ok');
  expectWholeGenerations(db);

  const done = await runCli(args);
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(/^k: done, 400 evaluations/m);
  expect(runRows(db, 'k')).toBe(await reference);
}, T);
