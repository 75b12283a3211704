import type { Workload } from '../workload/workload.js';
import { paramCounts } from '../workload/model.js';
import type { ChipContext } from './context.js';
import { computeFormatOf, dominantBound, type CycleFn, type CycleLatencies, type CycleResult, type PhaseModel, type ServingFigures } from './cycle.js';
import { queriesPerDecode, servingFootprint, servingLimits } from './memory.js';
import { computedPromptOf, IterationCoster } from './serving-iteration.js';
import { budgetProblem, closedLoopPlan, closedLoopPlanInto, closedLoopTimesInto, decodeOnlyPlan, newPlan, newTimes, prefillFirstPlan, prefillOnlyPlan, type IterationPlan, type ScheduleInput } from './serving-schedule.js';
import type { Placement } from './step-cost.js';
import { addDynamicEnergy, zeroEnergy, type PhaseCost } from './types.js';

/**
 * Serving as engines run it: continuous (in-flight) batching with chunked prefill under a token
 * budget, in steady state (serving-schedule.ts), each iteration costed from its steps
 * (serving-iteration.ts). `batch` is the concurrency: sequences in flight per replica.
 *
 * Phases: `serve` runs prefill and decode in the same iterations; `prefill` is a prefill-only
 * engine (requests leave after their first token: a disaggregated prefill pool), its throughput
 * in input tokens; `decode` is a decode-only engine (sequences arrive with their KV cache and make
 * all their output tokens: a disaggregated decode pool).
 */
export const CONTINUOUS_BATCHING: PhaseModel = {
  // Memory holds the sequences the engine admits (the rest of the clients queue).
  memory: (cx, w, batch) => {
    const { parts, limit } = servingLimits(cx, w);
    return servingFootprint(cx.chip, parts, Math.min(batch, Math.max(w.parallelism.pipeline, limit)));
  },
  cycles: (cx, w) => {
    let coster: IterationCoster | undefined;
    let at: Placement | undefined;
    const admitted = Math.max(w.parallelism.pipeline, servingLimits(cx, w).limit);
    // The coster keeps what does not change with the concurrency (a request's prefill attention), for one placement of the weights.
    const costerFor = (placement: Placement): IterationCoster => {
      if (!coster || !samePlacement(at, placement)) {
        coster = new IterationCoster(cx, w, placement);
        at = placement;
      }
      return coster;
    };
    const cycle: CycleFn = (batch, placement, detail) => servingCycle(cx, w, costerFor(placement), batch, Math.min(batch, admitted), detail);
    const latencies = (batch: number, placement: Placement) => cycleLatencies(w, costerFor(placement), batch, Math.min(batch, admitted));
    cycle.latencies = latencies;
    return cycle;
  },
};

function samePlacement(a: Placement | undefined, b: Placement): boolean {
  return a !== undefined && a.weightsInSram === b.weightsInSram && a.expertsInDramFraction === b.expertsInDramFraction && a.denseInDramFraction === b.denseInDramFraction;
}

/** The schedule input of a workload at `batch` sequences per replica (the pipeline's micro-batches share them). */
export function scheduleInput(w: Workload, batch: number): ScheduleInput {
  return scheduleInputInto(w, batch, newScheduleInput());
}

/** A schedule input to be written over: a class instance, for the reason serving-schedule.ts's plans are. */
class Input implements ScheduleInput {
  concurrency = NaN;
  computedPrompt = NaN;
  outputTokens = NaN;
  queries = NaN;
  tokensPerIteration = NaN;
  tokenBudget = NaN;
}

const newScheduleInput = (): ScheduleInput => new Input();

function scheduleInputInto(w: Workload, batch: number, x: ScheduleInput): ScheduleInput {
  const spec = w.speculative;
  const a = spec?.acceptanceRate ?? 0;
  x.concurrency = batch / w.parallelism.pipeline;
  x.computedPrompt = computedPromptOf(w);
  x.outputTokens = w.outputTokens;
  x.queries = queriesPerDecode(w);
  // Expected tokens per verification, Leviathan et al. 2023 eq. 1: (1 - a^(k+1)) / (1 - a).
  x.tokensPerIteration = spec ? (1 - a ** (spec.draftTokens + 1)) / (1 - a) : 1;
  x.tokenBudget = w.serving.tokenBudget;
  return x;
}

/**
 * What a cycle's schedule is written into, by a probe (cycleLatencies) and by the evaluation of
 * the answer (servingCycle, which reads them at once): one record of each for all of them, as
 * nothing keeps them past the call (IterationCoster reads an iteration's numbers; the results
 * copy what they report).
 */
const SCRATCH_INPUT = newScheduleInput();
const SCRATCH_PLAN = newPlan();
const SCRATCH_TIMES = newTimes();

/** The (frozen) workload whose figures SCRATCH_INPUT holds: between probes only the concurrency changes. */
let scratchFor: Workload | undefined;

/** scheduleInput(w, running), written into SCRATCH_INPUT. */
function scratchInput(w: Workload, running: number): ScheduleInput {
  if (scratchFor !== w) {
    scratchFor = w;
    return scheduleInputInto(w, running, SCRATCH_INPUT);
  }
  SCRATCH_INPUT.concurrency = running / w.parallelism.pipeline;
  return SCRATCH_INPUT;
}

/** The plan of a workload's schedule (planOf), the closed loop's written into SCRATCH_PLAN. */
function scratchPlan(w: Workload, x: ScheduleInput): IterationPlan {
  return w.phase === 'serve' && w.serving.schedule !== 'prefill-first' ? closedLoopPlanInto(x, SCRATCH_PLAN) : planOf(w, x);
}

export function planOf(w: Workload, x: ScheduleInput): IterationPlan {
  if (w.phase === 'prefill') return prefillOnlyPlan(x);
  if (w.phase === 'decode') return decodeOnlyPlan(x, true);
  return w.serving.schedule === 'prefill-first' ? prefillFirstPlan(x) : closedLoopPlan(x);
}

/**
 * The cycle of `batch` clients of which `running` fit in memory: the engine admits a request only
 * when its KV cache fits, so the others wait in its queue: by Little's law each request waits
 * (batch - running) / (running / cycle) for a place, which its TTFT includes. (Its times are read
 * at once from the scratch records, with no record of them between.)
 */
function servingCycle(cx: ChipContext, w: Workload, coster: IterationCoster, batch: number, running: number, detail: boolean): CycleResult {
  const x = scratchInput(w, running);
  const plan = scratchPlan(w, x);
  const problem = w.phase === 'serve' ? budgetProblem(x) : undefined;
  const mix = plan.mixedPerCycle > 0 ? coster.cost(plan.mixed, detail) : undefined;
  const dec = plan.decodeOnlyPerCycle > 0 ? coster.cost(plan.decodeOnly, detail) : undefined;
  const mixSec = mix ? mixedEngineSec(w, mix.timeSec) : 0;
  const decSec = dec ? decodeEngineSec(w, dec.timeSec) : 0;
  const times = closedLoopTimesInto(plan, mixSec, decSec, w.serving.requestsPerClient, SCRATCH_TIMES);
  const queueSec = running < batch ? ((batch - running) * times.cycleSec) / running : 0;
  // While clients queue, a cycle of all `batch` of them holds batch / running cycles of the engine.
  const cycles = batch / running;
  const iterations = { mixedPerCycle: plan.mixedPerCycle * cycles, decodeOnlyPerCycle: plan.decodeOnlyPerCycle * cycles };
  return cycleResult(cx, w, batch, iterations, mix, dec, times.cycleSec + queueSec, {
    ttftSec: times.ttftSec + queueSec,
    tpotSec: times.tpotSec,
    serving: {
      regime: plan.regime,
      ttftP90Sec: times.ttftP90Sec + queueSec,
      mixedIterationSec: mixSec,
      decodeIterationSec: decSec,
      mixedPerCycle: plan.mixedPerCycle,
      decodeOnlyPerCycle: plan.decodeOnlyPerCycle,
      problem,
      admitted: running,
    },
  });
}

/**
 * The latencies of the cycle servingCycle describes, as servingCycle and cycleResult report them,
 * from the iterations' times alone (a concurrency search's probe): the same arithmetic, without
 * the summed phases. The record is SCRATCH_LATENCIES, written over by the next call.
 */
function cycleLatencies(w: Workload, coster: IterationCoster, batch: number, running: number): CycleLatencies {
  const x = scratchInput(w, running);
  const plan = scratchPlan(w, x);
  const problem = w.phase === 'serve' ? budgetProblem(x) : undefined;
  const mixTime = plan.mixedPerCycle > 0 ? coster.timeOf(plan.mixed) : undefined;
  const decTime = plan.decodeOnlyPerCycle > 0 ? coster.timeOf(plan.decodeOnly) : undefined;
  const mixSec = mixTime !== undefined ? mixedEngineSec(w, mixTime) : 0;
  const decSec = decTime !== undefined ? decodeEngineSec(w, decTime) : 0;
  const times = closedLoopTimesInto(plan, mixSec, decSec, w.serving.requestsPerClient, SCRATCH_TIMES);
  const queueSec = running < batch ? ((batch - running) * times.cycleSec) / running : 0;
  const out = SCRATCH_LATENCIES;
  out.ttftSec = w.phase === 'decode' ? 0 : times.ttftSec + queueSec;
  out.tpotSec = w.phase === 'prefill' ? 0 : times.tpotSec;
  out.ttftP90Sec = times.ttftP90Sec + queueSec;
  out.problem = problem;
  return out;
}

/**
 * What cycleLatencies writes a probe's latencies into, for every probe (the concurrency search
 * reads each before it makes the next: a record with three boxed doubles a probe was ~450 B a
 * serve-auto design; bench/NOTES.md, e29). A class instance, for the reason the schedule's are.
 */
class Latencies implements CycleLatencies {
  ttftSec = NaN;
  tpotSec = NaN;
  ttftP90Sec = NaN;
  problem: string | undefined = undefined;
}

const SCRATCH_LATENCIES = new Latencies();

/**
 * A mixed iteration's time as the engine runs it: the accelerator's time plus the host's
 * per-iteration work, and an iteration that carries prompt tokens no shorter than the host takes to
 * launch its layers' kernels one by one (engines replay CUDA graphs for decode-only batches, not
 * for iterations with prefill chunks).
 */
function mixedEngineSec(w: Workload, accelSec: number): number {
  return Math.max(accelSec, w.serving.eagerLayerSec * w.model!.layers) + w.serving.iterationOverheadSec;
}

/** A decode-only iteration's time as the engine runs it (see mixedEngineSec): the accelerator's plus the host's per-iteration work. */
function decodeEngineSec(w: Workload, accelSec: number): number {
  return accelSec + w.serving.iterationOverheadSec;
}

/**
 * The cycle result of a serving plan: a cycle is the time in which every sequence of every replica
 * completes one request (the request latency, by Little's law), so the system makes
 * data x batch requests' tokens per cycle. Energy per chip is the plan's iterations' (every chip of
 * a replica runs its stage of each micro-batch's pass once per iteration).
 */
export function cycleResult(
  cx: ChipContext,
  w: Workload,
  batch: number,
  plan: Pick<IterationPlan, 'mixedPerCycle' | 'decodeOnlyPerCycle'>,
  mix: PhaseCost | undefined,
  dec: PhaseCost | undefined,
  cycleSec: number,
  t: { ttftSec: number; tpotSec: number; serving: ServingFigures },
): CycleResult {
  const d = w.parallelism.data;
  const requests = d * batch;
  const dyn = zeroEnergy();
  const phases: PhaseCost[] = [];
  const weights: number[] = [];
  if (mix) {
    addDynamicEnergy(dyn, mix.energyJ, plan.mixedPerCycle);
    phases.push(mix);
    weights.push(plan.mixedPerCycle * mix.timeSec);
  }
  if (dec) {
    addDynamicEnergy(dyn, dec.energyJ, plan.decodeOnlyPerCycle);
    phases.push(dec);
    weights.push(plan.decodeOnlyPerCycle * dec.timeSec);
  }
  const s = w.inputTokens;
  const o = w.outputTokens;
  const computed = computedPromptOf(w);
  const active = paramCounts(w.model!).activePerToken;
  const prefillOnly = w.phase === 'prefill';
  const tokensComputed = w.phase === 'serve' ? computed + o - 1 : prefillOnly ? computed : o;
  const ttftSec = w.phase === 'decode' ? 0 : t.ttftSec;
  const tpotSec = prefillOnly ? 0 : t.tpotSec;
  return {
    phases,
    cycleSec,
    dynamicJ: dyn,
    tokensPerCycle: requests * (prefillOnly ? s : o),
    ttftSec,
    tpotSec,
    latencySec: prefillOnly ? ttftSec : w.phase === 'decode' ? o * tpotSec : ttftSec + (o - 1) * tpotSec,
    stepTimeSec: 0,
    modelFlops: 2 * active * requests * tokensComputed,
    computeFormat: computeFormatOf(cx, w),
    boundBy: dominantBound(phases, weights),
    checkpointSec: 0,
    serving: t.serving,
  };
}
