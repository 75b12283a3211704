import type { Precision } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import type { FabricCache } from '../interconnect/collectives.js';
import { selectComputeFormat } from './format-select.js';

export type Selection = NonNullable<ReturnType<typeof selectComputeFormat>>;

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
  private readonly chosen: (Selection | undefined)[] = [];

  private derived: WeakMap<object, unknown> | undefined;

  constructor(readonly chip: Chip) {}

  /** What this evaluation derives from its chip and `key` (a frozen workload), made once per context. */
  memo<T>(key: object, make: () => T): T {
    this.derived ??= new WeakMap();
    let v = this.derived.get(key) as T | undefined;
    if (v === undefined) this.derived.set(key, (v = make()));
    return v;
  }

  /** The format a product of `a` x `b` runs in on this chip (see selectComputeFormat); undefined when none can. */
  select(a: Precision, b: Precision): Selection | undefined {
    // Within one evaluation the workload's precision objects do not change: looked up by identity.
    for (let i = 0; i < this.a.length; i++) if (this.a[i] === a && this.b[i] === b) return this.chosen[i];
    const sel = selectComputeFormat(this.chip, a, b);
    if (this.a.length < SELECTIONS_KEPT) {
      this.a.push(a);
      this.b.push(b);
      this.chosen.push(sel);
    }
    return sel;
  }
}

/** A context for `c`: the one given, or a new one for a chip. */
export function contextOf(c: Chip | ChipContext): ChipContext {
  return c instanceof ChipContext ? c : new ChipContext(c);
}
