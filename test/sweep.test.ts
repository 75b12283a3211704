import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSearch } from '../src/search/run.js';
import { sweepSpace } from '../src/search/sweep.js';
import { loadSpace } from '../src/search/space.js';
import { loadWorkload } from '../src/workload/load.js';
import { SqliteRunStore } from '../src/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'chipdse-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('streaming exhaustive sweep', () => {
  test('finds the same front as an exhaustive search, on one thread and on two', async () => {
    const db = join(dir, 'truth.db');
    await runSearch({ space: 'small', workloads: [], algorithm: 'exhaustive', budget: 100000, population: 500, seed: 1, workers: 1, db, run: 'truth', resume: false, now: () => 'T' });
    const store = new SqliteRunStore(db);
    const run = (await store.getRun('truth'))!;
    const truth = (await store.loadFront(run.id)).map((p) => p.key).sort();
    const feasible = (await store.loadEvaluations(run.id)).filter((p) => p.feasible).length;
    await store.close();

    const space = loadSpace('small');
    const data = { spaceData: { ...space.raw, base: space.base.data }, spaceFile: space.file, workloads: [loadWorkload('llama-3-8b-serve')] };
    for (const workers of [1, 2]) {
      const r = await sweepSpace(data, { workers, chunk: 300 });
      expect(r.evaluated).toBe(space.size);
      expect(r.feasible).toBe(feasible);
      expect(r.front.map((p) => p.key).sort()).toEqual(truth);
    }
  }, 120_000);
});

describe('chipdse sweep', () => {
  const ROOT = join(new URL('..', import.meta.url).pathname);
  const chipdse = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['bin/chipdse.js', ...args], { cwd: ROOT, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  test('--json: every design counted, the front and hypervolume of an exhaustive search, with full metrics', async () => {
    const db = join(dir, 'cli-truth.db');
    const s = await runSearch({ space: 'small', workloads: [], algorithm: 'exhaustive', budget: 100000, population: 500, seed: 1, workers: 1, db, run: 'truth', resume: false, now: () => 'T' });
    const store = new SqliteRunStore(db);
    const run = (await store.getRun('truth'))!;
    const truth = await store.loadFront(run.id);
    await store.close();
    const out = join(dir, 'sweep.json');
    const r = chipdse('sweep', '--space', 'small', '--workers', '2', '--json', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(doc);
    expect(doc.evaluated).toBe(loadSpace('small').size);
    expect(doc.feasible + doc.invalid).toBeLessThanOrEqual(doc.evaluated);
    expect(doc.front.map((p: { genome: string }) => p.genome).sort()).toEqual(truth.map((p) => p.key).sort());
    // The small space names its reference point, so the hypervolume is the search's exactly.
    expect(doc.referenceFrom).toBe('space');
    expect(doc.hypervolume).toBeCloseTo(s.hypervolume, 6);
    for (const p of doc.front) {
      expect(p.metrics.tokensPerSec).toBeGreaterThan(0);
      const stored = truth.find((q) => q.key === p.genome)!;
      expect(p.objectives['tokensPerSec']).toBe(-stored.objectives[0]);
    }
  }, 120_000);

  test('--json gives the same bytes with one worker and with two', () => {
    const one = chipdse('sweep', '--space', 'small', '--json');
    const two = chipdse('sweep', '--space', 'small', '--json', '--workers', '2');
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  }, 120_000);

  test('a space with no feasible design: counted, an empty front, hypervolume 0', () => {
    const space = join(dir, 'nofeas.json');
    writeFileSync(space, JSON.stringify({
      name: 'nofeas', base: 'tpu-v6e', workloads: ['llama-3-8b-serve'],
      parameters: [{ name: 'clockGHz', type: 'values', path: 'compute.clockHz', unit: 'GHz', values: [1.0, 1.5] }],
      constraints: ['tokensPerSec >= 1e12'],
      objectives: [{ metric: 'tokensPerSec', goal: 'max' }, { metric: 'costUsd', goal: 'min' }],
    }));
    const r = chipdse('sweep', '--space', space, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ evaluated: 2, feasible: 0, invalid: 0, front: [], hypervolume: 0, reference: null, referenceFrom: 'none' });
    expect(chipdse('sweep', '--space', space).stdout).toMatch(/no feasible design/);
  }, 120_000);

  test('the text form prints the counts and the front table', () => {
    const r = chipdse('sweep', '--space', 'small');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^small: 2000 designs \(\d+ feasible, 0 invalid\) in [\d.]+ s; front of \d+( \(\d+ more with the same objectives as one of them left out\))?, hypervolume/);
    expect(r.stdout).toMatch(/genome\s+mxus/);
  }, 120_000);

  test('bad input: one clean line and a non-zero exit', () => {
    const missing = chipdse('sweep', '--space', 'no-such-space');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^chipdse: .*no-such-space/);
    const workers = chipdse('sweep', '--space', 'small', '--workers', '0');
    expect(workers.code).toBe(2);
    expect(workers.stderr).toMatch(/--workers/);
    const workload = chipdse('sweep', '--space', 'small', '--workload', 'no-such-workload');
    expect(workload.code).not.toBe(0);
    expect(workload.stderr).toMatch(/^chipdse: --workload\[0\]: .*no-such-workload/);
  }, 120_000);
});
