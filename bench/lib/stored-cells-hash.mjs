// A hash of every stored cell of a run (issue 17b: what a store change must leave as it was): runs
// a search with the build CHIPDSE_DIST (default dist/) and hashes the rows of evaluations,
// reason_lists, metric_shapes, pareto, generations and search_state.
//   node bench/lib/stored-cells-hash.mjs SPACE WORKERS [ALGORITHM] [WORKLOAD]   (BUDGET=n to cap)
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { DIST } from './common.mjs';
const { runSearch } = await import(join(DIST, 'search/run.js'));
const space = process.argv[2]; const workers = Number(process.argv[3] ?? 2); const algorithm = process.argv[4] ?? 'exhaustive';
const dir = mkdtempSync(join(tmpdir(), 'b24h-'));
const db = join(dir, 'x.db');
const s = await runSearch({ space, workloads: process.argv[5] ? [process.argv[5]] : [], algorithm, budget: Number(process.env.BUDGET ?? 1e9), population: 512, seed: 1, workers, db, run: 'r', resume: false, allowLong: true });
const d = new Database(db, { readonly: true });
for (const [t, order] of [['evaluations', 'seq'], ['reason_lists', 'id'], ['metric_shapes', 'id'], ['pareto', 'genome'], ['generations', 'generation'], ['search_state', 'run_id']]) {
  const h = createHash('sha1');
  let n = 0;
  for (const r of d.prepare(`SELECT * FROM ${t} ORDER BY ${order}`).iterate()) { n++; for (const [k, v] of Object.entries(r)) h.update(k + '=' + (v instanceof Uint8Array ? 'x' + Buffer.from(v).toString('hex') : typeof v + ':' + String(v)) + ';'); }
  console.log(t, n, h.digest('hex').slice(0, 16));
}
d.close(); rmSync(dir, { recursive: true, force: true });
console.log('evaluations', s.evaluations, 'front', s.frontSize, 'hv', s.hypervolume);
