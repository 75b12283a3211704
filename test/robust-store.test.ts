import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ChipdseError } from '../src/errors.js';
import type { RunMeta } from '../src/results/run.js';
import { SqliteRunStore } from '../src/store/sqlite.js';

/** The store's own guards: files it must not create or change, and a run name claimed twice. */

const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = (name: string): RunMeta => ({
  name, spaceName: 's', spaceJson: '{}', parameters: null, workloads: ['w'], objectives: [{ metric: 'costUsd', goal: 'min' }], constraints: [], algorithm: 'nsga2', seed: 1, budget: 10, population: 5, reference: null, toolVersion: 'test',
});

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

test('a run name claimed by another process between the check and the insert is a clear error', async () => {
  const f = join(dir, 'runs.db');
  const a = new SqliteRunStore(f);
  const b = new SqliteRunStore(f);
  expect(await a.getRun('x')).toBeUndefined();
  expect(await b.getRun('x')).toBeUndefined();
  await a.createRun(meta('x'), 'T');
  await expect(b.createRun(meta('x'), 'T')).rejects.toThrow(ChipdseError);
  await expect(b.createRun(meta('x'), 'T')).rejects.toThrow(/a run named "x" exists/);
  await a.close();
  await b.close();
});

test('non-finite numbers are refused before they reach a row, and the generation is not half-stored', async () => {
  const f = join(dir, 'finite.db');
  const s = new SqliteRunStore(f);
  const id = await s.createRun(meta('r'), 'T');
  const point = { key: '0', genome: [0], params: { p: 1 }, feasible: true, violation: 0, reasons: [], objectives: [NaN], metrics: null };
  await expect(
    s.saveGeneration(id, { results: [point], firstSeq: 0, front: ['0'], reference: null, state: { population: [], nextIndex: 0 }, rngState: { i: 0, j: 0, S: [] }, stats: { generation: 0, evaluations: 1, feasibleShare: 1, frontSize: 1, hypervolume: 0 } }),
  ).rejects.toThrow(/non-finite/);
  expect(await s.loadEvaluations(id)).toEqual([]);
  expect(await s.loadGenerations(id)).toEqual([]);
  expect(await s.loadState(id)).toBeUndefined();
  await s.close();
});
