import { afterAll, describe, expect, it, test } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { encodePoint, genomeKey, genomeOfKey, metricsJsonOf, type PointResult } from '../src/results/point.js';
import { ColumnsBuilder, fromColumns, StoredColumns, toColumns } from '../src/search/stored-batch.js';
import { SqliteRunStore } from '../src/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'chipdse-columns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Designs encoded for the store travel from a worker as columns (issue 17) and come back as the same points. */
const point = (k: number, over: Partial<PointResult> = {}): PointResult => ({
  key: `${k}.1`,
  genome: [k, 1],
  params: { a: k, b: 'x' },
  feasible: k % 2 === 0,
  violation: k % 2 === 0 ? 0 : k / 3,
  reasons: k % 2 === 0 ? [] : [`too big ${k % 3}`, 'constraint fits == true violated'],
  objectives: [-k * 1.5, k === 0 ? -0 : k + 0.1],
  metrics: { w: { tokensPerSec: k * 10.25, boundBy: k % 3 === 0 ? 'memory' : 'compute', fits: k % 2 === 0, nested: { e: [1, k] } } } as unknown as PointResult['metrics'],
  ...over,
});

describe('stored points as columns', () => {
  it('come back equal, field by field, with the genomes given, reason lists and shapes sent once', () => {
    const points = [...Array.from({ length: 9 }, (_, i) => point(i)), point(9, { metrics: null, objectives: [0, 0], reasons: ['compute: bad'] }), point(10, { metrics: { w: { other: 1 } } as unknown as PointResult['metrics'] })].map((p) => encodePoint(p, 'packed'));
    const cols = toColumns(points)!;
    expect(cols.batch.reasonTexts.length).toBe(5);
    expect(cols.batch.shapeTexts.length).toBe(2);
    const genomes = points.map((p) => [...p.genome]);
    const back = fromColumns(structuredClone(cols.batch, { transfer: cols.transfer }), genomes);
    expect(back.map((p) => ({ ...p, metricsPacked: undefined }))).toEqual(points.map((p) => ({ ...p, metricsPacked: undefined })));
    expect(back.map((p) => p.genome)).toEqual(genomes);
    expect(back.map(metricsJsonOf)).toEqual(points.map(metricsJsonOf));
    expect(Object.is(back[0].objectives[1], -0)).toBe(true);
    expect(back.map((p) => p.reasonsJson)).toEqual(points.map((p) => JSON.stringify(p.reasons)));
  });

  it('points that do not fit columns (metrics as JSON, objectives of different lengths) are left to structured cloning', () => {
    expect(toColumns([encodePoint(point(1))])).toBeUndefined();
    expect(toColumns([encodePoint(point(1), 'packed'), encodePoint(point(2, { objectives: [1] }), 'packed')])).toBeUndefined();
    expect(toColumns([])!.batch.keys).toEqual([]);
  });
});

/** Columns built design by design while evaluating (what a worker sends), for `points`. */
function built(points: PointResult[]) {
  const b = new ColumnsBuilder(points.length);
  for (const p of points) expect(b.add(p, JSON.stringify(p.params))).toBe(true);
  return b.finish();
}

const many = () => [...Array.from({ length: 150 }, (_, i) => point(i)), point(150, { metrics: null, objectives: [0, 0], reasons: ['compute: bad'] }), point(151, { metrics: { w: { other: 1, s: 'ünï' } } as unknown as PointResult['metrics'] })];

describe('columns built while evaluating', () => {
  it('are the columns of the encoded points: the same points come back, moved to another thread', () => {
    const points = many();
    const cols = built(points);
    const genomes = points.map((p) => [...p.genome]);
    const moved = structuredClone(cols.batch, { transfer: cols.transfer });
    expect(cols.batch.data.byteLength).toBe(0);
    const back = fromColumns(moved, genomes);
    const encoded = points.map((p) => encodePoint(p, 'packed'));
    expect(back.map((p) => ({ ...p, metricsPacked: undefined }))).toEqual(encoded.map((p) => ({ ...p, metricsPacked: undefined })));
    expect(back.map(metricsJsonOf)).toEqual(encoded.map(metricsJsonOf));
    expect(new StoredColumns([{ batch: moved, genomes }]).ranked()).toEqual(encoded.map((p) => ({ key: p.key, genome: p.genome, feasible: p.feasible, violation: p.violation, objectives: p.objectives })));
  });

  it('refuse a design whose objectives differ in length from the batch\'s first', () => {
    const b = new ColumnsBuilder(2);
    expect(b.add(point(1), '{}')).toBe(true);
    expect(b.add(point(2, { objectives: [1] }), '{}')).toBe(false);
  });

  const meta = { name: 'r', spaceName: 's', spaceJson: '{}', parameters: null, workloads: ['w'], objectives: [], constraints: [], algorithm: 'random' as const, seed: 1, budget: 1000, population: 3, reference: null, toolVersion: 'test', inputs: null };
  const record = (results: ConstructorParameters<typeof StoredColumns>[0] | ReturnType<typeof encodePoint>[], n: number) => ({
    results: Array.isArray(results) && results.length > 0 && 'batch' in results[0] ? new StoredColumns(results as ConstructorParameters<typeof StoredColumns>[0]) : (results as ReturnType<typeof encodePoint>[]),
    firstSeq: 0,
    stats: { generation: 0, evaluations: n, feasibleShare: 1, frontSize: 0, hypervolume: 0 },
    front: [],
    reference: null,
    state: { population: [], nextIndex: 0 },
    rngState: { i: 0, j: 0, S: [1, 2, 3] },
  });
  const cells = (file: string) => {
    const d = new Database(file, { readonly: true });
    try {
      return ['evaluations ORDER BY seq', 'reason_lists ORDER BY id', 'metric_shapes ORDER BY id'].map((t) => d.prepare(`SELECT * FROM ${t}`).all());
    } finally {
      d.close();
    }
  };

  it('are written by the SQLite store as the same rows, cell for cell, as the points they hold', async () => {
    const points = many();
    const half = points.length / 2;
    const files = [join(dir, 'points.db'), join(dir, 'columns.db')];
    for (const [k, file] of files.entries()) {
      const store = new SqliteRunStore(file);
      const runId = await store.createRun(meta, 'T');
      // Two parts, as two workers send them.
      const parts = [points.slice(0, half), points.slice(half)].map((ps) => ({ batch: built(ps).batch, genomes: ps.map((p) => p.genome) }));
      await store.saveGeneration(runId, k === 0 ? record(points.map((p) => encodePoint(p, 'packed')), points.length) : record(parts, points.length));
      expect((await store.loadEvaluations(runId)).map((p) => p.key)).toEqual(points.map((p) => p.key));
      await store.close();
    }
    const [a, b] = files.map(cells);
    expect(b[0]).toHaveLength(points.length);
    expect(b).toEqual(a);
  });

  it('a non-finite objective or violation in the columns is refused, and nothing of its generation is stored', async () => {
    for (const [i, bad] of [{ objectives: [1, Infinity] }, { violation: NaN }].entries()) {
      const file = join(dir, `bad${i}.db`);
      const store = new SqliteRunStore(file);
      const runId = await store.createRun(meta, 'T');
      const ps = [point(0), point(1), point(2, bad)];
      await expect(store.saveGeneration(runId, record([{ batch: built(ps).batch, genomes: ps.map((p) => p.genome) }], 3))).rejects.toThrow(/refusing to store a non-finite number in (objectives|the violation of design 2\.1)/);
      expect(await store.loadEvaluations(runId)).toEqual([]);
      await store.close();
    }
  });
});

describe('the stored front', () => {
  it('is the front of the last generation, designs that left it deleted and those that joined inserted; a key given twice is refused with its generation', async () => {
    const store = new SqliteRunStore(join(dir, 'front.db'));
    const meta = { name: 'r', spaceName: 's', spaceJson: '{}', parameters: null, workloads: ['w'], objectives: [], constraints: [], algorithm: 'random' as const, seed: 1, budget: 1000, population: 3, reference: null, toolVersion: 'test', inputs: null };
    const runId = await store.createRun(meta, 'T');
    const fronts = [['0.1', '2.1'], ['2.1', '4.1', '5.1'], ['8.1', '0.1'], []];
    for (const [g, front] of fronts.entries()) {
      const points = [0, 1, 2].map((k) => encodePoint(point(3 * g + k), 'packed'));
      await store.saveGeneration(runId, { results: points, firstSeq: 3 * g, stats: { generation: g, evaluations: 3 * g + 3, feasibleShare: 1, frontSize: front.length, hypervolume: 0 }, front, reference: null, state: { population: [], nextIndex: 0 }, rngState: { i: 0, j: 0, S: [1] } });
      expect((await store.loadFront(runId)).map((p) => p.key).sort()).toEqual([...front].sort());
    }
    const again = { results: [encodePoint(point(30), 'packed')], firstSeq: 12, stats: { generation: 4, evaluations: 13, feasibleShare: 1, frontSize: 2, hypervolume: 0 }, front: ['30.1', '30.1'], reference: null, state: { population: [], nextIndex: 0 }, rngState: { i: 0, j: 0, S: [1] } };
    await expect(store.saveGeneration(runId, again)).rejects.toThrow(/UNIQUE|PRIMARY|constraint/i);
    expect((await store.loadGenerations(runId)).length).toBe(4);
    await store.close();
  });
});

describe('genome keys', () => {
  test('genomeKey is g.join(\'.\') for genomes and whatever else an array holds, and genomeOfKey reads it back', () => {
    const rng = seedrandom('keys');
    const genomes: number[][] = Array.from({ length: 300 }, () => Array.from({ length: Math.floor(rng() * 12) }, () => Math.floor(rng() * 1e6)));
    for (const g of genomes) {
      expect(genomeKey(g)).toBe(g.join('.'));
      if (g.length > 0) expect(genomeOfKey(genomeKey(g))).toEqual(g);
    }
    const odd = [[], [-0], [1.5, NaN, Infinity, -3, 1e21, 1e-7], [1, undefined, null, 2], [1, 'a', 2], [1, { toString: () => 'x', valueOf: () => 7 }]] as unknown as number[][];
    for (const g of odd) expect(genomeKey(g)).toBe(g.join('.'));
  });
});
