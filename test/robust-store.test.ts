import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ChipdseError } from '../src/errors.js';
import { SqliteRunStore } from '../src/store/sqlite.js';

/** The SQLite store's own guards: files it must not create or change. */

const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a store opened only to read does not create a missing file', () => {
  const f = join(dir, 'nowhere', 'missing.db');
  expect(() => new SqliteRunStore(f, { create: false })).toThrow(ChipdseError);
  expect(() => new SqliteRunStore(f, { create: false })).toThrow(/no such database/);
  expect(existsSync(f)).toBe(false);
  expect(existsSync(join(dir, 'nowhere'))).toBe(false);
});

test("another program's SQLite file is refused without a byte of it changing (no WAL switch, no tables)", () => {
  const f = join(dir, 'other.db');
  const d = new Database(f);
  d.exec("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep me')");
  d.close();
  const before = readFileSync(f);
  expect(() => new SqliteRunStore(f)).toThrow(/not a chipdse database/);
  expect(readFileSync(f).equals(before)).toBe(true);
  expect(existsSync(`${f}-wal`)).toBe(false);
});

// A run name claimed by another handle between the check and the insert, and non-finite numbers
// refused with nothing half-stored: part of the store contract (test/helpers/store-contract.ts),
// run against SQLite in test/store-contract.test.ts.

test('a run whose stored algorithm or status this chipdse does not know is a one-line error, not a run with a wrong type', async () => {
  const f = join(dir, 'future.db');
  const s = new SqliteRunStore(f);
  await s.createRun({ name: 'r', spaceName: 's', spaceJson: '{}', parameters: null, workloads: [], objectives: [], constraints: [], algorithm: 'nsga2', seed: 1, budget: 1, population: 1, reference: null, toolVersion: 't' }, 'T');
  await s.close();
  const raw = new Database(f);
  raw.prepare("UPDATE runs SET algorithm = 'annealing'").run();
  raw.close();
  const again = new SqliteRunStore(f);
  await expect(again.getRun('r')).rejects.toThrow(ChipdseError);
  await expect(again.listRuns()).rejects.toThrow(/run "r" names an algorithm this chipdse does not know \("annealing"\)/);
  await again.close();
  const raw2 = new Database(f);
  raw2.prepare("UPDATE runs SET algorithm = 'random', status = 'paused'").run();
  raw2.close();
  const third = new SqliteRunStore(f);
  await expect(third.getRun('r')).rejects.toThrow(/status this chipdse does not know \("paused"\)/);
  await third.close();
});
