import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCsv, exportJson } from '../src/results/export.js';
import { runSearch } from '../src/search/run.js';
import { MemoryRunStore } from '../src/store/memory.js';
import { openRun, openStore } from '../src/store/open.js';
import { SqliteRunStore } from '../src/store/sqlite.js';
import Database from 'better-sqlite3';
import { storeContract, type ForgeClaim } from './helpers/store-contract.js';

/** Every store implementation passes the one contract suite (test/helpers/store-contract.ts). */

const dir = mkdtempSync(join(tmpdir(), 'chipdse-store-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('SQLite', {
  storage: () => {
    const file = join(dir, `contract-${n++}.db`);
    const forgeClaim: ForgeClaim = async (runId, c) => {
      const d = new Database(file, { timeout: 10_000 });
      d.prepare('INSERT OR REPLACE INTO run_writers (run_id, token, pid, host, since, heartbeat_ms) VALUES (?, ?, ?, ?, ?, ?)').run(runId, `forged-${c.pid}-${c.host}`, c.pid, c.host, '2026-01-01T00:00:00.000Z', Date.now() - c.heartbeatAgeSec * 1000);
      d.close();
    };
    return { location: file, open: async () => new SqliteRunStore(file), forgeClaim };
  },
});

storeContract('in memory', {
  storage: () => {
    const name = `contract-${n++}`;
    return { location: `memory:${name}`, open: async () => new MemoryRunStore(name) };
  },
});

describe('openStore', () => {
  test('picks the implementation by address: memory: and memory:NAME in memory, anything else a SQLite file', async () => {
    const a = await openStore('memory:');
    const b = await openStore('memory:');
    await a.createRun({ name: 'x', spaceName: 's', spaceJson: '{}', parameters: null, workloads: [], objectives: [], constraints: [], algorithm: 'random', seed: 1, budget: 1, population: 1, reference: null, toolVersion: 't' }, 'T');
    // `memory:` is private to its handle; `memory:NAME` is shared.
    expect(await b.getRun('x')).toBeUndefined();
    expect(a).toBeInstanceOf(MemoryRunStore);
    const file = join(dir, 'open.db');
    const c = await openStore(file);
    expect(c).toBeInstanceOf(SqliteRunStore);
    expect(c.location).toBe(file);
    await Promise.all([a.close(), b.close(), c.close()]);
    await expect(openStore(join(dir, 'missing.db'), { create: false })).rejects.toThrow(/no such database/);
  });

  test('openRun names the runs there are when the one asked for is missing', async () => {
    await expect(openRun('memory:empty-one', 'r')).rejects.toThrow(/memory:empty-one: no run named "r" \(the database has no runs\)/);
  });
});

describe('a search stored in memory', () => {
  test('stores the same rows as a search stored in SQLite: byte-identical exports', async () => {
    const o = { space: 'small', workloads: [], algorithm: 'nsga2' as const, budget: 60, population: 20, seed: 2, workers: 1, run: 'r', resume: false, now: () => 'T' };
    await runSearch({ ...o, db: 'memory:search' });
    const file = join(dir, 'search.db');
    await runSearch({ ...o, db: file });
    const exported = async (db: string) => {
      const { store, run } = await openRun(db, 'r');
      const points = await store.loadEvaluations(run.id);
      const front = new Set((await store.loadFront(run.id)).map((p) => p.key));
      const gens = await store.loadGenerationsByGenome(run.id);
      const refs = await store.loadReferences(run.id);
      const details = await store.loadDetails(run.id);
      await store.close();
      return { csv: exportCsv(run, points, front, gens), json: exportJson(run, points, front, gens), refs, details, frontSize: front.size };
    };
    const [mem, sql] = [await exported('memory:search'), await exported(file)];
    expect(mem.csv).toBe(sql.csv);
    expect(mem.json).toBe(sql.json);
    expect(mem.refs).toEqual(sql.refs);
    expect(mem.refs).toHaveLength(12); // every shipped preset, gb200 and b300 included
    expect(mem.details).toEqual(sql.details);
    // The final front's designs have their full evaluation stored, for the roofline and energy-by-step charts.
    expect(mem.details.map((d) => d.genome).sort()).toHaveLength(mem.frontSize);
    MemoryRunStore.drop('search');
  }, 60_000);
});
