import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePoint, type PointResult } from '../src/results/point.js';
import { PAGE_SIZE } from '../src/store/sqlite-open.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../src/store/sqlite-schema.js';
import { SqliteRunStore } from '../src/store/sqlite.js';

/** New store files get larger pages (issue 17b); files made before keep theirs and read as they did. */

const dir = mkdtempSync(join(tmpdir(), 'chipdse-page-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = { name: 'r', spaceName: 's', spaceJson: '{}', parameters: null, workloads: ['w'], objectives: [], constraints: [], algorithm: 'random' as const, seed: 1, budget: 1000, population: 3, reference: null, toolVersion: 'test', inputs: null };
const point = (k: number): PointResult => ({ key: `${k}`, genome: [k], params: { k }, feasible: k % 2 === 0, violation: k % 2, reasons: k % 2 ? ['no'] : [], objectives: [k, -k], metrics: { w: { a: k * 1.5, b: 'x' } } as unknown as PointResult['metrics'] });
const pageSize = (file: string) => {
  const d = new Database(file, { readonly: true });
  try {
    return d.pragma('page_size', { simple: true });
  } finally {
    d.close();
  }
};

async function fill(file: string): Promise<void> {
  const store = new SqliteRunStore(file);
  const runId = await store.createRun(meta, 'T');
  const results = Array.from({ length: 500 }, (_, k) => encodePoint(point(k), 'packed'));
  await store.saveGeneration(runId, { results, firstSeq: 0, stats: { generation: 0, evaluations: 500, feasibleShare: 0.5, frontSize: 1, hypervolume: 0 }, front: ['0'], reference: null, state: { population: [], nextIndex: 0 }, rngState: { i: 0, j: 0, S: [1] } });
  await store.close();
}

async function read(file: string) {
  const store = new SqliteRunStore(file, { readOnly: true });
  try {
    const run = (await store.getRun('r'))!;
    return { evaluations: await store.loadEvaluations(run.id), front: await store.loadFront(run.id) };
  } finally {
    await store.close();
  }
}

describe('the page size of a store file', () => {
  it('is PAGE_SIZE for a new file', async () => {
    const file = join(dir, 'new.db');
    await fill(file);
    expect(PAGE_SIZE).toBe(16384);
    expect(pageSize(file)).toBe(PAGE_SIZE);
  });

  it('stays what it was for a file made with another, which reads and takes rows as before', async () => {
    const file = join(dir, 'old.db');
    // A store as earlier chipdse made it: SQLite's default page size, this schema, WAL.
    const d = new Database(file);
    d.pragma('page_size = 4096');
    for (let v = 1; v <= SCHEMA_VERSION; v++) d.exec(MIGRATIONS[v]);
    d.pragma(`application_id = ${APPLICATION_ID}`);
    d.pragma(`user_version = ${SCHEMA_VERSION}`);
    d.pragma('journal_mode = WAL');
    d.close();
    await fill(file);
    expect(pageSize(file)).toBe(4096);
    const fresh = join(dir, 'fresh.db');
    await fill(fresh);
    expect(await read(file)).toEqual(await read(fresh));
  });
});
