import { describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packMetrics, unpackMetrics } from '../src/results/packed-metrics.js';
import { encodePoint, metricsJsonOf, type PointResult } from '../src/results/point.js';
import { SqliteRunStore } from '../src/store/sqlite.js';
import { EvaluatorPool, paramsJsonOf, threadsForJob } from '../src/search/pool.js';
import { StoredColumns } from '../src/results/stored-columns.js';
import { genomeParams, listSpacePresets, loadSpace, selfContained } from '../src/search/space.js';
import { genomeAt } from '../src/search/algorithms.js';

const roundTrip = (m: object) => {
  const p = packMetrics(m);
  return { packed: p, back: unpackMetrics(p.shape.text, p.data) };
};

describe('packed metrics', () => {
  it('read back as the JSON of the metrics would be: keys in order, numbers exact, other values as they were', () => {
    const m = {
      'llama-3-8b-decode': { tokensPerSec: 34.597921647615635, boundBy: 'memory', fits: false, ttftSec: 0, tiny: 5e-324, big: 1.7976931348623157e308, breakdown: { compute: 0.1, hbm: 2 / 3 }, missing: null, list: [1, 'a', [2.5, true]] },
      '10': { n: -1.5, '2': 3, z: 'x' },
      second: { tokensPerSec: 1e-300 },
    };
    const { back } = roundTrip(m);
    expect(JSON.stringify(back)).toBe(JSON.stringify(m));
    expect(Object.keys(back)).toEqual(Object.keys(m));
  });

  it('writes -0 as 0 and leaves out undefined values, as JSON does', () => {
    const { back } = roundTrip({ w: { a: -0, b: undefined, c: [undefined, 1] } });
    expect(JSON.stringify(back)).toBe(JSON.stringify({ w: { a: -0, b: undefined, c: [undefined, 1] } }));
    expect(Object.is((back.w as { a: number }).a, 0)).toBe(true);
  });

  it('shares one shape between designs of the same keys, and makes a new one when the keys change', () => {
    const a = packMetrics({ w: { x: 1, y: 'p' } });
    const b = packMetrics({ w: { x: 2, y: 'q' } });
    const c = packMetrics({ w: { x: 2, z: 'q' } });
    const d = packMetrics({ w: { x: 'now a string', y: 'q' } });
    expect(b.shape).toBe(a.shape);
    expect(c.shape).not.toBe(a.shape);
    expect(d.shape).not.toBe(a.shape);
    expect(d.shape.text).not.toBe(a.shape.text);
    expect(unpackMetrics(d.shape.text, d.data)).toEqual({ w: { x: 'now a string', y: 'q' } });
    expect(unpackMetrics(b.shape.text, b.data)).toEqual({ w: { x: 2, y: 'q' } });
  });

  it('holds a number in 8 bytes', () => {
    const { packed } = roundTrip({ w: { a: 0.1, b: 0.2, c: 0.30000000000000004 } });
    expect(packed.data.length).toBe(24);
  });

  it('refuses a non-finite number, as the JSON store does', () => {
    expect(() => packMetrics({ w: { a: 1, b: Number.NaN } })).toThrow('refusing to store a non-finite number in metrics');
    expect(() => packMetrics({ w: { a: 1, b: Infinity } })).toThrow('refusing to store a non-finite number in metrics');
  });

  it('data that does not fit its shape is an error, not a wrong value', () => {
    const p = packMetrics({ w: { a: 1, b: 2, s: 'x' } });
    expect(() => unpackMetrics(p.shape.text, p.data.subarray(0, 8))).toThrow();
    const other = packMetrics({ w: { a: 1, b: 2, s: 'x', t: 'y' } });
    expect(() => unpackMetrics(p.shape.text, other.data)).toThrow('more values than the shape has');
  });

  it('a stored point in either form gives the same metrics JSON', () => {
    const point: PointResult = { key: '0.1', genome: [0, 1], params: { a: 1 }, feasible: true, violation: 0, reasons: [], objectives: [1, -2], metrics: { w: { x: 1.25, bound: 'compute', fits: true } } as unknown as PointResult['metrics'] };
    expect(metricsJsonOf(encodePoint(point, 'packed'))).toBe(metricsJsonOf(encodePoint(point)));
    expect(encodePoint(point, 'packed').metricsJson).toBeUndefined();
    expect(metricsJsonOf(encodePoint({ ...point, metrics: null }, 'packed'))).toBeNull();
  });
});

describe('compact rows in the SQLite store', () => {
  it('stores metrics packed, one shape per run and shape, and a damaged row is one line naming the design', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chipdse-packed-'));
    try {
      const file = join(dir, 'r.db');
      const store = new SqliteRunStore(file);
      const meta = { name: 'r', spaceName: 's', spaceJson: '{}', parameters: null, workloads: ['w'], objectives: [], constraints: [], algorithm: 'random' as const, seed: 1, budget: 10, population: 3, reference: null, toolVersion: 'test', inputs: null };
      const runId = await store.createRun(meta, '2026-01-01T00:00:00Z');
      const point = (k: number, metrics: object | null): PointResult => ({ key: `${k}`, genome: [k], params: { k }, feasible: true, violation: 0, reasons: [], objectives: [k], metrics: metrics as PointResult['metrics'] });
      const results = [point(0, { w: { x: 0.5, b: 'm' } }), point(1, { w: { x: 1.5, b: 'c' } }), point(2, null), point(3, { w: { x: 2, y: 3 } })];
      await store.saveGeneration(runId, { results, firstSeq: 0, stats: { generation: 0, evaluations: 4, feasibleShare: 1, frontSize: 0, hypervolume: 0 }, front: [], reference: null, state: { population: [], nextIndex: 4 }, rngState: { i: 0, j: 0, S: [1, 2, 3] } });
      expect((await store.loadEvaluations(runId)).map((p) => p.metrics)).toEqual(results.map((p) => p.metrics));
      await store.close();
      const d = new Database(file);
      expect(d.prepare('SELECT count(*) AS n FROM metric_shapes WHERE run_id = ?').get(runId)).toEqual({ n: 2 });
      expect(d.prepare('SELECT count(*) AS n FROM evaluations WHERE metrics_json IS NOT NULL').get()).toEqual({ n: 0 });
      d.prepare("UPDATE evaluations SET metrics_packed = x'0102' WHERE genome = '1'").run();
      d.close();
      const again = new SqliteRunStore(file, { readOnly: true });
      await expect(again.loadEvaluations(runId)).rejects.toThrow(/evaluations\.metrics_packed of design 1 cannot be read .*: a damaged database/);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('threads by the size of the job', () => {
  it('one thread per 1,000 designs, at most as many as allowed, at least one', () => {
    expect(threadsForJob(2, 500)).toBe(1);
    expect(threadsForJob(2, 1999)).toBe(1);
    expect(threadsForJob(2, 2000)).toBe(2);
    expect(threadsForJob(2, 1e7)).toBe(2);
    expect(threadsForJob(8, 3500)).toBe(3);
    expect(threadsForJob(1, 1e6)).toBe(1);
    expect(threadsForJob(4, 0)).toBe(1);
  });
});

describe('one worker on a thread', () => {
  it('evaluates on a worker thread when asked (not inline), into the same columns as on this thread', async () => {
    const space = loadSpace('inference-chip');
    const data = { spaceData: selfContained(space), spaceFile: 'inference-chip', workloads: [] };
    const genomes = Array.from({ length: 40 }, (_, i) => genomeAt(space, i * 37));
    const here = new EvaluatorPool(data, 1);
    const thread = new EvaluatorPool(data, 1, true);
    try {
      expect(here.evaluatesInline).toBe(true);
      expect(thread.evaluatesInline).toBe(false);
      const [a, b] = [await here.evaluateForStore(genomes, 'packed'), await thread.evaluateForStore(genomes, 'packed')];
      expect(a).toBeInstanceOf(StoredColumns);
      expect(b).toBeInstanceOf(StoredColumns);
      const points = (c: unknown) => (c as StoredColumns).points().map((p) => ({ ...p, metricsPacked: undefined, metrics: metricsJsonOf(p) }));
      expect(points(b)).toEqual(points(a));
      expect(points(a)).toHaveLength(40);
    } finally {
      await Promise.all([here.close(), thread.close()]);
    }
  });
});

describe('parameters JSON from text made once per value', () => {
  it('is what JSON.stringify writes of the design parameters, for every shipped space', () => {
    for (const name of listSpacePresets()) {
      const space = loadSpace(name);
      const write = paramsJsonOf(space);
      expect(write).toBeDefined();
      for (let k = 0; k < 200; k++) {
        const g = genomeAt(space, Math.floor(((k * 0.6180339887) % 1) * space.size));
        expect(write!(g)).toBe(JSON.stringify(genomeParams(space, g)));
      }
    }
  });

  it('is not used where JavaScript would reorder or drop a name', () => {
    const space = loadSpace('small');
    const renamed = (n: string) => ({ ...space, parameters: space.parameters.map((p, i) => (i === 0 ? { ...p, name: n } : p)) });
    expect(paramsJsonOf(renamed('7'))).toBeUndefined();
    expect(paramsJsonOf(renamed('__proto__'))).toBeUndefined();
    expect(paramsJsonOf(renamed('7x'))).toBeDefined();
  });
});
