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
  /** The shape as JSON text: the metrics with every number written 0 and every other value null. */
  shape: string;
  /** Float64 little-endian numbers in key order, then (when there are any) the other values as UTF-8 JSON array text. */
  data: Uint8Array;
}

interface Shape {
  text: string;
  node: Node;
  numbers: number;
}

const nums: number[] = [];
const others: unknown[] = [];
let last: Shape | undefined;

/** Whether a value is a plain JSON object (not an array, not null). */
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Collects `v`'s values into nums/others following `node`; false when `v` does not have that shape. */
function collect(v: unknown, node: Node): boolean {
  if (node === 'n') {
    if (typeof v !== 'number') return false;
    if (!Number.isFinite(v)) throw new ChipdseError('refusing to store a non-finite number in metrics');
    nums.push(v === 0 ? 0 : v);
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
  return { text: JSON.stringify(template), node, numbers: numbersIn(node) };
}

/** A design's metrics packed (see the module's note). The shape text is the same string object for consecutive designs of one shape. */
export function packMetrics(metrics: object): PackedMetrics {
  nums.length = 0;
  others.length = 0;
  if (!last || !collect(metrics, last.node)) {
    nums.length = 0;
    others.length = 0;
    last = shapeOf(metrics);
    collect(metrics, last.node);
  }
  const tail = others.length > 0 ? JSON.stringify(others) : '';
  const floatBytes = nums.length * 8;
  const data = slice(floatBytes + Buffer.byteLength(tail));
  if (LITTLE_ENDIAN) new Float64Array(data.buffer, data.byteOffset, nums.length).set(nums);
  else {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < nums.length; i++) view.setFloat64(i * 8, nums[i], true);
  }
  if (tail) Buffer.from(data.buffer, data.byteOffset + floatBytes, data.length - floatBytes).write(tail, 'utf8');
  return { shape: last.text, data };
}

const LITTLE_ENDIAN = endianness() === 'LE';
/**
 * Packed data is cut from slabs of this size: one allocation per slab instead of one per design.
 * A batch of designs sent to the main thread takes each slab once (structured cloning copies a
 * buffer shared by several views once), and a slab is freed with the last design cut from it.
 */
const SLAB_BYTES = 1 << 16;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** `bytes` fresh bytes, at an offset a multiple of 8 (float64 alignment). */
function slice(bytes: number): Uint8Array {
  if (bytes > SLAB_BYTES) return new Uint8Array(bytes);
  if (slabUsed + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, bytes);
  slabUsed += (bytes + 7) & ~7;
  return out;
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
