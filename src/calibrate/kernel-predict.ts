import type { Chip } from '../chip/chip.js';
import { collectiveCost } from '../interconnect/collectives.js';
import type { KernelParams } from '../kernels/params.js';
import { costStep, describeStep, newScratch, type Placement, type StepScratch } from '../eval/step-cost.js';
import { ChipContext } from '../eval/context.js';
import type { MeasuredKernel } from './kernel-rows.js';

/** Weights stream from HBM, as in the measured runs (the collectors replicate weights to defeat L2). */
export const MEASURED_PLACEMENT: Placement = { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: { tensor: 1, expert: 1, context: 1, pipeline: 1, data: 1 } };

/** A measured row with the tool's description of its steps computed once: re-costed under many parameter sets by the fitter. */
export interface PreparedKernel {
  row: MeasuredKernel;
  work: { scratch: StepScratch; repeat: number }[];
}

export function prepareKernel(row: MeasuredKernel, chip: Chip): PreparedKernel {
  const cx = new ChipContext(chip);
  const work = row.steps().map((s) => {
    const scratch = newScratch();
    describeStep(cx, s, MEASURED_PLACEMENT, scratch);
    return { scratch, repeat: s.repeat };
  });
  return { row, work };
}

function collectiveSec(row: MeasuredKernel, chip: Chip, params: KernelParams): number {
  const c = row.collective!;
  const r = collectiveCost(chip.interconnect, chip.energy.linkPjPerBit, c.op, c.bytes, c.groupSize, 1, params.collectives, undefined, c.algorithms, c.policy, c.rowBytes, chip.cores);
  if ('error' in r) throw new Error(`${row.system} ${row.key}: ${r.error}`);
  return r.timeSec;
}

/**
 * The tool's time for a prepared row under `params`; `chip` must carry those params as its
 * `kernels` (the fitter swaps them in a copy of the chip).
 */
export function predictPrepared(p: PreparedKernel, chip: Chip): number {
  if (p.row.collective) return collectiveSec(p.row, chip, chip.kernels);
  let sec = p.row.extraSec;
  for (const w of p.work) {
    costStep(chip, w.scratch);
    sec += w.scratch.timeSec * w.repeat;
  }
  return sec;
}

/** The tool's time for a measured row on a chip (its own kernel parameters), through the whole step model. */
export function predictKernel(row: MeasuredKernel, chip: Chip): number {
  return predictPrepared(prepareKernel(row, chip), chip);
}
