import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSearch } from '../src/search/run.js';
import { sweepSpace } from '../src/search/sweep.js';
import { loadSpace } from '../src/search/space.js';
import { loadWorkload } from '../src/workload/load.js';
import { RunStore } from '../src/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'chipdse-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('streaming exhaustive sweep', () => {
  test('finds the same front as an exhaustive search, on one thread and on two', async () => {
    const db = join(dir, 'truth.db');
    await runSearch({ space: 'small', workloads: [], algorithm: 'exhaustive', budget: 100000, population: 500, seed: 1, workers: 1, db, run: 'truth', resume: false, now: () => 'T' });
    const store = new RunStore(db);
    const run = store.getRun('truth')!;
    const truth = store.loadFront(run.id).map((p) => p.key).sort();
    const feasible = store.loadEvaluations(run.id).filter((p) => p.feasible).length;
    store.close();

    const space = loadSpace('small');
    const data = { spaceData: { ...space.raw, base: space.base.data }, spaceFile: space.file, workloads: [loadWorkload('llama-3-8b-serve')] };
    for (const workers of [1, 2]) {
      const r = await sweepSpace(data, { workers, chunk: 300 });
      expect(r.evaluated).toBe(space.size);
      expect(r.feasible).toBe(feasible);
      expect(r.front.map((p) => p.key).sort()).toEqual(truth);
    }
  });
});
