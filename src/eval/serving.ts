import type { Workload } from '../workload/workload.js';
import { paramCounts } from '../workload/model.js';
import type { PassShape } from '../workload/passes.js';
import type { ChipContext } from './context.js';
import { computeFormatOf, dominantBound, type CycleResult, type PhaseModel } from './cycle.js';
import { servingMemory } from './memory.js';
import { runPhase } from './phase.js';
import type { Placement } from './step-cost.js';
import { drafterSteps, forwardSteps } from './step-lists.js';
import { addDynamicEnergy, zeroEnergy, type PhaseCost } from './types.js';

/**
 * Serving as static batching: a replica prefills its whole batch, then decodes it to the end
 * (optionally with a speculative drafter). TTFT is one request's prefill on its own (as with
 * continuous batching, where a request is prefilled while others decode); time per output token
 * is one decode step (or one draft-and-verify round per its expected accepted tokens).
 * Phases `prefill` and `decode` run one half only.
 */
export const STATIC_BATCHING: PhaseModel = {
  memory: servingMemory,
  cycles: (cx, w) => {
    // The TTFT of one request is the same at every batch of a sweep: computed once, and again
    // only when the weights moved (a larger KV cache can push weights into DRAM).
    const ttft: SingleRequestTtft = { sec: undefined, placement: undefined };
    return (batch, placement, detail) => servingCycle(cx, w, batch, placement, detail, ttft);
  },
};

interface SingleRequestTtft {
  sec: number | undefined;
  /** Where the weights were when it was computed. */
  placement: Placement | undefined;
}

function samePlacement(a: Placement | undefined, b: Placement): boolean {
  return a !== undefined && a.weightsInSram === b.weightsInSram && a.expertsInDramFraction === b.expertsInDramFraction && a.denseInDramFraction === b.denseInDramFraction;
}

function servingCycle(cx: ChipContext, w: Workload, batch: number, placement: Placement, detail: boolean, single: SingleRequestTtft): CycleResult {
  const m = w.model!;
  const { pipeline: p, data: d } = w.parallelism;
  const micro = batch / d / p;
  const s = w.inputTokens;
  const out = w.outputTokens;
  const phases: PhaseCost[] = [];
  const active = paramCounts(m).activePerToken;
  let ttftSec = 0;
  let preSec = 0;
  const dyn = zeroEnergy();
  let modelFlops = 0;
  if (w.phase === 'serve' || w.phase === 'prefill') {
    const shape: PassShape = { batch: micro, queries: s, context: (s + 1) / 2, logitsTokens: micro };
    const pre = runPhase(cx, 'prefill', micro, forwardSteps(w, shape, micro * s), placement, detail);
    phases.push(pre);
    preSec = ttftSec = pre.timeSec;
    if (micro > 1) {
      const one: PassShape = { ...shape, batch: 1, logitsTokens: 1 };
      if (single.sec === undefined || !samePlacement(single.placement, placement)) {
        single.sec = runPhase(cx, 'prefill (one request)', 1, forwardSteps(w, one, s), placement, false).timeSec;
        single.placement = placement;
      }
      ttftSec = single.sec;
    } else {
      single.sec = ttftSec;
      single.placement = placement;
    }
    addDynamicEnergy(dyn, pre.energyJ);
    modelFlops += 2 * active * batch * s;
  }
  let tpotSec = 0;
  let decodeSec = 0;
  if (w.phase === 'serve' || w.phase === 'decode') {
    const steps = w.phase === 'serve' ? out - 1 : out;
    const context = s + out / 2;
    const spec = w.speculative;
    const queries = spec ? spec.draftTokens + 1 : 1;
    const shape: PassShape = { batch: micro, queries, context, logitsTokens: micro * queries };
    const verify = runPhase(cx, spec ? 'decode (verify)' : 'decode', micro, forwardSteps(w, shape, micro * queries), placement, detail);
    phases.push(verify);
    let iterSec = verify.timeSec;
    const iterJ = { ...verify.energyJ };
    let tokensPerIter = 1;
    if (spec) {
      const dm = spec.drafter;
      const dt = dm.heads % w.parallelism.tensor === 0 ? w.parallelism.tensor : 1;
      const draftShape: PassShape = { batch: micro, queries: 1, context, logitsTokens: micro };
      const draft = runPhase(cx, 'decode (draft)', micro, drafterSteps(w, dm, draftShape, dt), { ...placement, expertsInDramFraction: 0, denseInDramFraction: 0 }, detail);
      phases.push(draft);
      iterSec += spec.draftTokens * draft.timeSec;
      addDynamicEnergy(iterJ, draft.energyJ, spec.draftTokens);
      // Expected tokens per verification, Leviathan et al. 2023 eq. 1: (1 - a^(k+1)) / (1 - a).
      const a = spec.acceptanceRate;
      tokensPerIter = (1 - a ** (spec.draftTokens + 1)) / (1 - a);
    }
    tpotSec = iterSec / tokensPerIter;
    decodeSec = steps * tpotSec;
    addDynamicEnergy(dyn, iterJ, steps / tokensPerIter);
    modelFlops += 2 * active * batch * steps;
  }
  const cycleSec = preSec + decodeSec;
  const prefillOnly = w.phase === 'prefill';
  return {
    phases,
    cycleSec,
    dynamicJ: dyn,
    tokensPerCycle: batch * (prefillOnly ? s : out),
    ttftSec,
    tpotSec,
    latencySec: w.phase === 'decode' ? out * tpotSec : ttftSec + Math.max(0, out - 1) * tpotSec * (prefillOnly ? 0 : 1),
    stepTimeSec: 0,
    modelFlops,
    computeFormat: computeFormatOf(cx, w),
    boundBy: dominantBound(phases, w.phase === 'serve' ? [preSec, decodeSec] : undefined),
    checkpointSec: 0,
  };
}

