import { bytesPerValue } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { paramCounts } from '../workload/model.js';
import type { Workload } from '../workload/workload.js';
import type { ChipContext } from './context.js';
import { computeFormatOf, type CycleResult, type PhaseModel } from './cycle.js';
import { trainingMemory } from './memory.js';
import { runPhase } from './phase.js';
import { StepError, type Placement } from './step-cost.js';
import { trainingSteps } from './training-steps.js';
import { addDynamicEnergy, zeroEnergy, type PhaseCost } from './types.js';

/**
 * Training: a step is the micro-batches of a 1F1B pipeline, the gradient sync that hides behind
 * the last backward pass (and, across data centres, behind the next step), and the optimizer
 * update. The cycle is one step; `batch` is sequences per step over all replicas.
 */
export const PIPELINED_TRAINING: PhaseModel = {
  memory: (cx, w, batch) => trainingMemory(cx.chip, w, batch),
  cycles: (cx, w) => (batch, placement, detail) => trainingCycle(cx, w, batch, placement, detail),
};

function trainingCycle(cx: ChipContext, w: Workload, batch: number, placement: Placement, detail: boolean): CycleResult {
  const chip = cx.chip;
  const m = w.model!;
  const { pipeline: p, data: d } = w.parallelism;
  const micro = w.training.microBatch;
  const microBatches = batch / d / micro;
  const s = w.inputTokens;
  const { microBatchSteps, syncSteps, lastBackwardSteps, gradientSyncSteps, optimizerSteps, params, gradBytes } = trainingSteps(w);
  const mb = runPhase(cx, 'train micro-batch (fwd+bwd)', micro, microBatchSteps, placement, detail);
  const sites = w.training.sites;
  const dSite = d / sites;
  // The sync phase's totals without per-step detail; its collectives' step costs (reported, and
  // their energy counted) apart; the backward pass alone for the time the sync hides behind (a
  // phase of no collectives takes the sum of its steps' times, in order: the same bits).
  const syncPhase = runPhase(cx, 'gradient sync', micro, syncSteps, placement, false);
  const syncCollectives = runPhase(cx, 'gradient sync', micro, gradientSyncSteps, placement, true).steps;
  const optimizer = runPhase(cx, 'optimizer step', micro, optimizerSteps, placement);
  const lastBackwardSec = runPhase(cx, 'last backward pass', micro, lastBackwardSteps, placement, false).timeSec;
  const exposedSync = Math.max(0, syncPhase.timeSec - lastBackwardSec);
  // 1F1B pipeline, interleaved over v virtual stages per chip (Narayanan et al., SC 2021):
  // (microBatches + (p - 1) / v) slots of (micro-batch time / p).
  const v = w.training.virtualStages;
  const pipelineSec = (mb.timeSec / p) * (microBatches + (p - 1) / v);
  const cross = crossSiteSync(chip, w, gradBytes / dSite);
  // Across data centres the gradient exchange overlaps the whole next step; only its excess shows.
  const exposedCross = Math.max(0, cross.timeSec - pipelineSec);
  const stepTimeSec = pipelineSec + exposedSync + exposedCross + optimizer.timeSec;
  const dyn = zeroEnergy();
  addDynamicEnergy(dyn, mb.energyJ, microBatches / p);
  for (const c of syncCollectives) addDynamicEnergy(dyn, c.energyJ);
  addDynamicEnergy(dyn, optimizer.energyJ);
  dyn.interconnect += cross.energyJ;
  const c = paramCounts(m);
  // PaLM (Chowdhery et al. 2022, appendix B) model FLOPs per token: 6 N + 12 L H Q T.
  const flopsPerToken = 6 * c.activePerToken + 12 * m.layers * m.heads * m.headDim * s;
  const syncSummary: PhaseCost = { ...syncPhase, timeSec: exposedSync, steps: syncCollectives };
  return {
    phases: [mb, syncSummary, optimizer],
    cycleSec: stepTimeSec,
    dynamicJ: dyn,
    tokensPerCycle: batch * s,
    ttftSec: 0,
    tpotSec: 0,
    latencySec: stepTimeSec,
    stepTimeSec,
    modelFlops: flopsPerToken * batch * s,
    computeFormat: computeFormatOf(cx, w),
    boundBy: exposedSync + exposedCross > pipelineSec ? 'interconnect' : mb.boundBy,
    checkpointSec: checkpointWriteSec(chip, w, params),
  };
}

/**
 * Gradient exchange between data centres: after each site reduces its replicas' gradients, every
 * chip holds 1/dSite of them and all-reduces that shard with its peers in the other sites; a
 * site's chips share the site's link, so each gets bytesPerSec / chipsPerSite.
 */
export function crossSiteSync(chip: Chip, w: Workload, bytesPerChip: number): { timeSec: number; energyJ: number } {
  const sites = w.training.sites;
  if (sites <= 1) return { timeSec: 0, energyJ: 0 };
  const cs = chip.interconnect.crossSite;
  if (!cs) throw new StepError(`training over ${sites} sites needs interconnect.crossSite in the design`);
  const perChip = (cs.bytesPerSec * chip.interconnect.efficiency) / (w.chips / sites);
  const sent = ((2 * (sites - 1)) / sites) * bytesPerChip;
  return { timeSec: sent / perChip + 2 * (sites - 1) * cs.latencySec, energyJ: sent * 8 * cs.pjPerBit * 1e-12 };
}

/**
 * A checkpoint is the weights and optimizer state; every chip writes its 1/data share of its
 * replica's state in parallel, to remote storage over the scale-out network (else to host DRAM,
 * else over the pod links). `params` is the parameters one chip holds.
 */
export function checkpointWriteSec(chip: Chip, w: Workload, params: number): number {
  const bytes = (params * (bytesPerValue(w.precision.weights) + 3 * bytesPerValue(w.precision.optimizer))) / w.parallelism.data;
  const bw = chip.interconnect.scaleOut?.bytesPerSec ?? (chip.dramBytesPerSec > 0 ? chip.dramBytesPerSec : chip.interconnect.linkBytesPerSec);
  return bytes / bw;
}
