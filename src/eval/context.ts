import { bytesPerValue, scaleFormatOf, type Precision } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import type { FabricCache } from '../interconnect/collectives.js';
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
  readonly fabrics: FabricCache = new Map();
  private readonly a: Precision[] = [];
  private readonly b: Precision[] = [];
  private readonly resolved: (Operands | undefined)[] = [];
  private readonly valuePrecisions: Precision[] = [];
  private readonly valueBytes: number[] = [];
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
    for (let i = 0; i < this.a.length; i++) if (this.a[i] === a && this.b[i] === b) return this.resolved[i];
    const sel = selectComputeFormat(this.chip, a, b);
    const ops = sel && resolveOperands(this.chip, a, b, sel);
    if (this.a.length < SELECTIONS_KEPT) {
      this.a.push(a);
      this.b.push(b);
      this.resolved.push(ops);
    }
    return ops;
  }

  /** Bytes per value of a precision (looked up by identity, as select). */
  bytesOf(p: Precision): number {
    const ps = this.valuePrecisions;
    for (let i = 0; i < ps.length; i++) if (ps[i] === p) return this.valueBytes[i];
    const bytes = bytesPerValue(p);
    if (ps.length < SELECTIONS_KEPT) {
      ps.push(p);
      this.valueBytes.push(bytes);
    }
    return bytes;
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
