import type { Workload } from '../workload/workload.js';
import { evaluationOf } from './batch.js';
import type { ChipContext } from './context.js';
import { placementFor, servingFootprint, servingLimits } from './memory.js';
import { cycleResult, scheduleInput } from './serving.js';
import { IterationCoster } from './serving-iteration.js';
import { openLoop } from './serving-schedule.js';
import { withReport } from './serving-search.js';
import type { Evaluation } from './types.js';

/**
 * An open loop: requests arrive at `serving.arrivalRatePerSec` (Poisson) over the workload's
 * replicas and micro-batches; the concurrency is what the rate and the latency make it (Little),
 * and it must fit in memory. The weights' placement is taken at the concurrency of a first solve,
 * then the rate solved again with it.
 */
export function evaluateOpenLoop(cx: ChipContext, w: Workload, detail: boolean): Evaluation {
  const chip = cx.chip;
  const { data: d, pipeline: p } = w.parallelism;
  const rate = w.serving.arrivalRatePerSec! / (d * p);
  const { parts, limit } = servingLimits(cx, w);
  const x = scheduleInput(w, 0);
  let batch = p;
  let result: ReturnType<typeof openLoop> = { error: '' };
  let coster: IterationCoster | undefined;
  for (let pass = 0; pass < 2; pass++) {
    const placement = placementFor(w, servingFootprint(chip, parts, batch));
    const c = new IterationCoster(cx, w, placement);
    coster = c;
    result = openLoop(x, rate, (it) => c.cost(it, false).timeSec);
    if ('error' in result) break;
    batch = Math.max(p, result.concurrency * p);
  }
  const mem = servingFootprint(chip, parts, batch);
  if ('error' in result) {
    // Show the engine at its memory bound, infeasible for the rate.
    const e = evaluationOf(cx, w, batch, mem, cycleResult(cx, w, batch, { mixedPerCycle: 0, decodeOnlyPerCycle: 0 }, undefined, undefined, 0, { ttftSec: 0, tpotSec: 0, serving: { regime: 'open loop', ttftP90Sec: 0, mixedIterationSec: 0, decodeIterationSec: 0, mixedPerCycle: 0, decodeOnlyPerCycle: 0, problem: result.error } }));
    return withReport({ ...e, feasible: false }, limit, 'arrival rate');
  }
  const iteration = coster!.cost(result.content, detail);
  const latencySec = result.ttftSec + Math.max(0, w.outputTokens - 1) * result.tpotSec;
  const iterations = latencySec / result.iterationSec;
  const r = cycleResult(cx, w, batch, { mixedPerCycle: iterations, decodeOnlyPerCycle: 0 }, iteration, undefined, latencySec, {
    ttftSec: result.ttftSec,
    tpotSec: result.tpotSec,
    serving: { regime: 'open loop', ttftP90Sec: result.ttftP90Sec, mixedIterationSec: result.iterationSec, decodeIterationSec: 0, mixedPerCycle: iterations, decodeOnlyPerCycle: 0, problem: undefined },
  });
  return withReport(evaluationOf(cx, w, batch, mem, r), limit, 'arrival rate');
}
