import type { Chip } from '../chip/chip.js';
import type { Step } from '../workload/step.js';
import { contextOf, type ChipContext } from './context.js';
import { newScratch, stepCost, type Placement } from './step-cost.js';
import { measureTimes } from './step-fast.js';
import { addDynamicEnergy, dynamicEnergy, largestBound, zeroEnergy, type Bound, type EnergyBreakdown, type PhaseCost, type StepCost } from './types.js';

/**
 * The work buffer measureStep fills for each step (a search measures millions of steps, so none is
 * allocated per step or per phase). It holds no result from one step to the next: every field a
 * step's cost is read from is written by measureStep first.
 */
const scratch = newScratch();

/** The steps of a phase costed without detail (none kept): one shared empty list. */
const NO_STEPS: StepCost[] = Object.freeze([]) as unknown as StepCost[];

/**
 * A phase's totals without its per-step detail, in a record that is written over (a concurrency
 * search costs the same lists at many counts and reads only their time; it keeps two of these per
 * list and builds the PhaseCost, `phaseOf`, only for the count it reports). Every field is a
 * number but `boundBy` (one string of four), so the record's fields stay doubles written in place.
 */
export class PhaseTotals {
  timeSec = NaN;
  exposedCommSec = NaN;
  computeJ = NaN;
  sramJ = NaN;
  hbmJ = NaN;
  interconnectJ = NaN;
  staticJ = NaN;
  computeBoundSec = NaN;
  memoryBoundSec = NaN;
  interconnectBoundSec = NaN;
  powerBoundSec = NaN;
  peakPowerW = NaN;
  boundBy: Bound = 'compute';
  /** The PhaseCost of these totals, once built (phaseOf); cleared when the totals are written over. */
  cost: PhaseCost | undefined = undefined;
}

/** The PhaseCost of a phase's totals (built once per totals written; its steps none). */
export function phaseOf(phase: string, batch: number, t: PhaseTotals): PhaseCost {
  if (t.cost !== undefined) return t.cost;
  const energyJ: EnergyBreakdown = { compute: t.computeJ, sram: t.sramJ, hbm: t.hbmJ, interconnect: t.interconnectJ, static: t.staticJ };
  const timeByBound: Record<Bound, number> = { compute: t.computeBoundSec, memory: t.memoryBoundSec, interconnect: t.interconnectBoundSec, power: t.powerBoundSec };
  return (t.cost = { phase, batch, timeSec: t.timeSec, exposedCommSec: t.exposedCommSec, energyJ, boundBy: t.boundBy, timeByBound, peakPowerW: t.peakPowerW, steps: NO_STEPS });
}

/** The totals runPhase's fast path fills before it builds its PhaseCost (it builds a new one from them each call). */
const runTotals = new PhaseTotals();

/**
 * Runs a per-chip step list: steps run one after another (each overlapping its own compute,
 * memory and link traffic). Collectives marked `overlap: 'backward'` hide behind the backward
 * steps, those marked `'compute'` behind whatever non-communication time is left; only their
 * excess is exposed. Static power is charged for the whole time.
 * With `detail` false no per-step costs are kept (a search needs only the totals).
 * `on` is a chip, or the context of the evaluation the phase belongs to (which keeps what the
 * evaluation derives from its chip).
 */
export function runPhase(on: Chip | ChipContext, phase: string, batch: number, steps: Step[], placement: Placement, detail = true): PhaseCost {
  const cx = contextOf(on);
  if (!detail) {
    phaseTotals(cx, steps, placement, runTotals);
    runTotals.cost = undefined;
    const cost = phaseOf(phase, batch, runTotals);
    runTotals.cost = undefined;
    return cost;
  }
  const chip = cx.chip;
  const costs: StepCost[] = [];
  let serialSec = 0;
  let hideBehindBackward = 0;
  let hideBehindCompute = 0;
  let backwardSec = 0;
  let workSec = 0;
  let serialCommSec = 0;
  const energyJ = zeroEnergy();
  let computeBoundSec = 0;
  let memoryBoundSec = 0;
  let interconnectBoundSec = 0;
  let powerBoundSec = 0;
  let peakDynamicW = 0;
  for (const s of steps) {
    const c = stepCost(cx, s, placement);
    costs.push(c);
    const timeSec = c.timeSec;
    const bound = c.boundBy;
    addDynamicEnergy(energyJ, c.energyJ);
    const stepDynamicW = timeSec > 0 ? dynamicEnergy(c.energyJ) / timeSec : 0;
    // Collectives hidden behind other steps are left out of the peak: their link power is small
    // next to the computation they overlap (and the TDP check of step-cost.ts does not see it either).
    const collective = s.kind === 'collective';
    if (collective) {
      const overlap = s.overlap;
      if (overlap) {
        if (overlap === 'backward') hideBehindBackward += timeSec;
        else hideBehindCompute += timeSec;
        continue;
      }
    }
    if (stepDynamicW > peakDynamicW) peakDynamicW = stepDynamicW;
    serialSec += timeSec;
    if (collective) serialCommSec += timeSec;
    else {
      workSec += timeSec;
      if (s.part === 'backward') backwardSec += timeSec;
    }
    if (bound === 'compute') computeBoundSec += timeSec;
    else if (bound === 'memory') memoryBoundSec += timeSec;
    else if (bound === 'interconnect') interconnectBoundSec += timeSec;
    else powerBoundSec += timeSec;
  }
  const timeByBound: Record<Bound, number> = { compute: computeBoundSec, memory: memoryBoundSec, interconnect: interconnectBoundSec, power: powerBoundSec };
  const usedBehindBackward = Math.min(hideBehindBackward, backwardSec);
  const exposedOverlapSec = hideBehindBackward - usedBehindBackward + Math.max(0, hideBehindCompute - (workSec - usedBehindBackward));
  timeByBound.interconnect += exposedOverlapSec;
  const timeSec = serialSec + exposedOverlapSec;
  energyJ.static = chip.energy.staticW * timeSec;
  const boundBy = largestBound(timeByBound.compute, timeByBound.memory, timeByBound.interconnect, timeByBound.power);
  return { phase, batch, timeSec, exposedCommSec: exposedOverlapSec + serialCommSec, energyJ, boundBy, timeByBound, peakPowerW: chip.energy.staticW + peakDynamicW, steps: costs };
}

/**
 * runPhase without detail, its totals written into `out` (no object allocated): the same
 * arithmetic in the same order, so phaseOf(out) has the bits runPhase(..., false) returns.
 * Leaves `out.cost` as it was (the caller clears it when the totals are new).
 */
export function phaseTotals(cx: ChipContext, steps: Step[], placement: Placement, out: PhaseTotals): void {
  let serialSec = 0;
  let hideBehindBackward = 0;
  let hideBehindCompute = 0;
  let backwardSec = 0;
  let workSec = 0;
  let serialCommSec = 0;
  // Energy and time by bound in locals (a keyed store per step cost more than the step's arithmetic).
  let computeJ = 0;
  let sramJ = 0;
  let hbmJ = 0;
  let interconnectJ = 0;
  let computeBoundSec = 0;
  let memoryBoundSec = 0;
  let interconnectBoundSec = 0;
  let powerBoundSec = 0;
  let peakDynamicW = 0;
  for (const s of steps) {
    measureTimes(cx, s, placement, scratch);
    const r = s.repeat;
    const timeSec = scratch.timeSec * r;
    const bound = scratch.boundBy;
    // As addStepEnergy adds them.
    computeJ += scratch.eCompute * r;
    sramJ += scratch.eSram * r;
    hbmJ += scratch.eHbm * r;
    interconnectJ += scratch.eInterconnect * r;
    // The same arithmetic as the detailed path (all repeats' energy over all repeats' time), so both give the same bits.
    const stepDynamicW = timeSec > 0 ? (scratch.eCompute * r + scratch.eSram * r + scratch.eHbm * r + scratch.eInterconnect * r) / timeSec : 0;
    // (Each step's fields read once.)
    const collective = s.kind === 'collective';
    if (collective) {
      const overlap = s.overlap;
      if (overlap) {
        if (overlap === 'backward') hideBehindBackward += timeSec;
        else hideBehindCompute += timeSec;
        continue;
      }
    }
    if (stepDynamicW > peakDynamicW) peakDynamicW = stepDynamicW;
    serialSec += timeSec;
    if (collective) serialCommSec += timeSec;
    else {
      workSec += timeSec;
      if (s.part === 'backward') backwardSec += timeSec;
    }
    if (bound === 'compute') computeBoundSec += timeSec;
    else if (bound === 'memory') memoryBoundSec += timeSec;
    else if (bound === 'interconnect') interconnectBoundSec += timeSec;
    else powerBoundSec += timeSec;
  }
  const usedBehindBackward = Math.min(hideBehindBackward, backwardSec);
  const exposedOverlapSec = hideBehindBackward - usedBehindBackward + Math.max(0, hideBehindCompute - (workSec - usedBehindBackward));
  interconnectBoundSec += exposedOverlapSec;
  const timeSec = serialSec + exposedOverlapSec;
  const staticW = cx.chip.energy.staticW;
  out.timeSec = timeSec;
  out.exposedCommSec = exposedOverlapSec + serialCommSec;
  out.computeJ = computeJ;
  out.sramJ = sramJ;
  out.hbmJ = hbmJ;
  out.interconnectJ = interconnectJ;
  out.staticJ = staticW * timeSec;
  out.computeBoundSec = computeBoundSec;
  out.memoryBoundSec = memoryBoundSec;
  out.interconnectBoundSec = interconnectBoundSec;
  out.powerBoundSec = powerBoundSec;
  out.peakPowerW = staticW + peakDynamicW;
  out.boundBy = largestBound(computeBoundSec, memoryBoundSec, interconnectBoundSec, powerBoundSec);
}

/**
 * Phases run one after another, each `times` times (fractions allowed: a mean over iterations), as
 * one phase: times, dynamic energies, time by bound and exposed communication add up; static
 * energy is charged for the total time; the peak power is the highest part's; steps are kept
 * (scaled) where a list is given for them. Parts are added as they come, as kept totals or as
 * PhaseCosts (the same bits either way: a concurrency search's final evaluation sums a mixed
 * iteration's parts from IterationCoster's kept totals, without a PhaseCost per part), into one
 * record written over by each sum (`start`): a class instance, so its fields stay doubles written
 * in place.
 */
export class PhaseSum {
  timeSec = 0;
  exposedCommSec = 0;
  computeJ = 0;
  sramJ = 0;
  hbmJ = 0;
  interconnectJ = 0;
  computeBoundSec = 0;
  memoryBoundSec = 0;
  interconnectBoundSec = 0;
  powerBoundSec = 0;
  peakPowerW = 0;
  staticW = 0;

  /** A new sum on a chip of `staticW` watts of static power. */
  start(staticW: number): this {
    this.timeSec = 0;
    this.exposedCommSec = 0;
    this.computeJ = 0;
    this.sramJ = 0;
    this.hbmJ = 0;
    this.interconnectJ = 0;
    this.computeBoundSec = 0;
    this.memoryBoundSec = 0;
    this.interconnectBoundSec = 0;
    this.powerBoundSec = 0;
    this.peakPowerW = staticW;
    this.staticW = staticW;
    return this;
  }

  /** Kept totals run `times` times (as addCost adds phaseOf(t)). */
  addTotals(t: PhaseTotals, times: number): void {
    if (times <= 0) return;
    if (t.peakPowerW > this.peakPowerW) this.peakPowerW = t.peakPowerW;
    this.timeSec += t.timeSec * times;
    this.exposedCommSec += t.exposedCommSec * times;
    this.computeJ += t.computeJ * times;
    this.sramJ += t.sramJ * times;
    this.hbmJ += t.hbmJ * times;
    this.interconnectJ += t.interconnectJ * times;
    this.computeBoundSec += t.computeBoundSec * times;
    this.memoryBoundSec += t.memoryBoundSec * times;
    this.interconnectBoundSec += t.interconnectBoundSec * times;
    this.powerBoundSec += t.powerBoundSec * times;
  }

  /**
   * A PhaseCost run `times` times: its steps (scaled) go into `steps`; a part with steps and no
   * list to keep them is an error (the sum would drop them).
   */
  addCost(p: PhaseCost, times: number, steps?: StepCost[]): void {
    if (times <= 0) return;
    if (p.steps.length > 0) {
      if (!steps) throw new Error('PhaseSum sums phases without steps');
      for (const s of p.steps) steps.push(times === 1 ? s : scaleStep(s, times));
    }
    if (p.peakPowerW > this.peakPowerW) this.peakPowerW = p.peakPowerW;
    this.timeSec += p.timeSec * times;
    this.exposedCommSec += p.exposedCommSec * times;
    const e = p.energyJ;
    this.computeJ += e.compute * times;
    this.sramJ += e.sram * times;
    this.hbmJ += e.hbm * times;
    this.interconnectJ += e.interconnect * times;
    const b = p.timeByBound;
    this.computeBoundSec += b.compute * times;
    this.memoryBoundSec += b.memory * times;
    this.interconnectBoundSec += b.interconnect * times;
    this.powerBoundSec += b.power * times;
  }

  /** The summed PhaseCost, with `steps` (a new empty list by default). */
  finish(phase: string, batch: number, steps: StepCost[] = []): PhaseCost {
    const timeSec = this.timeSec;
    const energyJ: EnergyBreakdown = { compute: this.computeJ, sram: this.sramJ, hbm: this.hbmJ, interconnect: this.interconnectJ, static: this.staticW * timeSec };
    const timeByBound: Record<Bound, number> = { compute: this.computeBoundSec, memory: this.memoryBoundSec, interconnect: this.interconnectBoundSec, power: this.powerBoundSec };
    const boundBy = largestBound(this.computeBoundSec, this.memoryBoundSec, this.interconnectBoundSec, this.powerBoundSec);
    return { phase, batch, timeSec, exposedCommSec: this.exposedCommSec, energyJ, boundBy, timeByBound, peakPowerW: this.peakPowerW, steps };
  }
}

/** A step's cost repeated `times` more times (its repeat count, times, traffic and energy scaled). */
function scaleStep(s: StepCost, times: number): StepCost {
  const energyJ = zeroEnergy();
  addDynamicEnergy(energyJ, s.energyJ, times);
  return {
    ...s,
    repeat: s.repeat * times,
    timeSec: s.timeSec * times,
    computeSec: s.computeSec * times,
    sramSec: s.sramSec * times,
    hbmSec: s.hbmSec * times,
    dramSec: s.dramSec * times,
    commSec: s.commSec * times,
    macs: s.macs * times,
    vectorFlops: s.vectorFlops * times,
    sramBytes: s.sramBytes * times,
    hbmBytes: s.hbmBytes * times,
    dramBytes: s.dramBytes * times,
    linkBytes: s.linkBytes * times,
    energyJ,
  };
}
