import { describe, expect, it, test } from '@jest/globals';
import seedrandom from 'seedrandom';
import { encodePoint, genomeKey, genomeOfKey, metricsJsonOf, type PointResult } from '../src/results/point.js';
import { fromColumns, toColumns } from '../src/search/stored-batch.js';

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
