import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PointResult } from '../src/results/point.js';
import { runSearch, type SearchOptions } from '../src/search/run.js';
import { openStore } from '../src/store/open.js';
import { SCHEMA_VERSION } from '../src/store/sqlite-schema.js';
import { REASON_LISTS_KEPT } from '../src/store/sqlite-evaluations.js';
import { SqliteRunStore } from '../src/store/sqlite.js';
import { downgradeToSchema5 } from './helpers/packed.js';
import { runRows } from './helpers/cli.js';

/**
 * Objectives as float64 numbers and reason lists by id in the SQLite store (schema 6, issue 17):
 * read back as their JSON would be, refused when not finite, and files of schema 5 (both as JSON
 * text) upgraded with every row kept, a run stopped there resumed exactly.
 */

const dir = mkdtempSync(join(tmpdir(), 'chipdse-objectives-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = { name: 'r', spaceName: 's', spaceJson: '{}', parameters: null, workloads: ['w'], objectives: [], constraints: [], algorithm: 'random' as const, seed: 1, budget: 10, population: 3, reference: null, toolVersion: 'test', inputs: null };
const stats = (n: number) => ({ generation: 0, evaluations: n, feasibleShare: 1, frontSize: 0, hypervolume: 0 });
const state = { population: [], nextIndex: 0 };
const rngState = { i: 0, j: 0, S: [1, 2, 3] };
const point = (k: number, objectives: number[]): PointResult => ({ key: `${k}`, genome: [k], params: { k }, feasible: true, violation: 0, reasons: [], objectives, metrics: null });

const typesOf = (file: string, column = 'objectives_json') => {
  const d = new Database(file, { readonly: true });
  try {
    return (d.prepare(`SELECT DISTINCT typeof(${column}) AS t FROM evaluations ORDER BY t`).all() as { t: string }[]).map((r) => r.t);
  } finally {
    d.close();
  }
};

describe('objectives in the SQLite store', () => {
  it('are float64 numbers read back as JSON would give them (-0 as 0, exact otherwise); a damaged blob is one line naming the design', async () => {
    const file = join(dir, 'exact.db');
    const store = new SqliteRunStore(file);
    const runId = await store.createRun(meta, 'T');
    const results = [point(0, [-0, 1e-310]), point(1, [0.1 + 0.2, -1.7976931348623157e308]), point(2, [5e-324, 123456.789])];
    await store.saveGeneration(runId, { results, firstSeq: 0, stats: stats(3), front: ['1'], reference: null, state, rngState });
    const back = await store.loadEvaluations(runId);
    expect(back.map((p) => p.objectives)).toEqual(results.map((p) => JSON.parse(JSON.stringify(p.objectives))));
    expect(Object.is(back[0].objectives[0], 0)).toBe(true);
    expect((await store.loadFront(runId)).map((p) => p.objectives)).toEqual([[0.1 + 0.2, -1.7976931348623157e308]]);
    await store.close();
    expect(typesOf(file)).toEqual(['blob']);
    const d = new Database(file);
    d.prepare("UPDATE evaluations SET objectives_json = x'010203' WHERE genome = '2'").run();
    d.close();
    const again = new SqliteRunStore(file, { readOnly: true });
    await expect(again.loadEvaluations(runId)).rejects.toThrow(/evaluations\.objectives_json of design 2 cannot be read \(3 bytes are not a whole number of float64 values\): a damaged database/);
    await again.close();
  });

  it('a non-finite objective is refused, and nothing of its generation is stored', async () => {
    const store = new SqliteRunStore(join(dir, 'nan.db'));
    const runId = await store.createRun(meta, 'T');
    for (const bad of [NaN, Infinity, -Infinity]) {
      await expect(store.saveGeneration(runId, { results: [point(0, [1, 2]), point(1, [1, bad])], firstSeq: 0, stats: stats(2), front: [], reference: null, state, rngState })).rejects.toThrow('refusing to store a non-finite number in objectives');
    }
    expect(await store.loadEvaluations(runId)).toEqual([]);
    await store.close();
  });
});

describe('reasons in the SQLite store', () => {
  it('each distinct list stored once per run, rows naming it; no reasons as text; read back as they were; a damaged id is one line', async () => {
    const file = join(dir, 'reasons.db');
    const store = new SqliteRunStore(file);
    const a = await store.createRun(meta, 'T');
    const b = await store.createRun({ ...meta, name: 'b' }, 'T');
    const lists = [[], ['too big'], ['too big', 'constraint x violated (x = 3)'], ['too big']];
    const results = lists.map((reasons, k) => ({ ...point(k, [k, 1]), feasible: reasons.length === 0, reasons }));
    for (const run of [a, b]) await store.saveGeneration(run, { results, firstSeq: 0, stats: stats(4), front: [], reference: null, state, rngState });
    await store.saveGeneration(a, { results: results.map((p) => ({ ...p, key: `1${p.key}`, genome: [10 + p.genome[0]] })), firstSeq: 4, stats: { ...stats(8), generation: 1 }, front: [], reference: null, state, rngState });
    expect((await store.loadEvaluations(a)).map((p) => p.reasons)).toEqual([...lists, ...lists]);
    expect((await store.loadEvaluations(b)).map((p) => p.reasons)).toEqual(lists);
    await store.close();
    const d = new Database(file);
    expect(d.prepare('SELECT run_id, id, reasons_json FROM reason_lists ORDER BY run_id, id').all()).toEqual([
      { run_id: a, id: 0, reasons_json: '["too big"]' },
      { run_id: a, id: 1, reasons_json: '["too big","constraint x violated (x = 3)"]' },
      { run_id: b, id: 0, reasons_json: '["too big"]' },
      { run_id: b, id: 1, reasons_json: '["too big","constraint x violated (x = 3)"]' },
    ]);
    expect(d.prepare("SELECT genome FROM evaluations WHERE typeof(reasons_json) = 'text' ORDER BY seq").all()).toEqual([{ genome: '0' }, { genome: '0' }, { genome: '10' }]);
    d.prepare("UPDATE evaluations SET reasons_json = x'07000000' WHERE run_id = ? AND genome = '2'").run(b);
    d.close();
    const again = new SqliteRunStore(file, { readOnly: true });
    await expect(again.loadEvaluations(b)).rejects.toThrow(/evaluations\.reasons_json of design 2 names no reason list stored for its run: a damaged database/);
    expect((await again.loadEvaluations(a)).map((p) => p.reasons)).toEqual([...lists, ...lists]);
    await again.close();
  });

  it('past REASON_LISTS_KEPT distinct lists a run writes new ones as text', async () => {
    const store = new SqliteRunStore(join(dir, 'many-reasons.db'));
    const runId = await store.createRun(meta, 'T');
    const n = REASON_LISTS_KEPT + 3;
    const results = Array.from({ length: n }, (_, k) => ({ ...point(k, [k, 1]), feasible: false, reasons: [`reason ${k}`] }));
    await store.saveGeneration(runId, { results, firstSeq: 0, stats: stats(n), front: [], reference: null, state, rngState });
    expect((await store.loadEvaluations(runId)).map((p) => p.reasons)).toEqual(results.map((p) => p.reasons));
    const counts = store.db.prepare('SELECT typeof(reasons_json) AS t, count(*) AS n FROM evaluations GROUP BY t ORDER BY t').all();
    expect(counts).toEqual([{ t: 'blob', n: REASON_LISTS_KEPT }, { t: 'text', n: 3 }]);
    await store.close();
  }, 60_000);
});

describe('a database of schema 5 (objectives and reasons as JSON text)', () => {
  // Decode: designs with one HBM stack (16 GB) cannot hold the model, so some rows have reasons, stored before the stop and after the resume.
  const o: SearchOptions = { space: 'small', workloads: ['llama-3-8b-decode'], algorithm: 'exhaustive', budget: 300, population: 64, seed: 1, workers: 1, db: '', run: 'x', resume: false, now: () => 'T', referenceChips: [] };

  it('opens upgraded with every row as it was; a run stopped there resumes to the rows of a run done whole', async () => {
    const whole = join(dir, 'whole.db');
    await runSearch({ ...o, db: whole });
    const old = join(dir, 'schema5.db');
    let generations = 0;
    await runSearch({ ...o, db: old, shouldStop: () => ++generations >= 2 });
    const d = new Database(old);
    downgradeToSchema5(d);
    d.close();
    expect(typesOf(old)).toEqual(['text']);
    expect(typesOf(old, 'reasons_json')).toEqual(['text']);
    const before = runRows(old);
    const store = await openStore(old);
    const run = (await store.getRun('x'))!;
    expect(run.evaluations).toBe(128);
    expect((await store.loadEvaluations(run.id)).map((p) => p.objectives)).toEqual(JSON.parse(before)[0].evaluations.map((r: { objectives_json: string }) => JSON.parse(r.objectives_json)));
    await store.close();
    expect(runRows(old)).toBe(before);
    const raw = new Database(old, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
    expect(await runSearch({ ...o, db: old, resume: true })).toMatchObject({ status: 'done', evaluations: 300 });
    expect(typesOf(old)).toEqual(['blob', 'text']);
    expect(typesOf(old, 'reasons_json')).toEqual(['blob', 'text']);
    expect(runRows(old)).toBe(runRows(whole));
  }, 120_000);
});
