import { bytesPerValue, scaleFormatOf, type Precision } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import type { Fabric, FabricCache } from '../interconnect/collectives.js';
import { gemmLane } from '../kernels/lanes.js';
import type { GemmLane } from '../kernels/params.js';
import { selectComputeFormat } from './format-select.js';
import { outputTileSide, SRAM_WORKING_FRACTION } from './sram.js';

export type Selection = NonNullable<ReturnType<typeof selectComputeFormat>>;

/**
 * A product of two operand precisions on this chip, resolved once per context: its compute format
 * and what the step loop reads of the chip for it (string-keyed lookups per step otherwise).
 */
export interface Operands {
  sel: Selection;
  /** Tile side and matrix units of the compute format (128 and 1 where the chip does not say). */
  tile: number;
  units: number;
  /** Bytes per value of the two operands. */
  aBytes: number;
  bBytes: number;
  /** Energy per MAC in the compute format, and per MAC of the block-scale step where it runs natively block-scaled. */
  pjPerMac: number;
  scalePjPerMac: number;
  lane: GemmLane;
  /** Peak MACs per second in the compute format. */
  peakMacsPerSec: number;
}

/** Operand pairs whose compute format is kept; a model has two or three, a trace file a few more. */
const SELECTIONS_KEPT = 32;

/**
 * What one evaluation derives from its chip and reuses across the steps it costs: compute-format
 * choices per operand precisions and collective fabrics per group size. It lives for one
 * evaluate() call and is never shared between calls, so a chip changed between two evaluations
 * is seen afresh by the second (a module-level cache keyed by the chip object would answer with
 * the old figures).
 */
export class ChipContext {
  /** Fabrics by group size: a pass has one or two groups (ContextFabrics). */
  readonly fabrics: ContextFabrics = new ContextFabrics();
  // Operand pairs and value precisions looked up by identity: the first two of each in fields of the
  // context itself, more in arrays made when needed (a model has two or three pairs; five arrays
  // and a Map made for every context cost ~470 B a design; bench/NOTES.md, e33).
  private a0: Precision | undefined = undefined;
  private b0: Precision | undefined = undefined;
  private r0: Operands | undefined = undefined;
  private a1: Precision | undefined = undefined;
  private b1: Precision | undefined = undefined;
  private r1: Operands | undefined = undefined;
  private a: Precision[] | undefined = undefined;
  private b: Precision[] | undefined = undefined;
  private resolved: (Operands | undefined)[] | undefined = undefined;
  private v0: Precision | undefined = undefined;
  private bytes0 = 0;
  private v1: Precision | undefined = undefined;
  private bytes1 = 0;
  private valuePrecisions: Precision[] | undefined = undefined;
  private valueBytes: number[] | undefined = undefined;
  /** The working SRAM of a matrix product and the side of its output tile (src/eval/sram.ts). */
  readonly workingSramBytes: number;
  readonly outputTile: number;

  private derived: WeakMap<object, unknown> | undefined;
  /** The first key memo() was asked about and its value (an evaluation of one workload needs no map). */
  private firstKey: object | undefined;
  private firstValue: unknown;

  constructor(readonly chip: Chip) {
    this.workingSramBytes = chip.sramBytes * SRAM_WORKING_FRACTION;
    this.outputTile = outputTileSide(chip.sramBytes);
  }

  /** What this evaluation derives from its chip and `key` (a frozen workload), made once per context. */
  memo<T>(key: object, make: () => T): T {
    if (key === this.firstKey) return this.firstValue as T;
    if (this.firstKey === undefined) {
      const v = make();
      this.firstKey = key;
      this.firstValue = v;
      return v;
    }
    this.derived ??= new WeakMap();
    let v = this.derived.get(key) as T | undefined;
    if (v === undefined) this.derived.set(key, (v = make()));
    return v;
  }

  /** The format a product of `a` x `b` runs in on this chip (see selectComputeFormat); undefined when none can. */
  select(a: Precision, b: Precision): Selection | undefined {
    return this.operands(a, b)?.sel;
  }

  /** A product of `a` x `b` on this chip (see Operands); undefined when no unit can compute it. */
  operands(a: Precision, b: Precision): Operands | undefined {
    // Within one evaluation the workload's precision objects do not change: looked up by identity.
    if (this.a0 === a && this.b0 === b) return this.r0;
    if (this.a1 === a && this.b1 === b) return this.r1;
    return this.moreOperands(a, b);
  }

  /** operands() past the first two pairs (and the first time a pair is asked). */
  private moreOperands(a: Precision, b: Precision): Operands | undefined {
    const as = this.a;
    if (as !== undefined) for (let i = 0; i < as.length; i++) if (as[i] === a && this.b![i] === b) return this.resolved![i];
    const sel = selectComputeFormat(this.chip, a, b);
    const ops = sel && resolveOperands(this.chip, a, b, sel);
    if (this.a0 === undefined) {
      this.a0 = a;
      this.b0 = b;
      this.r0 = ops;
    } else if (this.a1 === undefined) {
      this.a1 = a;
      this.b1 = b;
      this.r1 = ops;
    } else if ((as?.length ?? 0) < SELECTIONS_KEPT - 2) {
      (this.a ??= []).push(a);
      (this.b ??= []).push(b);
      (this.resolved ??= []).push(ops);
    }
    return ops;
  }

  /** Bytes per value of a precision (looked up by identity, as select). */
  bytesOf(p: Precision): number {
    if (this.v0 === p) return this.bytes0;
    if (this.v1 === p) return this.bytes1;
    return this.moreBytes(p);
  }

  /** bytesOf() past the first two precisions (and the first time one is asked). */
  private moreBytes(p: Precision): number {
    const ps = this.valuePrecisions;
    if (ps !== undefined) for (let i = 0; i < ps.length; i++) if (ps[i] === p) return this.valueBytes![i];
    const bytes = bytesPerValue(p);
    if (this.v0 === undefined) {
      this.v0 = p;
      this.bytes0 = bytes;
    } else if (this.v1 === undefined) {
      this.v1 = p;
      this.bytes1 = bytes;
    } else if ((ps?.length ?? 0) < SELECTIONS_KEPT - 2) {
      (this.valuePrecisions ??= []).push(p);
      (this.valueBytes ??= []).push(bytes);
    }
    return bytes;
  }
}

/**
 * A context's fabrics by group size (collectives.ts's FabricCache): the first two in fields, more
 * in a Map made when needed (a context's Map cost ~130 B a design).
 */
export class ContextFabrics implements FabricCache {
  private g0 = 0;
  private f0: Fabric | undefined = undefined;
  private g1 = 0;
  private f1: Fabric | undefined = undefined;
  private more: Map<number, Fabric> | undefined = undefined;

  get(g: number): Fabric | undefined {
    if (this.f0 !== undefined && this.g0 === g) return this.f0;
    if (this.f1 !== undefined && this.g1 === g) return this.f1;
    return this.more?.get(g);
  }

  has(g: number): boolean {
    return this.get(g) !== undefined;
  }

  set(g: number, f: Fabric): this {
    if (this.f0 === undefined || this.g0 === g) {
      this.g0 = g;
      this.f0 = f;
    } else if (this.f1 === undefined || this.g1 === g) {
      this.g1 = g;
      this.f1 = f;
    } else (this.more ??= new Map()).set(g, f);
    return this;
  }
}

function resolveOperands(chip: Chip, a: Precision, b: Precision, sel: Selection): Operands {
  const blockSize = Math.max(a.blockSize, b.blockSize);
  const scaled = a.blockSize >= b.blockSize ? a : b;
  return {
    sel,
    tile: chip.tileDim[sel.format] ?? 128,
    units: chip.unitCount[sel.format] ?? 1,
    aBytes: bytesPerValue(a),
    bBytes: bytesPerValue(b),
    pjPerMac: chip.energy.pjPerMac[sel.format],
    scalePjPerMac: sel.native && blockSize > 0 ? chip.energy.blockScaleStepPj[scaleFormatOf(scaled)] / blockSize : 0,
    lane: gemmLane(sel.format, sel.native && blockSize > 0),
    peakMacsPerSec: chip.peakMacsPerSec[sel.format] ?? 0,
  };
}

/** A context for `c`: the one given, or a new one for a chip. */
export function contextOf(c: Chip | ChipContext): ChipContext {
  return c instanceof ChipContext ? c : new ChipContext(c);
}
