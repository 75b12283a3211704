import type { Chip } from '../chip/chip.js';
import type { Step } from '../workload/step.js';
import { stepCost, type Placement } from './step-cost.js';
import { zeroEnergy, type Bound, type PhaseCost, type StepCost } from './types.js';

/**
 * Runs a per-chip trace: steps run one after another (each overlapping its own compute,
 * memory and link traffic). Collectives marked `overlap: 'backward'` hide behind the backward
 * steps, those marked `'compute'` behind whatever non-communication time is left; only their
 * excess is exposed. Static power is charged for the whole time.
 */
export function runPhase(chip: Chip, phase: string, batch: number, steps: Step[], placement: Placement): PhaseCost {
  const costs: StepCost[] = steps.map((s) => stepCost(chip, s, placement));
  let serialSec = 0;
  let hideBehindBackward = 0;
  let hideBehindCompute = 0;
  let backwardSec = 0;
  let workSec = 0;
  const energyJ = zeroEnergy();
  const timeByBound: Record<Bound, number> = { compute: 0, memory: 0, interconnect: 0, power: 0 };
  for (let i = 0; i < costs.length; i++) {
    const c = costs[i];
    const s = steps[i];
    energyJ.compute += c.energyJ.compute;
    energyJ.sram += c.energyJ.sram;
    energyJ.hbm += c.energyJ.hbm;
    energyJ.interconnect += c.energyJ.interconnect;
    if (s.kind === 'collective' && s.overlap) {
      if (s.overlap === 'backward') hideBehindBackward += c.timeSec;
      else hideBehindCompute += c.timeSec;
      continue;
    }
    serialSec += c.timeSec;
    if (s.kind !== 'collective') workSec += c.timeSec;
    if (c.part === 'backward' && s.kind !== 'collective') backwardSec += c.timeSec;
    timeByBound[c.boundBy] += c.timeSec;
  }
  const usedBehindBackward = Math.min(hideBehindBackward, backwardSec);
  const exposedCommSec = hideBehindBackward - usedBehindBackward + Math.max(0, hideBehindCompute - (workSec - usedBehindBackward));
  timeByBound.interconnect += exposedCommSec;
  const timeSec = serialSec + exposedCommSec;
  energyJ.static = chip.energy.staticW * timeSec;
  const exposedSerialComm = costs.filter((c, i) => c.kind === 'collective' && !(steps[i].kind === 'collective' && (steps[i] as { overlap?: string }).overlap)).reduce((a, c) => a + c.timeSec, 0);
  const boundBy = (Object.entries(timeByBound) as [Bound, number][]).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  return { phase, batch, timeSec, exposedCommSec: exposedCommSec + exposedSerialComm, energyJ, boundBy, steps: costs };
}
