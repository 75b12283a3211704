import { chmodSync, closeSync, copyFileSync, fstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ChipdseError } from '../src/errors.js';
import { runSearch } from '../src/search/run.js';
import { openStore } from '../src/store/open.js';
import { MIGRATIONS, APPLICATION_ID } from '../src/store/sqlite-schema.js';
import { SqliteRunStore } from '../src/store/sqlite.js';
import { cleanErrorLines, runCli, UNPRIVILEGED } from './helpers/cli.js';

/**
 * Databases a user can read but not write, and damaged ones (issue 15, items 7 and 8): the
 * read-only commands (runs, front, export, chart, report) open the file read-only, so a database
 * in a folder the user cannot write reads as any other and is left exactly as it was; a damaged
 * file is one line naming it, from the library as from the command line.
 */

const T = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-db-'));
// The unprivileged user must reach the files (mkdtemp makes the folder private).
chmodSync(dir, 0o755);
afterAll(() => {
  chmodSync(join(dir, 'locked'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});
const SOURCE = join(dir, 'source.db');
const LOCKED = join(dir, 'locked');
const DB = join(LOCKED, 'runs.db');
const OLD = join(LOCKED, 'old.db');
const OUT = join(dir, 'out');

/** Every file of a folder and its bytes. */
const snapshot = (folder: string) => readdirSync(folder).sort().map((f) => [f, readFileSync(join(folder, f)).toString('base64')]);

beforeAll(async () => {
  await runSearch({ space: 'small', workloads: [], algorithm: 'nsga2', budget: 60, population: 20, seed: 2, workers: 1, db: SOURCE, run: 'r', resume: false });
  mkdirSync(LOCKED);
  copyFileSync(SOURCE, DB);
  // A file of schema 1: reading it takes an upgrade, which needs the folder.
  const old = new Database(OLD);
  old.exec(MIGRATIONS[1]);
  old.pragma(`application_id = ${APPLICATION_ID}`);
  old.pragma('user_version = 1');
  old.close();
  chmodSync(DB, 0o444);
  chmodSync(OLD, 0o444);
  chmodSync(LOCKED, 0o555);
  mkdirSync(OUT, { mode: 0o777 });
  chmodSync(OUT, 0o777);
}, T);

describe('a database in a folder the user cannot write', () => {
  test('runs, front, export, chart and report read it, and leave the folder exactly as it was', async () => {
    const before = snapshot(LOCKED);
    const cases = [
      ['runs', '--db', DB],
      ['front', '--run', 'r', '--db', DB],
      ['export', '--run', 'r', '--db', DB, '--format', 'json'],
      ['chart', '--run', 'r', '--db', DB, '--kind', 'convergence', '--out', join(OUT, 'c.svg')],
      ['report', '--run', 'r', '--db', DB, '--out', join(OUT, 'report')],
    ];
    for (const args of cases) {
      const r = await runCli(args, undefined, UNPRIVILEGED);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    }
    expect(snapshot(LOCKED)).toEqual(before);
  }, T);

  test('eight readers at once there, and in a folder they can write: every read whole and alike', async () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const writable = join(open, 'writable.db');
    copyFileSync(SOURCE, writable);
    chmodSync(writable, 0o666);
    for (const db of [DB, writable]) {
      const reads = await Promise.all(
        Array.from({ length: 8 }, (_, i) => runCli(i % 2 === 0 ? ['export', '--run', 'r', '--db', db, '--format', 'csv'] : ['front', '--run', 'r', '--db', db, '--json'], undefined, UNPRIVILEGED)),
      );
      for (const r of reads) expect([r.code, r.stderr]).toEqual([0, '']);
      expect(new Set(reads.filter((_, i) => i % 2 === 0).map((r) => r.stdout)).size).toBe(1);
      expect(new Set(reads.filter((_, i) => i % 2 === 1).map((r) => r.stdout)).size).toBe(1);
    }
  }, T);

  test('a search cannot resume there: one line naming the file', async () => {
    const r = await runCli(['search', '--run', 'r', '--resume', '--budget', '80', '--db', DB], undefined, UNPRIVILEGED);
    expect(r.code).toBe(1);
    expect(cleanErrorLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^chipdse: ${DB}: cannot write the database`))]);
  }, T);

  test('a database of an older schema there: one line saying it needs a one-time upgrade', async () => {
    const r = await runCli(['runs', '--db', OLD], undefined, UNPRIVILEGED);
    expect(r.code).toBe(1);
    expect(cleanErrorLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`${OLD}: written by an older chipdse \\(schema 1\\).*write access`))]);
  }, T);
});

describe('damaged databases through the library', () => {
  test('close() after a read that found the file damaged does not hide that error', async () => {
    const f = join(dir, 'corrupt.db');
    copyFileSync(SOURCE, f);
    const fd = openSync(f, 'r+');
    // Every page but the first (the schema), whatever the file's page size (header bytes 16-17).
    const header = Buffer.alloc(18);
    readSync(fd, header, 0, 18, 0);
    const page = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
    for (let at = page; at < fstatSync(fd).size; at += page) writeSync(fd, Buffer.alloc(page, 0x5a), 0, page, at);
    closeSync(fd);
    const store = new SqliteRunStore(f, { create: false, readOnly: true });
    let error: unknown;
    try {
      await store.listRuns();
    } catch (e) {
      error = e;
    } finally {
      await store.close();
    }
    expect(error).toBeInstanceOf(ChipdseError);
    expect((error as Error).message).toMatch(new RegExp(`^${f}: .*damaged`));
  });

  test('a store opened only to read refuses writes, SQLite and in memory alike', async () => {
    for (const address of [SOURCE, 'memory:read-only-test']) {
      const store = await openStore(address, { readOnly: true });
      await expect(store.finishRun(1, 'done', 'now')).rejects.toThrow(/opened only for reading/);
      await store.close();
    }
  });
});
