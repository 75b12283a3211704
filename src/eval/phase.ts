import type { Chip } from '../chip/chip.js';
import type { Step } from '../workload/step.js';
import { contextOf, type ChipContext } from './context.js';
import { addStepEnergy, newScratch, stepCost, type Placement } from './step-cost.js';
import { measureTimes } from './step-fast.js';
import { addDynamicEnergy, dynamicEnergy, largestBound, zeroEnergy, type Bound, type PhaseCost, type StepCost } from './types.js';

/**
 * The work buffer measureStep fills for each step (a search measures millions of steps, so none is
 * allocated per step or per phase). It holds no result from one step to the next: every field a
 * step's cost is read from is written by measureStep first.
 */
const scratch = newScratch();

/** The steps of a phase costed without detail (none kept): one shared empty list. */
const NO_STEPS: StepCost[] = Object.freeze([]) as unknown as StepCost[];

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
  const chip = cx.chip;
  const costs: StepCost[] = detail ? [] : NO_STEPS;
  let serialSec = 0;
  let hideBehindBackward = 0;
  let hideBehindCompute = 0;
  let backwardSec = 0;
  let workSec = 0;
  let serialCommSec = 0;
  const energyJ = zeroEnergy();
  // Time by bound in locals (a keyed store per step cost more than the step's arithmetic).
  let computeBoundSec = 0;
  let memoryBoundSec = 0;
  let interconnectBoundSec = 0;
  let powerBoundSec = 0;
  let peakDynamicW = 0;
  for (const s of steps) {
    let timeSec: number;
    let bound: Bound;
    let stepDynamicW: number;
    if (detail) {
      const c = stepCost(cx, s, placement);
      costs.push(c);
      timeSec = c.timeSec;
      bound = c.boundBy;
      addDynamicEnergy(energyJ, c.energyJ);
      stepDynamicW = timeSec > 0 ? dynamicEnergy(c.energyJ) / timeSec : 0;
    } else {
      measureTimes(cx, s, placement, scratch);
      const r = s.repeat;
      timeSec = scratch.timeSec * r;
      bound = scratch.boundBy;
      addStepEnergy(energyJ, scratch, r);
      // The same arithmetic as the detailed path (all repeats' energy over all repeats' time), so both give the same bits.
      stepDynamicW = timeSec > 0 ? (scratch.eCompute * r + scratch.eSram * r + scratch.eHbm * r + scratch.eInterconnect * r) / timeSec : 0;
    }
    // Collectives hidden behind other steps are left out of the peak: their link power is small
    // next to the computation they overlap (and the TDP check of step-cost.ts does not see it either).
    // (Each step's fields read once: the steps come in many shapes, so every read is a slow one.)
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
 * Phases run one after another, each `times` times (fractions allowed: a mean over iterations),
 * as one phase: times, dynamic energies, time by bound and exposed communication add up; static
 * energy is charged for the total time; the peak power is the highest part's. Steps are kept (scaled) when the parts have them.
 */
export function sumPhases(on: Chip | ChipContext, phase: string, batch: number, parts: readonly (readonly [PhaseCost, number])[]): PhaseCost {
  const chip = contextOf(on).chip;
  const energyJ = zeroEnergy();
  const timeByBound: Record<Bound, number> = { compute: 0, memory: 0, interconnect: 0, power: 0 };
  const steps: StepCost[] = [];
  let timeSec = 0;
  let exposedCommSec = 0;
  // The parts run one after another: the peak is the highest part's.
  let peakPowerW = chip.energy.staticW;
  for (const [p, times] of parts) {
    if (times <= 0) continue;
    if (p.peakPowerW > peakPowerW) peakPowerW = p.peakPowerW;
    timeSec += p.timeSec * times;
    exposedCommSec += p.exposedCommSec * times;
    addDynamicEnergy(energyJ, p.energyJ, times);
    timeByBound.compute += p.timeByBound.compute * times;
    timeByBound.memory += p.timeByBound.memory * times;
    timeByBound.interconnect += p.timeByBound.interconnect * times;
    timeByBound.power += p.timeByBound.power * times;
    for (const s of p.steps) steps.push(times === 1 ? s : scaleStep(s, times));
  }
  energyJ.static = chip.energy.staticW * timeSec;
  const boundBy = largestBound(timeByBound.compute, timeByBound.memory, timeByBound.interconnect, timeByBound.power);
  return { phase, batch, timeSec, exposedCommSec, energyJ, boundBy, timeByBound, peakPowerW, steps };
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
