import { quantizationSnrDb } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { designReasons } from '../chip/buildability.js';
import type { Workload } from '../workload/workload.js';
import { evaluateAutoBatch } from './auto-batch.js';
import { evaluateBatch, phaseModelOf } from './batch.js';
import { ChipContext } from './context.js';
import { combineMix } from './mix.js';
import { StepError } from './step-cost.js';
import { evaluateServing } from './serving-evaluate.js';
import { evaluateServingFixed } from './serving-search.js';
import { evaluateTraceFile } from './trace-file.js';
import { zeroEnergy, type Evaluation, type Metrics } from './types.js';

export interface EvaluateOptions {
  /** Keep every step's cost in the phases (reports); a search sets it false for speed. */
  detail?: boolean;
}

/**
 * Evaluates a design on a workload: always returns an Evaluation, infeasible with reasons when it
 * cannot run. What it derives from the chip lives for this call only, so a chip changed between
 * two calls gives the changed answer. The workload is frozen (deeply) the first time it is
 * evaluated, if loading did not freeze it already: its step lists are built once and reused, so
 * change a copy of a workload, never the workload itself.
 */
export function evaluate(chip: Chip, w: Workload, opts: EvaluateOptions = {}): Evaluation {
  return evaluateOnChip(onChip(chip), w, opts);
}

/** What evaluate derives from a chip whatever the workload: its context and the design rules it breaks. */
export interface OnChip {
  cx: ChipContext;
  design: string[];
}

/**
 * A chip's context and design reasons, for evaluateOnChip on each of several workloads: only for a
 * chip nothing changes between those calls (evaluateGenome's own), as a context assumes (context.ts).
 */
export function onChip(chip: Chip): OnChip {
  return { cx: new ChipContext(chip), design: designReasons(chip) };
}

/** evaluate on a chip's OnChip: the same answer, its per-chip figures derived once for all the workloads it is given (bench/NOTES.md, e29). */
export function evaluateOnChip(on: OnChip, w: Workload, opts: EvaluateOptions = {}): Evaluation {
  const detail = opts.detail ?? true;
  const { cx, design } = on;
  const chip = cx.chip;
  if (w.mix) return combineMix(chip, w, w.mix.map((c) => ({ workload: c.workload.name, weight: c.weight, evaluation: evaluateOnChip(on, c.workload, { detail }) })));
  let e: Evaluation;
  try {
    if (w.traceFile) e = evaluateTraceFile(cx, w);
    else {
      const model = phaseModelOf(w);
      const cycle = model.cycles(cx, w);
      if (w.phase === 'train') e = w.batch === 'auto' ? evaluateAutoBatch(cx, w, model, cycle, detail) : evaluateBatch(cx, w, model, cycle, w.batch, detail);
      else e = evaluateServing(cx, w, model, cycle, detail);
    }
  } catch (err) {
    if (!(err instanceof StepError)) throw err;
    e = infeasible(chip, w, [err.message]);
  }
  if (design.length > 0) e = { ...e, feasible: false, reasons: [...design, ...e.reasons] };
  return e;
}

/** A model workload at one batch (for serving, sequences in flight per replica; for training, per step), whatever its own `batch` says. */
export function evaluateAtBatch(chip: Chip, w: Workload, batch: number, detail = true): Evaluation {
  const cx = new ChipContext(chip);
  const model = phaseModelOf(w);
  const cycle = model.cycles(cx, w);
  return w.phase === 'train' ? evaluateBatch(cx, w, model, cycle, batch, detail) : evaluateServingFixed(cx, w, model, cycle, batch, detail);
}

function infeasible(chip: Chip, w: Workload, reasons: string[]): Evaluation {
  const e = zeroEnergy();
  const metrics: Metrics = {
    tokensPerSec: 0, latencySec: 0, ttftSec: 0, tpotSec: 0, stepTimeSec: 0, mfu: 0,
    batch: typeof w.batch === 'number' ? w.batch : 0, energyJPerToken: 0, energyBreakdownJ: e, powerW: chip.energy.staticW, peakPowerW: chip.energy.staticW,
    areaMm2: chip.area.totalMm2, costUsd: chip.cost.totalUsd, tokensPerSecPerW: 0, usdPerMTokens: 0, tcoUsdPerChipHour: 0, tcoUsdPerMTokens: 0, boundBy: 'compute', fits: false,
    hbmUsedBytes: 0, memoryBytesPerChip: 0, quantizationSnrDb: quantizationSnrDb(w.precision.weights),
    interruptionIntervalHours: 0, goodput: 0, checkpointIntervalSec: 0, tokensPerSecPerUser: 0, tokensPerSecPerChip: 0, ttftP90Sec: 0,
  };
  return { design: chip.name, workload: w.name, feasible: false, reasons, metrics, memory: undefined, phases: [] };
}
