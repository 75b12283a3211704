import type { Chip } from '../chip/chip.js';
import type { Step } from '../workload/step.js';
import { measureStep, newScratch, stepCost, type Placement } from './step-cost.js';
import { largestBound, zeroEnergy, type Bound, type PhaseCost, type StepCost } from './types.js';

const scratch = newScratch();

/**
 * Runs a per-chip trace: steps run one after another (each overlapping its own compute,
 * memory and link traffic). Collectives marked `overlap: 'backward'` hide behind the backward
 * steps, those marked `'compute'` behind whatever non-communication time is left; only their
 * excess is exposed. Static power is charged for the whole time.
 * With `detail` false no per-step costs are kept (a search needs only the totals).
 */
export function runPhase(chip: Chip, phase: string, batch: number, steps: Step[], placement: Placement, detail = true): PhaseCost {
  const costs: StepCost[] = [];
  let serialSec = 0;
  let hideBehindBackward = 0;
  let hideBehindCompute = 0;
  let backwardSec = 0;
  let workSec = 0;
  let serialCommSec = 0;
  const energyJ = zeroEnergy();
  const timeByBound: Record<Bound, number> = { compute: 0, memory: 0, interconnect: 0, power: 0 };
  for (const s of steps) {
    let timeSec: number;
    let bound: Bound;
    if (detail) {
      const c = stepCost(chip, s, placement);
      costs.push(c);
      timeSec = c.timeSec;
      bound = c.boundBy;
      energyJ.compute += c.energyJ.compute;
      energyJ.sram += c.energyJ.sram;
      energyJ.hbm += c.energyJ.hbm;
      energyJ.interconnect += c.energyJ.interconnect;
    } else {
      measureStep(chip, s, placement, scratch);
      const r = s.repeat;
      timeSec = scratch.timeSec * r;
      bound = scratch.boundBy;
      energyJ.compute += scratch.eCompute * r;
      energyJ.sram += scratch.eSram * r;
      energyJ.hbm += scratch.eHbm * r;
      energyJ.interconnect += scratch.eInterconnect * r;
    }
    if (s.kind === 'collective' && s.overlap) {
      if (s.overlap === 'backward') hideBehindBackward += timeSec;
      else hideBehindCompute += timeSec;
      continue;
    }
    serialSec += timeSec;
    if (s.kind === 'collective') serialCommSec += timeSec;
    else workSec += timeSec;
    if (s.part === 'backward' && s.kind !== 'collective') backwardSec += timeSec;
    timeByBound[bound] += timeSec;
  }
  const usedBehindBackward = Math.min(hideBehindBackward, backwardSec);
  const exposedOverlapSec = hideBehindBackward - usedBehindBackward + Math.max(0, hideBehindCompute - (workSec - usedBehindBackward));
  timeByBound.interconnect += exposedOverlapSec;
  const timeSec = serialSec + exposedOverlapSec;
  energyJ.static = chip.energy.staticW * timeSec;
  const boundBy = largestBound(timeByBound.compute, timeByBound.memory, timeByBound.interconnect, timeByBound.power);
  return { phase, batch, timeSec, exposedCommSec: exposedOverlapSec + serialCommSec, energyJ, boundBy, timeByBound, steps: costs };
}
