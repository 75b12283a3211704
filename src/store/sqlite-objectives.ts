/**
 * A design's objectives as the SQLite store keeps them since schema 6: float64 little-endian
 * numbers in evaluations.objectives_json (a blob where older rows hold JSON text). Read back they
 * are what the JSON would have given: -0 is written as 0, and a non-finite number is refused, as
 * finiteJson refuses it.
 */
import { ChipdseError } from '../errors.js';

/** Writes objectives into consecutive blobs, one per row of a statement, reused from one statement to the next (the binding copies them). */
export class ObjectiveBlobs {
  private views: DataView[] = [];
  private blobs: Uint8Array[] = [];
  private width = -1;

  constructor(private readonly slots: number) {}

  /** The blob of slot `slot` holding `objectives` (valid until the slot is written again). */
  put(slot: number, objectives: readonly number[]): Uint8Array {
    if (objectives.length !== this.width) this.resize(objectives.length);
    const view = this.views[slot];
    for (let i = 0; i < objectives.length; i++) {
      const v = objectives[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ChipdseError('refusing to store a non-finite number in objectives');
      view.setFloat64(i * 8, v === 0 ? 0 : v, true);
    }
    return this.blobs[slot];
  }

  private resize(width: number): void {
    const buffer = new ArrayBuffer(this.slots * width * 8);
    this.width = width;
    this.views = Array.from({ length: this.slots }, (_, s) => new DataView(buffer, s * width * 8, width * 8));
    this.blobs = Array.from({ length: this.slots }, (_, s) => new Uint8Array(buffer, s * width * 8, width * 8));
  }
}

/** Objectives read back from a blob; throws a plain Error when its length is not a whole number of float64 (the caller names the row). */
export function objectivesOfBlob(blob: Uint8Array): number[] {
  if (blob.length % 8 !== 0) throw new Error(`${blob.length} bytes are not a whole number of float64 values`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  return Array.from({ length: blob.length / 8 }, (_, i) => view.getFloat64(i * 8, true));
}
