import type { Chip } from '../chip/chip.js';
import type { Step } from '../workload/step.js';
import { stepCost, type Placement } from './step-cost.js';
import { zeroEnergy, type Bound, type PhaseCost, type StepCost } from './types.js';

/**
 * Runs a per-chip trace: steps run one after another (each overlapping its own compute,
 * memory and link traffic); collectives marked to overlap the backward pass are hidden
 * behind it and only their excess is exposed. Static power is charged for the whole time.
 */
export function runPhase(chip: Chip, phase: string, batch: number, steps: Step[], placement: Placement): PhaseCost {
  const costs: StepCost[] = steps.map((s) => stepCost(chip, s, placement));
  let serialSec = 0;
  let hiddenCommSec = 0;
  let backwardSec = 0;
  const energyJ = zeroEnergy();
  const timeByBound: Record<Bound, number> = { compute: 0, memory: 0, interconnect: 0, power: 0 };
  for (let i = 0; i < costs.length; i++) {
    const c = costs[i];
    const s = steps[i];
    energyJ.compute += c.energyJ.compute;
    energyJ.sram += c.energyJ.sram;
    energyJ.hbm += c.energyJ.hbm;
    energyJ.interconnect += c.energyJ.interconnect;
    if (s.kind === 'collective' && s.overlap === 'backward') {
      hiddenCommSec += c.timeSec;
      continue;
    }
    serialSec += c.timeSec;
    if (c.part === 'backward') backwardSec += c.timeSec;
    timeByBound[c.boundBy] += c.timeSec;
  }
  const exposedCommSec = Math.max(0, hiddenCommSec - backwardSec);
  timeByBound.interconnect += exposedCommSec;
  const timeSec = serialSec + exposedCommSec;
  energyJ.static = chip.energy.staticW * timeSec;
  const exposedSerialComm = costs.filter((c, i) => c.kind === 'collective' && !(steps[i].kind === 'collective' && (steps[i] as { overlap?: string }).overlap)).reduce((a, c) => a + c.timeSec, 0);
  const boundBy = (Object.entries(timeByBound) as [Bound, number][]).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  return { phase, batch, timeSec, exposedCommSec: exposedCommSec + exposedSerialComm, energyJ, boundBy, steps: costs };
}
