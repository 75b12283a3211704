import type { Workload } from '../workload/workload.js';
import type { ChipContext } from './context.js';
import type { CycleFn, PhaseModel } from './cycle.js';
import { evaluateDisaggregated } from './serving-disagg.js';
import { evaluateOpenLoop } from './serving-open-loop.js';
import { evaluateServingAuto, evaluateServingFixed } from './serving-search.js';
import type { Evaluation } from './types.js';

/**
 * A serving workload: prefill and decode on separate pools (disaggregated), an open loop at an
 * arrival rate (the concurrency follows from it), or a closed loop at a fixed concurrency or the
 * highest one that fits and meets the SLOs ("auto").
 */
export function evaluateServing(cx: ChipContext, w: Workload, model: PhaseModel, cycle: CycleFn, detail: boolean): Evaluation {
  if (w.serving.disaggregated) return evaluateDisaggregated(cx, w, detail);
  if (w.serving.arrivalRatePerSec !== undefined) return evaluateOpenLoop(cx, w, detail);
  return w.batch === 'auto' ? evaluateServingAuto(cx, w, model, cycle, detail) : evaluateServingFixed(cx, w, model, cycle, w.batch, detail);
}
