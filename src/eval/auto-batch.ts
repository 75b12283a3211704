import type { Workload } from '../workload/workload.js';
import type { ChipContext } from './context.js';
import { evaluateBatch } from './batch.js';
import type { CycleFn, PhaseModel } from './cycle.js';
import { memoryShortfall } from './memory.js';
import type { Evaluation } from './types.js';

/** Upper limit for "auto" batch search (sequences). */
const AUTO_BATCH_MAX = 1 << 16;

/**
 * Training batch "auto": the throughput-maximizing feasible batch among the powers of two times
 * the smallest batch the parallelism allows, tried upwards until one does not fit in memory.
 * (Serving searches its concurrency in serving-search.ts.)
 */
export function evaluateAutoBatch(cx: ChipContext, w: Workload, model: PhaseModel, cycle: CycleFn, detail: boolean): Evaluation {
  const unit = w.parallelism.data * w.parallelism.pipeline * w.training.microBatch;
  let best: Evaluation | undefined;
  let first: Evaluation | undefined;
  for (let b = unit; b <= AUTO_BATCH_MAX; b *= 2) {
    // A batch that does not fit ends the sweep: evaluated in full only when it is the first.
    if (first && memoryShortfall(cx.chip, model.memory(cx, w, b))) break;
    const e = evaluateBatch(cx, w, model, cycle, b, false);
    first ??= e;
    if (!e.metrics.fits) break;
    if (e.feasible && (!best || e.metrics.tokensPerSec > best.metrics.tokensPerSec)) best = e;
  }
  // The batch search runs without step details; the chosen batch is evaluated again with them if asked.
  if (best) return detail ? evaluateBatch(cx, w, model, cycle, best.metrics.batch, true) : best;
  return { ...first!, reasons: [...first!.reasons, 'no batch size fits in memory and meets the SLO'] };
}
