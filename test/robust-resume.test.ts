import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cleanErrorLines, finished, ROOT, runCli, runRows, spawnCli } from './helpers/cli.js';

/**
 * --resume and batch never quietly change or misreport a stored run (issue 15, items 12 and 13):
 * a finished run resumed reports its own figures and is left as it was; settings equal to the
 * stored ones are accepted; a batch notices an entry (or its space file) changed since its run
 * was stored; and the printed "resume with:" command works when pasted into a shell, whatever
 * the run name and database path hold.
 */

const T = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BIN = join(ROOT, 'bin/chipdse.js');

const endedAt = (db: string, run: string) => {
  const d = new Database(db, { readonly: true });
  const r = d.prepare('SELECT ended_at FROM runs WHERE name = ?').get(run) as { ended_at: string };
  d.close();
  return r.ended_at;
};

describe('resuming a finished run', () => {
  const db = join(dir, 'done.db');
  let first: string;
  beforeAll(async () => {
    const r = await runCli(['search', '--space', 'small', '--budget', '40', '--population', '20', '--seed', '3', '--db', db, '--run', 'r']);
    expect(r.code).toBe(0);
    first = r.stdout.trim();
  }, T);

  test('reports the run as it stands (not "hypervolume 0"), and changes nothing', async () => {
    const rows = runRows(db);
    const ended = endedAt(db, 'r');
    const r = await runCli(['search', '--run', 'r', '--resume', '--db', db]);
    expect(r.code).toBe(0);
    expect(first).toMatch(/^r: done, 40 evaluations in 2 generations, front of \d+, hypervolume [\d.e+]+ /);
    expect(r.stdout.trim()).toBe(first.replace(/^r: done,/, 'r: done earlier,'));
    expect(runRows(db)).toBe(rows);
    expect(endedAt(db, 'r')).toBe(ended);
  }, T);

  test('settings equal to the stored ones are accepted', async () => {
    const r = await runCli(['search', '--run', 'r', '--resume', '--db', db, '--space', 'small', '--budget', '40', '--population', '20', '--seed', '3', '--algorithm', 'nsga2', '--workload', 'llama-3-8b-serve']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  }, T);
});

describe('batch: an entry changed since its run was stored', () => {
  const db = join(dir, 'batch.db');
  const space = join(dir, 'space.json');
  const batch = join(dir, 'batch.json');
  const entry = { run: 'b', space, budget: 40, population: 20, seed: 2 };
  beforeAll(async () => {
    writeFileSync(space, JSON.stringify({ ...JSON.parse(readFileSync(join(ROOT, 'designs/spaces/small.json'), 'utf8')), base: join(ROOT, 'designs/tpu-v6e.json') }));
    writeFileSync(batch, JSON.stringify({ searches: [entry] }));
    const r = await runCli(['batch', batch, '--db', db]);
    expect(r.code).toBe(0);
  }, T);

  test('unchanged: the finished run is skipped', async () => {
    const r = await runCli(['batch', batch, '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/b: done in an earlier batch, skipped/);
  }, T);

  test('its space file edited: refused in one line naming the entry, before anything runs', async () => {
    const rows = runRows(db);
    const s = JSON.parse(readFileSync(space, 'utf8'));
    s.parameters[0].max = 8;
    writeFileSync(join(dir, 'space-edited.json'), JSON.stringify(s));
    const edited = join(dir, 'batch-edited.json');
    writeFileSync(edited, JSON.stringify({ searches: [{ run: 'new', space: 'small', budget: 20 }, { ...entry, space: join(dir, 'space-edited.json') }] }));
    const r = await runCli(['batch', edited, '--db', db]);
    expect(r.code).toBe(1);
    expect(cleanErrorLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^chipdse: ${edited}: searches\\[1\\] \\(run "b"\\): space .*rename the run`))]);
    // Not even the first, unchanged entry ran.
    expect(runRows(db)).toBe(rows);
  }, T);
});

describe('the printed resume command', () => {
  test('pasted into a shell, it resumes a run whose name and database path hold spaces and quotes', async () => {
    const folder = join(dir, "a folder with 'quotes'");
    mkdirSync(folder);
    const db = join(folder, 'runs $HOME.db');
    const name = "it's run #1 & more";
    const child = spawnCli(['search', '--space', 'small', '--workload', 'llama-3-70b-serve', '--budget', '400', '--population', '20', '--db', db, '--run', name]);
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
      // Once: a second SIGINT aborts without the summary.
      if (!interrupted && /\bgen 1\b/.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const stopped = await finished(child);
    expect(stopped.code).toBe(130);
    const line = stopped.stdout.split('\n').find((l) => l.startsWith('resume with: '));
    expect(line).toBeDefined();
    const command = line!.slice('resume with: '.length);
    const pasted = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('bash', ['-c', `chipdse() { node ${JSON.stringify(BIN)} "$@"; }\n${command}`], { cwd: ROOT }, (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout }));
    });
    expect(pasted.code).toBe(0);
    expect(pasted.stdout).toMatch(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: done, 400 evaluations`));
  }, T);
});

describe('a search without --run, given twice', () => {
  test('the second makes a run of the next free name instead of failing; --run with a stored name still refuses', async () => {
    const db = join(dir, 'default-names.db');
    const args = ['search', '--space', 'small', '--budget', '20', '--population', '10', '--db', db];
    const first = await runCli(args);
    const second = await runCli(args);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(first.stdout).toMatch(/^small-nsga2-1: done, 20 evaluations/);
    expect(second.stdout).toMatch(/^small-nsga2-1-2: done, 20 evaluations/);
    const d = new Database(db, { readonly: true });
    expect(d.prepare('SELECT name FROM runs ORDER BY id').all()).toEqual([{ name: 'small-nsga2-1' }, { name: 'small-nsga2-1-2' }]);
    d.close();
    const named = await runCli([...args, '--run', 'small-nsga2-1']);
    expect(named.code).toBe(1);
    expect(cleanErrorLines(named.stderr)).toEqual([expect.stringMatching(/a run named "small-nsga2-1" exists; give --resume/)]);
  }, T);
});
