import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveFor } from '../src/search/algorithms.js';
import { chipForGenome } from '../src/search/design-template.js';
import { runSearch, type SearchOptions } from '../src/search/run.js';
import { parseSpace } from '../src/search/space.js';
import { sweepReport } from '../src/search/sweep-report.js';
import { SqliteRunStore } from '../src/store/sqlite.js';
import { finished, ROOT, runCli, runRows, spawnCli } from './helpers/cli.js';

/**
 * What a large space costs (issue 15, item 11): start-up does not grow with the values of its
 * parameters, an exhaustive search keeps no archive (and resumes exactly without one), designs
 * with identical objectives leave one of them on the front, and a long sweep estimates its time
 * and prints progress lines off a terminal. Time and memory themselves are measured by
 * bench/resources.mjs, not here.
 */

const T = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-res-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The small space, written elsewhere: its base (tpu-v6e with a TDP) extends the preset by absolute path, so its designs score as the shipped space's. */
const small = (): any => {
  const s = JSON.parse(readFileSync(join(ROOT, 'designs/spaces/small.json'), 'utf8'));
  return { ...s, base: { ...s.base, extends: join(ROOT, 'designs/tpu-v6e.json') } };
};

test('a design of a space with 100,000 values per parameter is built without validating every value', () => {
  const s = small();
  s.parameters[0] = { name: 'mxus', type: 'int', path: 'compute.matrixUnits[0].count', min: 1, max: 100000 };
  s.parameters[3] = { name: 'clockMHz', type: 'int', path: 'compute.clockHz', unit: 'MHz', min: 1000, max: 100999 };
  const space = parseSpace(s, 'wide.json', ROOT);
  let applied = 0;
  for (const p of space.parameters) {
    const apply = p.apply;
    p.apply = (d, v) => {
      applied++;
      apply(d, v);
    };
  }
  const chip = chipForGenome(space, [3, 0, 1, 500, 0], 'wide.json');
  expect(chip.matrixUnits[0].count).toBe(4);
  // The base, a few sample designs checked against full validation, and the values this design uses.
  expect(applied).toBeLessThan(200);
});

test('the archive of an exhaustive search counts its designs and holds none', () => {
  const a = archiveFor('exhaustive');
  for (let i = 0; i < 1000; i++) a.set(`k${i}`, { key: `k${i}`, genome: [i], feasible: true, violation: 0, objectives: [i] });
  expect(a.size).toBe(1000);
  expect([...a.values()]).toEqual([]);
  expect(archiveFor('nsga2').size).toBe(0);
});

test('an exhaustive search stopped and resumed (without an archive) ends with the rows of an uninterrupted one', async () => {
  const o: SearchOptions = { space: 'small', workloads: [], algorithm: 'exhaustive', budget: 700, population: 100, seed: 1, workers: 1, db: join(dir, 'full.db'), run: 'x', resume: false, now: () => 'T' };
  await runSearch(o);
  let gens = 0;
  const part = join(dir, 'part.db');
  expect(await runSearch({ ...o, db: part, shouldStop: () => ++gens >= 3 })).toMatchObject({ status: 'stopped', evaluations: 300 });
  expect(await runSearch({ workloads: [], workers: 1, db: part, run: 'x', resume: true, now: () => 'T' })).toMatchObject({ status: 'done', evaluations: 700 });
  expect(runRows(part)).toBe(runRows(join(dir, 'full.db')));
}, T);

describe('designs with identical objectives leave one of them on the front', () => {
  // A parameter no objective depends on: every design comes three times over.
  const space = join(dir, 'twins.json');
  beforeAll(() => {
    const s = small();
    s.parameters.push({ name: 'label', type: 'choice', path: 'notes', values: ['a', 'b', 'c'] });
    writeFileSync(space, JSON.stringify(s));
  });

  test('sweep: the first design of each objective vector, and how many were left out', async () => {
    const plain = await sweepReport({ space: 'small', workloads: [], workers: 1 });
    const twins = await sweepReport({ space, workloads: [], workers: 2 });
    expect(twins.front.map((p) => p.key)).toEqual(plain.front.map((p) => `${p.key}.0`));
    expect(twins.identicalLeftOut).toBe(2 * plain.front.length + 3 * plain.identicalLeftOut);
    expect(twins.hypervolume).toBe(plain.hypervolume);
  }, T);

  test('exhaustive search stores the same front', async () => {
    const db = join(dir, 'twins.db');
    await runSearch({ space, workloads: [], algorithm: 'exhaustive', budget: 6000, population: 1000, seed: 1, workers: 1, db, run: 't', resume: false });
    const store = new SqliteRunStore(db, { readOnly: true });
    const front = (await store.loadFront((await store.getRun('t'))!.id)).map((p) => p.key);
    await store.close();
    const sweep = await sweepReport({ space, workloads: [], workers: 1 });
    expect([...front].sort()).toEqual(sweep.front.map((p) => p.key).sort());
  }, T);
});

describe('a long sweep says how long, and that it is alive', () => {
  test('off a terminal, a sweep prints progress lines (CHIPDSE_PROGRESS_SEC=0: one per chunk)', async () => {
    const r = await runCli(['sweep', '--space', 'inference-chip', '--workers', '1'], ROOT, { env: { CHIPDSE_PROGRESS_SEC: '0' } });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^inference-chip: \d+\/12960 designs \(\d+\.\d%\), \d+ designs\/s, about \d+ s left$/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
  }, T);

  test('with --allow-long a sweep of 10^12 designs starts, after printing its estimate', async () => {
    const s = small();
    s.parameters = [
      { name: 'mxus', type: 'int', path: 'compute.matrixUnits[0].count', min: 1, max: 10000 },
      { name: 'sramMiB', type: 'int', path: 'memory.sram.bytes', unit: 'MiB', min: 1, max: 10000 },
      { name: 'clockMHz', type: 'int', path: 'compute.clockHz', unit: 'MHz', min: 500, max: 10499 },
    ];
    const f = join(dir, 'trillion.json');
    writeFileSync(f, JSON.stringify(s));
    const child = spawnCli(['sweep', '--space', f, '--allow-long'], ROOT, { env: { CHIPDSE_PROGRESS_SEC: '0' }, timeoutMs: 60_000 });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
      if (/designs\/s, about/.test(stderr.split('\n').slice(1).join('\n'))) child.kill('SIGKILL');
    });
    await finished(child);
    expect(stderr.split('\n')[0]).toMatch(new RegExp(`^chipdse: ${f}: about [\\d.]+ (years|days) \\(1000000000000 designs at \\d+ designs/s on 1 thread, timed on \\d+ designs\\)$`));
    expect(stderr).toMatch(/: \d+\/1000000000000 designs \(0\.0%\)/);
  }, T);
});
