import type { Workload } from '../workload/workload.js';
import type { ChipContext } from './context.js';
import { computeFormatOf, finishMetrics, type CycleResult } from './cycle.js';
import { memoryShortfall, placeMemory, placementFor } from './memory.js';
import { runPhase } from './phase.js';
import type { Evaluation } from './types.js';

/** A workload given as a trace file: its steps run once as one phase, on the memory the file states. */
export function evaluateTraceFile(cx: ChipContext, w: Workload): Evaluation {
  const chip = cx.chip;
  const tr = w.traceFile!;
  const mem = placeMemory(chip, { ...tr.memory, gradientBytes: 0, optimizerBytes: 0, drafterBytes: 0 });
  const placement = placementFor(w, mem);
  const phase = runPhase(cx, tr.name, tr.batch, tr.steps, placement);
  const reasons: string[] = [];
  const shortfall = memoryShortfall(chip, mem);
  if (shortfall) reasons.push(shortfall);
  const r: CycleResult = {
    phases: [phase],
    cycleSec: phase.timeSec,
    dynamicJ: phase.energyJ,
    tokensPerCycle: tr.tokens,
    ttftSec: 0,
    tpotSec: 0,
    latencySec: phase.timeSec,
    stepTimeSec: phase.timeSec,
    modelFlops: phase.steps.reduce((a, c) => a + 2 * c.macs, 0) * tr.chips,
    computeFormat: computeFormatOf(cx, w),
    boundBy: phase.boundBy,
    checkpointSec: 0,
  };
  const metrics = finishMetrics(chip, w, r, { batch: tr.batch, chips: tr.chips, memory: mem, fits: !shortfall });
  return { design: chip.name, workload: w.name, feasible: reasons.length === 0, reasons, metrics, memory: mem, phases: [phase] };
}
