import type { Workload } from '../workload/workload.js';
import type { ChipContext } from './context.js';
import { finishMetrics, type CycleFn, type CycleResult, type PhaseModel } from './cycle.js';
import { memoryShortfall, placementFor } from './memory.js';
import { CONTINUOUS_BATCHING } from './serving.js';
import { PIPELINED_TRAINING } from './training.js';
import type { Evaluation, MemoryFootprint, Metrics } from './types.js';

/** The model of a workload's kind of work: training, or serving (prefill, decode, both). */
export function phaseModelOf(w: Workload): PhaseModel {
  return w.phase === 'train' ? PIPELINED_TRAINING : CONTINUOUS_BATCHING;
}

/**
 * A workload at one batch: its memory, the cycle its phase model runs, the metrics of that cycle,
 * and why it is infeasible (memory, SLOs), if it is.
 */
export function evaluateBatch(cx: ChipContext, w: Workload, model: PhaseModel, cycle: CycleFn, batch: number, detail: boolean): Evaluation {
  const mem = model.memory(cx, w, batch);
  return evaluationOf(cx, w, batch, mem, cycle(batch, placementFor(w, mem), detail));
}

/** The evaluation of a cycle run at `batch` on memory `mem`: metrics, and the reasons it is infeasible (memory, budget, SLOs). */
export function evaluationOf(cx: ChipContext, w: Workload, batch: number, mem: MemoryFootprint, r: CycleResult): Evaluation {
  const chip = cx.chip;
  const reasons: string[] = [];
  const shortfall = memoryShortfall(chip, mem);
  if (shortfall) reasons.push(shortfall);
  const metrics = finishMetrics(chip, w, r, { batch, chips: w.chips, memory: mem, fits: !shortfall });
  if (r.serving?.problem) reasons.push(r.serving.problem);
  reasons.push(...sloReasons(w, metrics));
  const e: Evaluation = { design: chip.name, workload: w.name, feasible: reasons.length === 0, reasons, metrics, memory: mem, phases: r.phases };
  if (r.serving) {
    const sv = r.serving;
    e.serving = { concurrency: batch, memoryLimit: 0, limitedBy: 'fixed', regime: sv.regime, mixedIterationSec: sv.mixedIterationSec, decodeIterationSec: sv.decodeIterationSec, mixedPerCycle: sv.mixedPerCycle, decodeOnlyPerCycle: sv.decodeOnlyPerCycle };
  }
  return e;
}

/** The workload's SLOs that the metrics miss, one line each. */
export function sloReasons(w: Workload, metrics: Metrics): string[] {
  const reasons: string[] = [];
  if (w.slo.ttftSec !== undefined && metrics.ttftSec > w.slo.ttftSec) reasons.push(`TTFT ${fmt(metrics.ttftSec)} s exceeds the SLO of ${w.slo.ttftSec} s`);
  if (w.slo.ttftP90Sec !== undefined && metrics.ttftP90Sec > w.slo.ttftP90Sec) reasons.push(`90th-percentile TTFT ${fmt(metrics.ttftP90Sec)} s exceeds the SLO of ${w.slo.ttftP90Sec} s`);
  if (w.slo.tpotSec !== undefined && metrics.tpotSec > w.slo.tpotSec) reasons.push(`time per output token ${fmt(metrics.tpotSec)} s exceeds the SLO of ${w.slo.tpotSec} s`);
  return reasons;
}

const fmt = (x: number) => (x >= 0.01 ? x.toFixed(3) : x.toExponential(2));
