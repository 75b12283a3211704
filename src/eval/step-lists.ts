import { bytesPerValue } from '../precision/formats.js';
import { deepFreeze } from '../io/freeze.js';
import type { ModelConfig } from '../workload/model.js';
import { forwardPass, type ParallelSplit, type PassPrecisions, type PassShape } from '../workload/passes.js';
import type { Step } from '../workload/step.js';
import type { Workload } from '../workload/workload.js';

/**
 * Step lists: the per-chip steps of a workload's passes. They depend only on the workload and the
 * pass shape, not on the chip: a search evaluates thousands of chips on the same few lists, so they
 * are built once per workload (and shape) and kept with the workload object.
 *
 * That is sound because the workload cannot change: a memo freezes the workload, deeply, the first
 * time it sees it (a loaded workload is frozen already). A changed copy is another object, with
 * step lists of its own.
 */
export function workloadMemo<T>(make: (w: Workload) => T): (w: Workload) => T {
  const memo = new WeakMap<Workload, T>();
  // The last workload asked and its value (a search asks about one workload design after design:
  // no WeakMap lookup then). A value is made once per workload, so this is the map's answer.
  let lastW: Workload | undefined;
  let lastV: T | undefined;
  return (w) => {
    if (w === lastW) return lastV as T;
    let v = memo.get(w);
    if (v === undefined) {
      deepFreeze(w);
      memo.set(w, (v = make(w)));
    }
    lastW = w;
    lastV = v;
    return v;
  };
}

/**
 * Step lists of one workload by pass shape. Looked up by numbers (batch, then the rest of the
 * shape) rather than a string key: a search looks up two or three lists per design.
 */
interface ShapeList {
  queries: number;
  context: number;
  logitsTokens: number;
  sendTokens: number;
  steps: Step[];
}
type ListsByBatch = Map<number, ShapeList[]>;

/** Batches kept per workload before the lists start over (an "auto" sweep uses about 50). */
const BATCHES_KEPT = 4096;
/** Shapes kept per batch before they start over. */
const SHAPES_KEPT = 64;

const forwardLists = workloadMemo((): ListsByBatch => new Map());
const drafterLists = workloadMemo((): ListsByBatch => new Map());

function cachedList(byBatch: ListsByBatch, shape: PassShape, sendTokens: number, build: () => Step[]): Step[] {
  let list = byBatch.get(shape.batch);
  if (!list) {
    if (byBatch.size > BATCHES_KEPT) byBatch.clear();
    byBatch.set(shape.batch, (list = []));
  }
  for (const t of list) {
    if (t.queries === shape.queries && t.context === shape.context && t.logitsTokens === shape.logitsTokens && t.sendTokens === sendTokens) return t.steps;
  }
  const steps = build();
  if (list.length >= SHAPES_KEPT) list.length = 0;
  list.push({ queries: shape.queries, context: shape.context, logitsTokens: shape.logitsTokens, sendTokens, steps });
  return steps;
}

/** A forward pass of the workload's model plus the pipeline sends of `sendTokens` tokens. */
export function forwardSteps(w: Workload, shape: PassShape, sendTokens: number): Step[] {
  const m = w.model!;
  return cachedList(forwardLists(w), shape, sendTokens, () => [...forwardPass(m, shape, splitOf(w), precisionsOf(w)), ...pipelineSend(w, sendTokens, m.hiddenSize)]);
}

/** The drafter's forward pass (speculative decoding) on `tensor` chips; the drafter is fixed per workload. */
export function drafterSteps(w: Workload, drafter: ModelConfig, shape: PassShape, tensor: number): Step[] {
  return cachedList(drafterLists(w), shape, 0, () => forwardPass(drafter, shape, { tensor, expert: 1 }, precisionsOf(w)));
}

/** The activations of `tokens` tokens sent to the next pipeline stage, once per stage boundary. */
export function pipelineSend(w: Workload, tokens: number, h: number): Step[] {
  const p = w.parallelism.pipeline;
  if (p <= 1) return [];
  return [{ kind: 'collective', name: 'pipeline send (PP)', op: 'send', group: 'pipeline', groupSize: p, bytes: tokens * h * bytesPerValue(w.precision.activations), rowBytes: 0, overlap: undefined, repeat: p - 1 }];
}

export function splitOf(w: Workload): ParallelSplit {
  return { tensor: w.parallelism.tensor, expert: w.parallelism.expert, context: w.parallelism.context };
}

export function precisionsOf(w: Workload): PassPrecisions {
  return { weights: w.precision.weights, activations: w.precision.activations, kvCache: w.precision.kvCache };
}

/**
 * A step list rewritten in place for each value of its parameters (the tokens of a serving
 * iteration, its decoders, its logits): a search asks for thousands of counts per workload, and
 * building a list each time costs more than costing it. The list is built at the parameters
 * (1, ..., 1), then with each parameter at 2 and at 3, and once at (2, 3, 4, ...); when every
 * numeric field is affine in each parameter and their effects add (dense models: rows, m,
 * elements, bytes scale with tokens), later values only rewrite those fields of private copies.
 * Otherwise (MoE routing) each value builds its list, the last few kept.
 */
export class ScaledSteps {
  private readonly steps: Step[] | undefined;
  private readonly fields: { step: Record<string, number>; key: string; at0: number; slopes: number[] }[] = [];
  /** The fields flat (their step, key, value at 0 and slopes along the first two parameters), read by at(). */
  private fieldSteps: Record<string, number>[] = [];
  private fieldKeys: string[] = [];
  private fieldCodes: Uint8Array = new Uint8Array(0);
  private fieldAt0: Float64Array = new Float64Array(0);
  private fieldSlope0: Float64Array = new Float64Array(0);
  private fieldSlope1: Float64Array = new Float64Array(0);
  private readonly built = new Map<string, Step[]>();

  constructor(
    private readonly build: (...xs: number[]) => Step[],
    private readonly dims = 1,
  ) {
    const ones = Array<number>(dims).fill(1);
    const base = build(...ones);
    const along = (i: number, v: number) => build(...ones.map((o, j) => (j === i ? v : o)));
    const twos = Array.from({ length: dims }, (_, i) => along(i, 2));
    const threes = Array.from({ length: dims }, (_, i) => along(i, 3));
    const mixed = build(...ones.map((_, j) => j + 2));
    if (![...twos, ...threes, mixed].every((l) => l.length === base.length)) return;
    const copies = base.map(uniformStep);
    const rec = (l: Step[], i: number) => l[i] as unknown as Record<string, unknown>;
    for (let i = 0; i < base.length; i++) {
      for (const key of Object.keys(rec(base, i))) {
        const v1 = rec(base, i)[key];
        const slopes: number[] = [];
        let changes = false;
        for (let d = 0; d < dims; d++) {
          const [v2, v3] = [rec(twos[d], i)[key], rec(threes[d], i)[key]];
          if (v2 === v1 && v3 === v1) {
            slopes.push(0);
            continue;
          }
          if (typeof v1 !== 'number' || typeof v2 !== 'number' || typeof v3 !== 'number' || !closeTo(v3 - v2, v2 - v1)) return;
          slopes.push(v2 - v1);
          changes = true;
        }
        const vm = rec(mixed, i)[key];
        if (!changes) {
          if (vm !== v1) return;
          continue;
        }
        // The effects of the parameters add: checked at (2, 3, 4, ...).
        const predicted = (v1 as number) + slopes.reduce((a, sl, d) => a + sl * (d + 1), 0);
        if (typeof vm !== 'number' || !closeTo(vm, predicted)) return;
        this.fields.push({ step: copies[i] as unknown as Record<string, number>, key, at0: (v1 as number) - slopes.reduce((a, b) => a + b, 0), slopes });
      }
    }
    this.steps = copies;
    const n = this.fields.length;
    this.fieldSteps = this.fields.map((f) => f.step);
    this.fieldKeys = this.fields.map((f) => f.key);
    this.fieldCodes = Uint8Array.from(this.fields, (f) => SCALED_KEYS.indexOf(f.key) + 1);
    this.fieldAt0 = Float64Array.from(this.fields, (f) => f.at0);
    this.fieldSlope0 = new Float64Array(n);
    this.fieldSlope1 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.fieldSlope0[i] = this.fields[i].slopes[0];
      if (dims > 1) this.fieldSlope1[i] = this.fields[i].slopes[1];
    }
  }

  /** countsGrow()'s answer, once asked. */
  private grows: boolean | undefined;

  /**
   * Whether larger parameters only grow counts: the list is rewritten in place (affine), along one
   * or two parameters, every field it rewrites is its step's own count (a matrix product's rows,
   * attention's sequences, elementwise elements, gathered rows, a collective's bytes) with slopes
   * of 0 or more, and no step is a host transfer or a collective hidden behind other steps (whose
   * exposed time can fall as the steps it hides behind grow). What grownLowerBound and grownBounds
   * (step-bound.ts) need.
   */
  countsGrow(): boolean {
    if (this.grows === undefined) {
      const steps = this.steps;
      this.grows =
        steps !== undefined &&
        this.dims <= 2 &&
        this.fields.every((f) => f.slopes.every((sl) => sl >= 0) && OWN_COUNT[(f.step as unknown as Step).kind] === f.key) &&
        steps.every((s) => s.kind !== 'host' && !(s.kind === 'collective' && s.overlap));
      if (this.grows) {
        this.countField = new Int32Array(steps!.length).fill(-1);
        for (let i = 0; i < this.fields.length; i++) this.countField[steps!.indexOf(this.fields[i].step as unknown as Step)] = i;
      }
    }
    return this.grows;
  }

  /** By step, the field countsGrow found its count in (-1: its count does not change). */
  private countField = new Int32Array(0);

  /**
   * Step i's count (countsGrow) at parameters `a` (and `b`, a list of two), as at(a, b) writes it,
   * or `now` (the step's count as it is) where the count does not change. Only where countsGrow() holds.
   */
  countAt(i: number, a: number, now: number, b = 0): number {
    const f = this.countField[i];
    if (f < 0) return now;
    return this.dims === 1 ? this.fieldAt0[f] + this.fieldSlope0[f] * a : this.fieldAt0[f] + this.fieldSlope0[f] * a + this.fieldSlope1[f] * b;
  }

  /** Field i of the list set to v: the usual keys by name (a store by a computed key is slow on steps of many shapes). */
  private write(i: number, v: number): void {
    const st = this.fieldSteps[i];
    switch (this.fieldCodes[i]) {
      case 1:
        st.m = v;
        return;
      case 2:
        st.batch = v;
        return;
      case 3:
        st.elements = v;
        return;
      case 4:
        st.rows = v;
        return;
      case 5:
        st.bytes = v;
        return;
      default:
        st[this.fieldKeys[i]] = v;
    }
  }

  /** The list at parameter values (a, b, c) (those past the list's dimensions unused); valid until the next call. */
  at(a: number, b = 0, c = 0): Step[] {
    if (this.steps) {
      // value at 0 plus slope times parameter, in parameter order (the same sums as a loop over them).
      const { fieldAt0, fieldSlope0, fieldSlope1 } = this;
      const n = fieldAt0.length;
      if (this.dims === 1) for (let i = 0; i < n; i++) this.write(i, fieldAt0[i] + fieldSlope0[i] * a);
      else if (this.dims === 2) for (let i = 0; i < n; i++) this.write(i, fieldAt0[i] + fieldSlope0[i] * a + fieldSlope1[i] * b);
      else {
        const xs = [a, b, c];
        for (const f of this.fields) {
          let v = f.at0;
          for (let d = 0; d < this.dims; d++) v += f.slopes[d] * xs[d];
          f.step[f.key] = v;
        }
      }
      return this.steps;
    }
    const key = `${a},${b},${c}`;
    let list = this.built.get(key);
    if (!list) {
      if (this.built.size >= 64) this.built.clear();
      this.built.set(key, (list = this.build(a, b, c)));
    }
    return list;
  }
}

/**
 * A copy of a step in the one object shape every kind shares (the fields of the other kinds
 * undefined): the step loop then reads every step's fields from one hidden class instead of six
 * (a read from steps of many shapes is a slow, megamorphic one).
 */
export function uniformStep(st: Step): Step {
  const s = st as unknown as Partial<Record<string, unknown>>;
  // The numeric fields of the other kinds are 0, not undefined: a field that only ever holds numbers
  // keeps them unboxed, so ScaledSteps.at() rewrites it in place instead of allocating a number
  // for every value it writes (ropeDim stays optional: undefined means "the whole head").
  const u = {
    kind: s.kind, name: s.name, repeat: num(s.repeat), part: s.part,
    m: num(s.m), k: num(s.k), n: num(s.n), count: num(s.count), a: s.a, b: s.b, out: s.out, weights: s.weights, bFraction: num(s.bFraction), expert: s.expert,
    batch: num(s.batch), queries: num(s.queries), context: num(s.context), heads: num(s.heads), kvHeads: num(s.kvHeads), qkDim: num(s.qkDim), vDim: num(s.vDim), kvBytesPerToken: num(s.kvBytesPerToken), compute: s.compute, act: s.act, ropeDim: s.ropeDim,
    elements: num(s.elements), flopsPerElement: num(s.flopsPerElement), bytesPerElement: num(s.bytesPerElement), rows: num(s.rows), rowBytes: num(s.rowBytes),
    op: s.op, group: s.group, groupSize: num(s.groupSize), bytes: num(s.bytes), overlap: s.overlap,
  };
  return u as unknown as Step;
}

/** A step's numeric field, or 0 where its kind has none. */
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** The count field of each step kind that countsGrow allows to grow. */
const OWN_COUNT: Partial<Record<Step['kind'], string>> = { matmul: 'm', attention: 'batch', elementwise: 'elements', gather: 'rows', collective: 'bytes' };

/** The step fields a token or sequence count usually scales (matmul rows, attention batch, elements, gathered rows, collective bytes): written by name. */
const SCALED_KEYS = ['m', 'batch', 'elements', 'rows', 'bytes'];

const closeTo = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
