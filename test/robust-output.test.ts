import { execFile, spawn } from 'node:child_process';
import { closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runSearch } from '../src/search/run.js';
import { cleanErrorLines, finished, ROOT, runCli, runRows, spawnCli } from './helpers/cli.js';

/**
 * Where a command's output goes wrong (issue 15, items 3 and 6): a reader that stops reading, a
 * full disk, a standard error that goes away under a running search, and an output file that
 * cannot be written whole. A closed pipe ends a command quietly with 141 (128 + SIGPIPE, as git
 * and coreutils); standard output that cannot be written is one line and status 1; a search never
 * dies because its progress cannot be shown; an output file is replaced whole or not at all.
 */

const T = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DB = join(dir, 'runs.db');
const BIN = join(ROOT, 'bin/chipdse.js');
const SEARCH = { space: 'small', workloads: [], algorithm: 'nsga2' as const, budget: 300, population: 20, seed: 5, workers: 1 };

beforeAll(async () => {
  // 300 evaluations: an export of some 150 KB, more than a pipe holds.
  await runSearch({ ...SEARCH, db: DB, run: 'r', resume: false });
}, T);

/** Runs a bash command line; resolves with its exit status, stdout and stderr. */
function bash(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd: dir }, (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? null : 0, stdout, stderr }));
  });
}

describe('a reader that goes away, a disk that is full', () => {
  test('export ... | head -c 100: chipdse ends quietly with 141, as git and coreutils do', async () => {
    const r = await bash(`node ${BIN} export --run r --db ${DB} 2>err.txt | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`);
    expect(readFileSync(join(dir, 'err.txt'), 'utf8')).toBe('');
    expect(r.stdout.trim()).toBe('141');
  }, T);

  test('sweep into a pipe already closed: quiet, 141', async () => {
    const child = spawnCli(['sweep', '--space', 'small']);
    child.stdout.destroy();
    const r = await finished(child);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
  }, T);

  test('standard output to /dev/full: one line naming it, status 1', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [BIN, 'export', '--run', 'r', '--db', DB], { cwd: ROOT, stdio: ['ignore', full, 'pipe'] });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(cleanErrorLines(stderr)).toEqual(['chipdse: standard output: cannot write (ENOSPC)']);
      expect(code).toBe(1);
    } finally {
      closeSync(full);
    }
  }, T);

  test('search ... 2>&1 | head -2: the search goes on when its progress cannot be shown, and stores every generation', async () => {
    const db = join(dir, 'head.db');
    const child = spawnCli(['search', '--space', 'small', '--budget', '300', '--population', '20', '--seed', '5', '--db', db, '--run', 'r']);
    let lines = 0;
    child.stderr.on('data', (d: Buffer) => {
      lines += String(d).split('\n').length - 1;
      if (lines >= 2) {
        child.stderr.destroy();
        child.stdout.destroy();
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // The summary line could not be written: the quiet end of a closed pipe.
    expect(code).toBe(141);
    const d = new Database(db, { readonly: true });
    expect(d.prepare('SELECT status FROM runs').all()).toEqual([{ status: 'done' }]);
    d.close();
    expect(runRows(db)).toBe(runRows(DB));
  }, T);
});

describe('an output file is replaced whole or not at all', () => {
  test('export --out under a 50 KiB file size limit (ulimit -f 100) fails in one line and leaves the old file as it was', async () => {
    const out = join(dir, 'old.csv');
    const old = 'an earlier export\n'.repeat(5000);
    writeFileSync(out, old);
    const r = await bash(`ulimit -f 100; exec node ${BIN} export --run r --db ${DB} --out ${out}`);
    expect(cleanErrorLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^chipdse: ${out}: cannot write \\(EFBIG\\)$`))]);
    expect(r.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe(old);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, T);

  test('export --out through a symbolic link replaces the file it names, and the link stays a link', async () => {
    const real = join(dir, 'real.csv');
    const link = join(dir, 'link.csv');
    writeFileSync(real, 'old\n');
    symlinkSync(real, link);
    const r = await runCli(['export', '--run', 'r', '--db', DB, '--out', link]);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toMatch(/^seq,generation,genome,/);
  }, T);

  test('export --out /dev/null (a device) is written directly', async () => {
    const r = await runCli(['export', '--run', 'r', '--db', DB, '--out', '/dev/null']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  }, T);
});
