/**
 * A batch of designs encoded for a store that packs metrics, as columns: numbers in typed arrays,
 * each distinct reason list and metric shape once, every design's packed metrics in one buffer.
 * Worker threads build a batch while they evaluate (ColumnsBuilder) and send it moved, not
 * copied; the SQLite store writes its rows straight from the columns (StoredColumns). An object
 * per design, held until its generation was written, cost a stored run young-generation garbage
 * collections in the workers and in the main thread, and structured cloning of those objects
 * cost the main thread about as much as writing the rows (issue 17).
 */
import { PackedSink, type PackedMetrics } from './packed-metrics.js';
import type { PointResult, StoredPoint } from './point.js';

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
  /** Every design's packed metrics: design i's are data[offsets[2i] .. offsets[2i + 1]). */
  data: Uint8Array;
  offsets: Float64Array;
}

/** The buffers of a batch, to move it to another thread. */
export function batchTransfer(b: StoredBatch): ArrayBuffer[] {
  return [b.feasible, b.violation, b.objectives, b.reasonIndex, b.shapeIndex, b.data, b.offsets].map((a) => a.buffer as ArrayBuffer);
}

/** Builds a batch design by design, as they are evaluated: what is kept of a design is its columns' values. */
export class ColumnsBuilder {
  private n = 0;
  private width = -1;
  private readonly keys: string[] = [];
  private readonly params: string[] = [];
  private readonly feasible: Uint8Array;
  private readonly violation: Float64Array;
  private objectives = new Float64Array(0);
  private readonly reasonTexts: string[] = [];
  private readonly reasonIndex: Uint32Array;
  private readonly reasons = new Map<string, number>();
  private readonly shapeTexts: string[] = [];
  private readonly shapeIndex: Int32Array;
  private readonly shapes = new Map<string, number>();
  private readonly offsets: Float64Array;
  private readonly sink: PackedSink;

  /** `capacity`: the designs the batch will hold. */
  constructor(private readonly capacity: number) {
    this.feasible = new Uint8Array(capacity);
    this.violation = new Float64Array(capacity);
    this.reasonIndex = new Uint32Array(capacity);
    this.shapeIndex = new Int32Array(capacity);
    this.offsets = new Float64Array(2 * capacity);
    this.sink = new PackedSink(capacity * 512);
  }

  /** Adds a design (`paramsJson`: its parameters' JSON, as encodePoint would write it); false when it does not fit the batch's columns (objectives of another length). */
  add(p: PointResult, paramsJson: string): boolean {
    const i = this.n;
    if (i >= this.capacity) throw new Error(`a batch of ${this.capacity} designs is full`);
    const width = p.objectives.length;
    if (this.width < 0) {
      this.width = width;
      this.objectives = new Float64Array(this.capacity * width);
    } else if (width !== this.width) return false;
    this.keys.push(p.key);
    this.params.push(paramsJson);
    this.feasible[i] = p.feasible ? 1 : 0;
    this.violation[i] = p.violation;
    for (let j = 0; j < width; j++) this.objectives[i * width + j] = p.objectives[j];
    const json = p.reasons.length === 0 ? '[]' : JSON.stringify(p.reasons);
    let r = this.reasons.get(json);
    if (r === undefined) {
      r = this.reasonTexts.push(json) - 1;
      this.reasons.set(json, r);
    }
    this.reasonIndex[i] = r;
    if (p.metrics) {
      const text = this.sink.pack(p.metrics).text;
      let s = this.shapes.get(text);
      if (s === undefined) {
        s = this.shapeTexts.push(text) - 1;
        this.shapes.set(text, s);
      }
      this.shapeIndex[i] = s;
      this.offsets[2 * i] = this.sink.start;
      this.offsets[2 * i + 1] = this.sink.used;
    } else {
      this.shapeIndex[i] = -1;
    }
    this.n++;
    return true;
  }

  /** The batch, with the buffers to move. */
  finish(): { batch: StoredBatch; transfer: ArrayBuffer[] } {
    const n = this.n;
    const batch: StoredBatch = {
      keys: this.keys,
      feasible: this.feasible.subarray(0, n),
      violation: this.violation.subarray(0, n),
      objectives: this.objectives.subarray(0, n * Math.max(0, this.width)),
      width: Math.max(0, this.width),
      params: this.params,
      reasonTexts: this.reasonTexts,
      reasonIndex: this.reasonIndex.subarray(0, n),
      shapeTexts: this.shapeTexts,
      shapeIndex: this.shapeIndex.subarray(0, n),
      data: new Uint8Array(this.sink.buffer, 0, this.sink.used),
      offsets: this.offsets.subarray(0, 2 * n),
    };
    return { batch, transfer: batchTransfer(batch) };
  }
}

/** A batch with the genomes it was made from (what the worker was sent, in order). */
export interface ColumnsPart {
  batch: StoredBatch;
  genomes: number[][];
}

/** What ranking needs of a design (an archived point of the search). */
export type RankedPoint = Pick<PointResult, 'key' | 'genome' | 'feasible' | 'violation' | 'objectives'>;

/** A generation's designs as the batches that evaluated them (one per worker), in order: written as rows without an object per design. */
export class StoredColumns {
  readonly length: number;

  constructor(readonly parts: ColumnsPart[]) {
    this.length = parts.reduce((n, p) => n + p.batch.keys.length, 0);
  }

  /** The designs as ranking keeps them, in order. */
  ranked(): RankedPoint[] {
    const out: RankedPoint[] = [];
    for (const { batch: b, genomes } of this.parts) {
      const { width } = b;
      for (let i = 0; i < b.keys.length; i++) {
        const objectives = new Array<number>(width);
        for (let j = 0; j < width; j++) objectives[j] = b.objectives[i * width + j];
        out.push({ key: b.keys[i], genome: genomes[i], feasible: b.feasible[i] === 1, violation: b.violation[i], objectives });
      }
    }
    return out;
  }

  /** The designs as stored points, in order (for a store that does not write columns). */
  points(): StoredPoint[] {
    return this.parts.flatMap((p) => fromColumns(p.batch, p.genomes));
  }
}

/** Points as columns; undefined when they do not fit columns (metrics as JSON, or objectives of different lengths). */
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
    offsets: new Float64Array(2 * n),
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
    batch.offsets[2 * i] = at;
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
    batch.offsets[2 * i + 1] = at;
  });
  return { batch, transfer: batchTransfer(batch) };
}

/** The points of a batch again, with their genomes (what the worker was sent, in order). */
export function fromColumns(b: StoredBatch, genomes: number[][]): StoredPoint[] {
  const reasons = b.reasonTexts.map((json) => Object.freeze(JSON.parse(json) as string[]) as string[]);
  const shapes = b.shapeTexts.map((text) => Object.freeze({ text }));
  const { width } = b;
  return b.keys.map((key, i): StoredPoint => {
    const s = b.shapeIndex[i];
    const metricsPacked: PackedMetrics | undefined = s < 0 ? undefined : { shape: shapes[s], data: b.data.subarray(b.offsets[2 * i], b.offsets[2 * i + 1]) };
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
