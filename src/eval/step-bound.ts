import { decodeSplits } from '../kernels/time.js';
import type { AttentionStep } from '../workload/step.js';
import type { ChipContext, Operands } from './context.js';
import type { PhaseTotals } from './phase.js';
import { DECODE_ATTENTION_MAX_QUERIES, newScratch, type Placement } from './step-cost.js';
import { measureTimes } from './step-fast.js';
import type { ScaledSteps } from './step-lists.js';

/**
 * Relative slack taken off a lower bound for the rounding of the sums it compares (each step's
 * time and the phase's sum are within a few ulps, ~1e-15 relative, of the exact values the bound's
 * argument is about).
 */
export const BOUND_ROUNDING_SLACK = 1e-12;

const scratch = newScratch();

/** Tiles of `m` rows (a matrix product's padded rows: 0 when it has none). */
const tilesOf = (m: number, tile: number) => (m <= 0 ? 0 : Math.ceil(m / tile));

/**
 * Whether a matrix product of `now` rows on operands `ops` had as many row tiles at `was` rows (a
 * negative count, which no workload makes, is left out of the bounds' argument).
 */
function keepsTiles(ops: Operands | undefined, was: number, now: number): ops is Operands {
  return ops !== undefined && was >= 0 && tilesOf(now, ops.tile) === tilesOf(was, ops.tile);
}

/** Whether a decode attention of `s.batch` sequences had as many KV splits (decodeSplits) at `was` sequences. */
function keepsSplits(cx: ChipContext, s: AttentionStep, was: number): boolean {
  if (s.queries > DECODE_ATTENTION_MAX_QUERIES || was < 0 || !cx.operands(s.compute, s.compute)) return false;
  const cores = cx.chip.cores;
  return decodeSplits(s.context, s.batch * s.kvHeads, cores) === decodeSplits(s.context, was * s.kvHeads, cores);
}

/**
 * A lower bound on the time of `list` at `to` from its time at `from` < `to` (`atFrom`, costed in
 * this context and placement), without costing the steps that are not collectives; NaN when the
 * bound is not certain. Its collectives are measured at `to`; every other step is at least as long
 * at `to` as at `from` where, between the two, a larger count only grows the counts the list
 * rewrites (ScaledSteps.countsGrow) and:
 * - a matrix product keeps its rows' tile count: its padded MACs, work items, split-K and wave
 *   quantization are the same, and its other parts (A and C bytes, A and B passes, SRAM, HBM and
 *   DRAM traffic, dequantization flops) and energies do not fall with its rows, so neither does its
 *   time (launch plus a p-norm of parts, or the power limit's energy over the headroom);
 * - a decode attention keeps its KV splits (decodeSplits): its work items grow with its sequences,
 *   so its idle-core factor times its MACs (the larger of the MACs and a constant), its exposed
 *   item time, and its HBM time (HBM bytes over a utilization x / (1 + x) with x proportional to
 *   the items: bytes plus a constant) do not fall;
 * - elementwise and gather steps stream their counts (launch plus the largest of parts that grow).
 * So the list's time at `to` is at least its time at `from` less its collectives there plus its
 * collectives at `to`, less BOUND_ROUNDING_SLACK of it. Leaves the list's steps at `to`.
 */
export function grownLowerBound(cx: ChipContext, list: ScaledSteps, from: number, to: number, p: Placement, atFrom: PhaseTotals): number {
  if (!(from < to) || !list.countsGrow()) return NaN;
  const steps = list.at(to);
  let commSec = 0;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (s.kind === 'matmul') {
      if (!keepsTiles(cx.operands(s.a, s.b), list.countAt(i, from, s.m), s.m)) return NaN;
    } else if (s.kind === 'attention') {
      if (!keepsSplits(cx, s, list.countAt(i, from, s.batch))) return NaN;
    } else if (s.kind === 'collective') {
      // As phaseTotals adds a collective that no other step hides (countsGrow: none is hidden).
      measureTimes(cx, s, p, scratch);
      commSec += scratch.timeSec * s.repeat;
    }
  }
  // Without hidden collectives a phase's exposed communication is the sum of its collectives' times.
  return atFrom.timeSec - atFrom.exposedCommSec + commSec - BOUND_ROUNDING_SLACK * atFrom.timeSec;
}

/** What grownBounds found: bounds on a list's time at the larger counts (written over by every call). */
export const GROWN = { lower: NaN, upper: NaN };

/**
 * Lower and upper bounds (GROWN) on the time of a list without collectives at (toA, toB) from its
 * time at (fromA, fromB) <= (toA, toB) (`atFrom`, costed in this context), without costing it; false
 * where they are not certain. Where the larger parameters only grow counts (ScaledSteps.countsGrow),
 * every step keeps its tiles, passes and splits, and the list has no collective:
 * - lower: no step is shorter at the larger counts (grownLowerBound's argument), so the time at
 *   `from`, less BOUND_ROUNDING_SLACK of it;
 * - upper: each step's time is its launch plus a positively homogeneous, non-decreasing function
 *   of parts (the p-norm overlap, a largest part; or the power limit's energy over the headroom),
 *   and each part, and the step's energy, is a constant plus a non-negative multiple of the step's
 *   count: with the count x r (r >= 1) every part is at most r times what it was, so the step's
 *   time is at most r times its time. A matrix product keeps its row tiles (padded MACs, items,
 *   split-K and waves: its matrix time is the same), its A passes (whether A fits the working SRAM)
 *   and B passes (its rows' output tiles, where B does not fit), so its A and C bytes, traffic and
 *   dequantization are affine in its rows. A decode attention keeps its KV splits: its items are
 *   proportional to its sequences, its MACs x idle-core factor is max(MACs, MACs x cores / items)
 *   and its exposed item time likewise, its HBM time bytes plus a constant (the utilization x /
 *   (1 + x) with x proportional to the items). Elementwise and gather steps stream their counts. So
 *   the list's time is at most the largest count ratio r times its time at `from`, plus
 *   BOUND_ROUNDING_SLACK of that. Leaves the list's steps at (toA, toB).
 */
export function grownBounds(cx: ChipContext, list: ScaledSteps, fromA: number, fromB: number, toA: number, toB: number, atFrom: PhaseTotals): boolean {
  if (!(fromA <= toA && fromB <= toB) || (fromA === toA && fromB === toB) || !list.countsGrow()) return false;
  const steps = list.at(toA, toB);
  const working = cx.workingSramBytes;
  const T = cx.outputTile;
  let ratio = 1;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    let now: number;
    let was: number;
    if (s.kind === 'matmul') {
      const ops = cx.operands(s.a, s.b);
      now = s.m;
      was = list.countAt(i, fromA, now, fromB);
      if (!keepsTiles(ops, was, now)) return false;
      // A passes: whether A fits the working SRAM (matmulTimes' aBytes / count); B passes: its rows' output tiles where B does not fit.
      const c = s.count;
      if ((c * was * s.k * ops.aBytes) / c <= working !== (c * now * s.k * ops.aBytes) / c <= working) return false;
      if (!((c * s.k * s.n * ops.bBytes * s.bFraction) / c <= working) && Math.ceil(was / T) !== Math.ceil(now / T)) return false;
    } else if (s.kind === 'attention') {
      now = s.batch;
      was = list.countAt(i, fromA, now, fromB);
      if (!keepsSplits(cx, s, was)) return false;
    } else if (s.kind === 'elementwise') {
      now = s.elements;
      was = list.countAt(i, fromA, now, fromB);
    } else if (s.kind === 'gather') {
      now = s.rows;
      was = list.countAt(i, fromA, now, fromB);
    } else return false;
    if (now === was) continue;
    if (!(was > 0)) return false;
    if (now / was > ratio) ratio = now / was;
  }
  const t = atFrom.timeSec;
  GROWN.lower = t - BOUND_ROUNDING_SLACK * t;
  GROWN.upper = ratio * t + BOUND_ROUNDING_SLACK * (ratio * t);
  return true;
}
