import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCsv, exportJson } from '../src/results/export.js';
import { runSearch } from '../src/search/run.js';
import { openRun, openStore } from '../src/store/open.js';
import { PgRunStore } from '../src/store/postgres.js';
import { PG_SCHEMA_VERSION } from '../src/store/postgres-schema.js';
import { createTestDatabase, describePg, dropTestDatabase, PG_URL, sql } from './helpers/pg.js';
import { storeContract, type ForgeClaim } from './helpers/store-contract.js';

/**
 * The PostgreSQL store passes the one contract suite (test/helpers/store-contract.ts) on a real
 * server, creates its schema once when several processes start on a new database at once, and
 * stores a search exactly as SQLite does.
 */

const T = 120_000;
jest.setTimeout(T);
const databases: string[] = [];
afterAll(async () => {
  for (const url of databases) await dropTestDatabase(url);
});

/** A new database for one test, dropped after the file. */
async function database(): Promise<string> {
  const url = await createTestDatabase('chipdse_contract');
  databases.push(url);
  return url;
}

if (PG_URL) {
  storeContract('PostgreSQL', {
    storage: () => {
      const ready = database();
      ready.catch(() => {});
      const forgeClaim: ForgeClaim = async (runId, c) => {
        await sql(await ready, `INSERT INTO chipdse.run_writers (run_id, token, pid, host, since, heartbeat_at) VALUES ($1, $2, $3, $4, '2026-01-01T00:00:00.000Z', now() - make_interval(secs => $5))
          ON CONFLICT (run_id) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host, heartbeat_at = excluded.heartbeat_at`, [runId, `forged-${c.pid}`, c.pid, c.host, c.heartbeatAgeSec]);
      };
      return { location: 'postgresql', open: async () => PgRunStore.open(await ready), forgeClaim };
    },
  });
}

describePg('the PostgreSQL store', () => {
  test('stores at a postgresql:// address; a password in the URL never shows in its location or errors', async () => {
    const url = await database();
    const withPassword = url.replace('://', '://root:s3cret-pw@');
    const s = await openStore(withPassword);
    expect(s).toBeInstanceOf(PgRunStore);
    expect(s.location).not.toContain('s3cret-pw');
    expect(s.location).toContain(':***@');
    await s.close();
    await expect(openRun(withPassword, 'missing')).rejects.toThrow(/:\*\*\*@.*no run named "missing"/);
    const wrongPort = withPassword.replace(/:(\d+)\//, ':1/');
    const err = await openStore(wrongPort).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/cannot be reached/);
    expect(String((err as Error).message)).not.toContain('s3cret-pw');
  });

  test('reading an empty database creates nothing; a database whose chipdse schema holds other tables is refused', async () => {
    const url = await database();
    await expect(openStore(url, { create: false })).rejects.toThrow(/no chipdse runs in this database/);
    expect(await sql(url, "SELECT nspname FROM pg_namespace WHERE nspname = 'chipdse'")).toEqual([]);
    await sql(url, 'CREATE SCHEMA chipdse; CREATE TABLE chipdse.notes (x text)');
    await expect(openStore(url)).rejects.toThrow(/not a chipdse database \(its schema "chipdse" holds other tables\)/);
  });

  test('a database written by a newer chipdse (a later schema version) is refused, not changed', async () => {
    const url = await database();
    await (await openStore(url)).close();
    await sql(url, 'UPDATE chipdse.schema_version SET version = $1', [PG_SCHEMA_VERSION + 1]);
    await expect(openStore(url)).rejects.toThrow(`written by a newer chipdse (schema ${PG_SCHEMA_VERSION + 1}, this one reads up to ${PG_SCHEMA_VERSION})`);
    expect(await sql(url, 'SELECT version FROM chipdse.schema_version')).toEqual([{ version: PG_SCHEMA_VERSION + 1 }]);
  });

  test('connections opening a new database at once (as processes starting together) create its schema once, under the advisory lock, without errors', async () => {
    const url = await database();
    const stores = await Promise.all(Array.from({ length: 8 }, () => PgRunStore.open(url)));
    expect(await sql(url, 'SELECT version FROM chipdse.schema_version')).toEqual([{ version: PG_SCHEMA_VERSION }]);
    await Promise.all(stores.map((s, i) => s.createRun({ name: `r${i}`, spaceName: 's', spaceJson: '{}', parameters: null, workloads: [], objectives: [], constraints: [], algorithm: 'random', seed: 1, budget: 1, population: 1, reference: null, toolVersion: 't' }, 'T')));
    expect((await stores[0].listRuns()).map((r) => r.name).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    await Promise.all(stores.map((s) => s.close()));
  });

  test('a search stored in PostgreSQL stores the same rows as one stored in SQLite: byte-identical exports', async () => {
    const url = await database();
    const dir = mkdtempSync(join(tmpdir(), 'chipdse-pg-search-'));
    try {
      const o = { space: 'small', workloads: [], algorithm: 'nsga2' as const, budget: 60, population: 20, seed: 2, workers: 1, run: 'r', resume: false, now: () => 'T', referenceChips: ['h100-sxm', 'tpu-v6e'] };
      await runSearch({ ...o, db: url });
      const file = join(dir, 'search.db');
      await runSearch({ ...o, db: file });
      const exported = async (db: string) => {
        const { store, run } = await openRun(db, 'r');
        const points = await store.loadEvaluations(run.id);
        const front = new Set((await store.loadFront(run.id)).map((p) => p.key));
        const gens = await store.loadGenerationsByGenome(run.id);
        const rest = [await store.loadReferences(run.id), await store.loadDetails(run.id), await store.loadGenerations(run.id), await store.loadState(run.id)];
        await store.close();
        return { csv: exportCsv(run, points, front, gens), json: exportJson(run, points, front, gens), rest, run: { ...run, id: 0 } };
      };
      const [pgRun, sqliteRun] = [await exported(url), await exported(file)];
      expect(pgRun.csv).toBe(sqliteRun.csv);
      expect(pgRun.json).toBe(sqliteRun.json);
      expect(pgRun.rest).toEqual(sqliteRun.rest);
      expect(pgRun.run).toEqual(sqliteRun.run);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
