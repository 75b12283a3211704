import type { Workload } from '../workload/workload.js';
import type { ChipContext } from './context.js';
import { finishMetrics, type CycleFn, type PhaseModel } from './cycle.js';
import { memoryShortfall, placementFor } from './memory.js';
import { STATIC_BATCHING } from './serving.js';
import { PIPELINED_TRAINING } from './training.js';
import type { Evaluation } from './types.js';

/** The model of a workload's kind of work: training, or serving (prefill, decode, both). */
export function phaseModelOf(w: Workload): PhaseModel {
  return w.phase === 'train' ? PIPELINED_TRAINING : STATIC_BATCHING;
}

/**
 * A workload at one batch: its memory, the cycle its phase model runs, the metrics of that cycle,
 * and why it is infeasible (memory, SLOs), if it is.
 */
export function evaluateBatch(cx: ChipContext, w: Workload, model: PhaseModel, cycle: CycleFn, batch: number, detail: boolean): Evaluation {
  const chip = cx.chip;
  const mem = model.memory(chip, w, batch);
  const placement = placementFor(w, mem);
  const reasons: string[] = [];
  const shortfall = memoryShortfall(chip, mem);
  if (shortfall) reasons.push(shortfall);
  const r = cycle(batch, placement, detail);
  const metrics = finishMetrics(chip, w, r, { batch, chips: w.chips, memory: mem, fits: !shortfall });
  if (w.slo.ttftSec !== undefined && metrics.ttftSec > w.slo.ttftSec) reasons.push(`TTFT ${fmt(metrics.ttftSec)} s exceeds the SLO of ${w.slo.ttftSec} s`);
  if (w.slo.tpotSec !== undefined && metrics.tpotSec > w.slo.tpotSec) reasons.push(`time per output token ${fmt(metrics.tpotSec)} s exceeds the SLO of ${w.slo.tpotSec} s`);
  return { design: chip.name, workload: w.name, feasible: reasons.length === 0, reasons, metrics, memory: mem, phases: r.phases };
}

const fmt = (x: number) => (x >= 0.01 ? x.toFixed(3) : x.toExponential(2));
