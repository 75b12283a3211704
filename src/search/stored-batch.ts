/**
 * A worker's designs encoded for a store that packs metrics, sent to the main thread as columns:
 * numbers in typed arrays that are moved, not copied, and each distinct reason list and metric
 * shape once. Structured cloning of one object per design (with its arrays, strings and packed
 * metrics) cost the main thread of a stored run with worker threads about as much as writing its
 * rows (issue 17); building the objects again from columns there is a few allocations a design.
 */
import type { PackedMetrics } from '../results/packed-metrics.js';
import type { StoredPoint } from '../results/point.js';

export interface StoredBatch {
  keys: string[];
  feasible: Uint8Array;
  violation: Float64Array;
  /** Objectives of design i at [i * width, (i + 1) * width). */
  objectives: Float64Array;
  width: number;
  params: string[];
  /** Each distinct reason list's JSON once; design i has reasonTexts[reasonIndex[i]]. */
  reasonTexts: string[];
  reasonIndex: Uint32Array;
  /** Each distinct metric shape's text once; design i has shapeTexts[shapeIndex[i]], or no metrics when it is -1. */
  shapeTexts: string[];
  shapeIndex: Int32Array;
  /** Every design's packed metrics, one after the other: design i's are data[offsets[i] .. offsets[i + 1]). */
  data: Uint8Array;
  offsets: Float64Array;
}

/** Points as columns, with the buffers to move; undefined when they do not fit columns (metrics as JSON, or objectives of different lengths). */
export function toColumns(points: StoredPoint[]): { batch: StoredBatch; transfer: ArrayBuffer[] } | undefined {
  const n = points.length;
  const width = n > 0 ? points[0].objectives.length : 0;
  let bytes = 0;
  for (const p of points) {
    if (p.objectives.length !== width || p.reasonsJson === undefined || (p.metricsPacked === undefined && p.metricsJson !== null)) return undefined;
    bytes += p.metricsPacked?.data.length ?? 0;
  }
  const batch: StoredBatch = {
    keys: new Array<string>(n),
    feasible: new Uint8Array(n),
    violation: new Float64Array(n),
    objectives: new Float64Array(n * width),
    width,
    params: new Array<string>(n),
    reasonTexts: [],
    reasonIndex: new Uint32Array(n),
    shapeTexts: [],
    shapeIndex: new Int32Array(n),
    data: new Uint8Array(bytes),
    offsets: new Float64Array(n + 1),
  };
  const reasons = new Map<string, number>();
  const shapes = new Map<string, number>();
  let at = 0;
  points.forEach((p, i) => {
    batch.keys[i] = p.key;
    batch.feasible[i] = p.feasible ? 1 : 0;
    batch.violation[i] = p.violation;
    for (let j = 0; j < width; j++) batch.objectives[i * width + j] = p.objectives[j];
    batch.params[i] = p.paramsJson;
    let r = reasons.get(p.reasonsJson!);
    if (r === undefined) {
      r = batch.reasonTexts.push(p.reasonsJson!) - 1;
      reasons.set(p.reasonsJson!, r);
    }
    batch.reasonIndex[i] = r;
    const m = p.metricsPacked;
    if (m) {
      let s = shapes.get(m.shape.text);
      if (s === undefined) {
        s = batch.shapeTexts.push(m.shape.text) - 1;
        shapes.set(m.shape.text, s);
      }
      batch.shapeIndex[i] = s;
      batch.data.set(m.data, at);
      at += m.data.length;
    } else {
      batch.shapeIndex[i] = -1;
    }
    batch.offsets[i + 1] = at;
  });
  const buffers = [batch.feasible, batch.violation, batch.objectives, batch.reasonIndex, batch.shapeIndex, batch.data, batch.offsets].map((a) => a.buffer as ArrayBuffer);
  return { batch, transfer: buffers };
}

/** The points of a batch again, with their genomes (what the worker was sent, in order). */
export function fromColumns(b: StoredBatch, genomes: number[][]): StoredPoint[] {
  const reasons = b.reasonTexts.map((json) => Object.freeze(JSON.parse(json) as string[]) as string[]);
  const shapes = b.shapeTexts.map((text) => Object.freeze({ text }));
  const { width } = b;
  return b.keys.map((key, i): StoredPoint => {
    const s = b.shapeIndex[i];
    const metricsPacked: PackedMetrics | undefined = s < 0 ? undefined : { shape: shapes[s], data: b.data.subarray(b.offsets[i], b.offsets[i + 1]) };
    const objectives = new Array<number>(width);
    for (let j = 0; j < width; j++) objectives[j] = b.objectives[i * width + j];
    return {
      key,
      genome: genomes[i],
      feasible: b.feasible[i] === 1,
      violation: b.violation[i],
      reasons: reasons[b.reasonIndex[i]],
      reasonsJson: b.reasonTexts[b.reasonIndex[i]],
      objectives,
      paramsJson: b.params[i],
      metricsJson: s < 0 ? null : undefined,
      metricsPacked,
    };
  });
}
