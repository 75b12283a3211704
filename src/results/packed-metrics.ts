/**
 * Metrics packed for the SQLite store: a design's metrics as its *shape* (their keys and the kind
 * of each value, shared by every design of a run that has the same keys) and its *data* (the
 * numbers as float64, then the values that are not numbers as a JSON array). A row of a stored
 * run then holds 8 bytes a number instead of some 25 characters of JSON, and writing it formats
 * no number as text (JSON.stringify of a design's metrics cost about as much as evaluating it on
 * the cheap scaling workload; BENCHMARKS.md, "Scaling").
 *
 * Unpacking gives back exactly what JSON would have: the same keys in the same order, the same
 * numbers (float64 round-trips exactly; -0 is stored as 0, as JSON writes it), strings, booleans
 * and nulls. A non-finite number is refused, as finiteJson refuses it.
 */
import { endianness } from 'node:os';
import { ChipdseError } from '../errors.js';

/** A value's place in a shape: an object (keys in order), an array, a number, or another value (string, boolean, null). */
type Node = { t: 'o'; o: string[]; c: Node[] } | { t: 'a'; c: Node[] } | 'n' | 'x';

export interface PackedMetrics {
  /**
   * The shape: its `text` is JSON, the metrics with every number written 0 and every other value
   * null. One object for every design of the shape packed by this thread, so that a batch of
   * designs sent to another thread carries it once (structured cloning copies an object once per
   * message, but a string once per reference).
   */
  shape: { readonly text: string };
  /** Float64 little-endian numbers in key order, then (when there are any) the other values as UTF-8 JSON array text. */
  data: Uint8Array;
}

interface Shape {
  text: string;
  ref: { readonly text: string };
  node: Node;
  numbers: number;
}

/** The numbers collected from the design being packed (nums[0..count-1]) and its other values. */
let nums = new Float64Array(256);
let count = 0;
const others: unknown[] = [];
let last: Shape | undefined;

/** Whether a value is a plain JSON object (not an array, not null). */
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Collects `v`'s values into nums/others following `node`; false when `v` does not have that shape. */
function collect(v: unknown, node: Node): boolean {
  if (node === 'n') {
    if (typeof v !== 'number') return false;
    if (!Number.isFinite(v)) throw new ChipdseError('refusing to store a non-finite number in metrics');
    if (count === nums.length) {
      const grown = new Float64Array(nums.length * 2);
      grown.set(nums);
      nums = grown;
    }
    nums[count++] = v === 0 ? 0 : v;
    return true;
  }
  if (node === 'x') {
    if (typeof v === 'number' || (v !== null && typeof v === 'object')) return false;
    others.push(v === undefined ? null : v);
    return true;
  }
  if (node.t === 'a') {
    if (!Array.isArray(v) || v.length !== node.c.length) return false;
    for (let i = 0; i < v.length; i++) if (!collect(v[i], node.c[i])) return false;
    return true;
  }
  if (!isObject(v)) return false;
  let i = 0;
  for (const k in v) {
    const w = v[k];
    // JSON leaves out keys whose value is undefined or a function.
    if (w === undefined || typeof w === 'function') continue;
    if (k !== node.o[i] || !collect(w, node.c[i])) return false;
    i++;
  }
  return i === node.o.length;
}

/** The shape of a value, as a node and as the template JSON would write (numbers 0, other values null). */
function nodeOf(v: unknown): { node: Node; template: unknown } {
  if (typeof v === 'number') return { node: 'n', template: 0 };
  if (Array.isArray(v)) {
    const parts = v.map((w) => (w === undefined || typeof w === 'function' ? { node: 'x' as Node, template: null } : nodeOf(w)));
    return { node: { t: 'a', c: parts.map((p) => p.node) }, template: parts.map((p) => p.template) };
  }
  if (isObject(v)) {
    const o: string[] = [];
    const c: Node[] = [];
    const template: Record<string, unknown> = {};
    for (const k in v) {
      const w = v[k];
      if (w === undefined || typeof w === 'function') continue;
      const p = nodeOf(w);
      o.push(k);
      c.push(p.node);
      template[k] = p.template;
    }
    return { node: { t: 'o', o, c }, template };
  }
  return { node: 'x', template: null };
}

const numbersIn = (n: Node): number => (n === 'n' ? 1 : n === 'x' ? 0 : n.c.reduce((s, c) => s + numbersIn(c), 0));

function shapeOf(v: unknown): Shape {
  const { node, template } = nodeOf(v);
  const text = JSON.stringify(template);
  return { text, ref: Object.freeze({ text }), node, numbers: numbersIn(node) };
}

/**
 * The JSON of `others`: the last one made again when the values are the same (consecutive
 * designs mostly share them: the bound, whether the model fits), as JSON.stringify per design was
 * a tenth of what packing cost.
 */
let lastOthers: unknown[] = [];
let lastTail = '';
function tailOf(): string {
  if (others.length === lastOthers.length) {
    let same = true;
    for (let i = 0; i < others.length && same; i++) same = others[i] === lastOthers[i];
    if (same) return lastTail;
  }
  lastOthers = others.slice();
  lastTail = JSON.stringify(others);
  return lastTail;
}

/** Collects a design's metrics into nums/others against its shape (the last one, or a new one); the tail's JSON. */
function gather(metrics: object): string {
  count = 0;
  others.length = 0;
  if (!last || !collect(metrics, last.node)) {
    count = 0;
    others.length = 0;
    last = shapeOf(metrics);
    collect(metrics, last.node);
  }
  return others.length > 0 ? tailOf() : '';
}

/** A design's metrics packed (see the module's note). The shape is the same object for consecutive designs of one shape. */
export function packMetrics(metrics: object): PackedMetrics {
  const tail = gather(metrics);
  const floatBytes = count * 8;
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  const room = floatBytes + tail.length * 3;
  if (room > SLAB_BYTES) {
    const own = Buffer.alloc(floatBytes + Buffer.byteLength(tail));
    for (let i = 0; i < count; i++) own.writeDoubleLE(nums[i], i * 8);
    own.write(tail, floatBytes, 'utf8');
    return { shape: last!.ref, data: new Uint8Array(own.buffer, own.byteOffset, own.length) };
  }
  if (slabUsed + room > SLAB_BYTES) newSlab();
  const start = slabUsed;
  const length = writePacked(slabFloats, slabBytes, start, tail);
  slabUsed = start + ((length + 7) & ~7);
  return { shape: last!.ref, data: new Uint8Array(slab, start, length) };
}

/** Writes the gathered numbers and tail at `start` (a multiple of 8) of a buffer viewed both ways; their length in bytes. */
function writePacked(floats: Float64Array, bytes: Buffer, start: number, tail: string): number {
  if (LITTLE_ENDIAN) {
    const at = start / 8;
    for (let i = 0; i < count; i++) floats[at + i] = nums[i];
  } else {
    for (let i = 0; i < count; i++) bytes.writeDoubleLE(nums[i], start + i * 8);
  }
  const floatBytes = count * 8;
  return floatBytes + (tail ? bytes.write(tail, start + floatBytes, 'utf8') : 0);
}

/**
 * Packed data of many designs, one after the other in one growing buffer (each design's from a
 * multiple of 8 bytes): what a worker sends for a batch of designs, moved rather than copied,
 * without a view object per design while the batch is built.
 */
export class PackedSink {
  buffer: ArrayBuffer;
  private floats: Float64Array;
  private bytes: Buffer;
  /** Bytes used. */
  used = 0;
  /** Where the last design's data start. */
  start = 0;

  constructor(capacity = 1 << 16) {
    this.buffer = new ArrayBuffer(Math.max(8, capacity));
    this.floats = new Float64Array(this.buffer);
    this.bytes = Buffer.from(this.buffer);
  }

  /**
   * Packs a design's metrics at the end; its shape (the same object for consecutive designs of
   * one shape). Its data are [start, used) after the call, `start` being `used` before it rounded
   * up to a multiple of 8.
   */
  pack(metrics: object): { readonly text: string } {
    const tail = gather(metrics);
    const start = (this.used + 7) & ~7;
    const room = start + count * 8 + tail.length * 3;
    if (room > this.buffer.byteLength) this.grow(room);
    this.start = start;
    this.used = start + writePacked(this.floats, this.bytes, start, tail);
    return last!.ref;
  }

  private grow(least: number): void {
    const buffer = new ArrayBuffer(Math.max(least, this.buffer.byteLength * 2));
    new Uint8Array(buffer).set(new Uint8Array(this.buffer, 0, this.used));
    this.buffer = buffer;
    this.floats = new Float64Array(buffer);
    this.bytes = Buffer.from(buffer);
  }
}

const LITTLE_ENDIAN = endianness() === 'LE';
/**
 * Packed data is cut from slabs of this size: one allocation per slab instead of one per design.
 * A batch of designs sent to the main thread takes each slab once (structured cloning copies a
 * buffer shared by several views once), and a slab is freed with the last design cut from it.
 */
const SLAB_BYTES = 1 << 16;
let slab: ArrayBuffer;
let slabFloats: Float64Array;
let slabBytes: Buffer;
let slabUsed: number;
newSlab();

function newSlab(): void {
  slab = new ArrayBuffer(SLAB_BYTES);
  slabFloats = new Float64Array(slab);
  slabBytes = Buffer.from(slab);
  slabUsed = 0;
}


const parsedShapes = new Map<string, Shape>();

/** A shape read back from its text (parsed once per text). */
function shapeFromText(text: string): Shape {
  let s = parsedShapes.get(text);
  if (!s) {
    s = shapeOf(JSON.parse(text));
    if (parsedShapes.size > 1000) parsedShapes.clear();
    parsedShapes.set(text, s);
  }
  return s;
}

/** Metrics as they were packed: throws a plain Error when the data does not fit the shape (the caller names the row). */
export function unpackMetrics(shapeText: string, data: Uint8Array): Record<string, unknown> {
  const shape = shapeFromText(shapeText);
  const floatBytes = shape.numbers * 8;
  if (data.length < floatBytes) throw new Error(`${data.length} bytes hold fewer than the shape's ${shape.numbers} numbers`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const rest = data.length > floatBytes ? (JSON.parse(Buffer.from(data.buffer, data.byteOffset + floatBytes, data.length - floatBytes).toString('utf8')) as unknown[]) : [];
  let n = 0;
  let x = 0;
  const build = (node: Node): unknown => {
    if (node === 'n') return view.getFloat64(8 * n++, true);
    if (node === 'x') {
      if (x >= rest.length) throw new Error('fewer values than the shape has');
      return rest[x++];
    }
    if (node.t === 'a') return node.c.map(build);
    const o: Record<string, unknown> = {};
    for (let i = 0; i < node.o.length; i++) o[node.o[i]] = build(node.c[i]);
    return o;
  };
  const out = build(shape.node);
  if (x !== rest.length) throw new Error('more values than the shape has');
  return out as Record<string, unknown>;
}
