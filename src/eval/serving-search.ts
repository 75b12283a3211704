import type { Chip } from '../chip/chip.js';
import type { Workload } from '../workload/workload.js';
import { evaluateBatch } from './batch.js';
import type { ChipContext } from './context.js';
import type { CycleFn, CycleLatencies, CycleResult, PhaseModel } from './cycle.js';
import { servingLimits, servingPlacement, type ServingMemoryParts } from './memory.js';
import { planOf, scheduleInput } from './serving.js';
import { closingProbe } from './serving-iteration.js';
import { workloadMemo } from './step-lists.js';
import type { Placement } from './step-cost.js';
import type { ConcurrencyLimit, Evaluation, ServingReport } from './types.js';

/** Upper bound of the concurrency search (sequences per replica). */
export const CONCURRENCY_SEARCH_MAX = 1 << 16;

/**
 * The most sequences per replica a serving engine can hold, and what sets that bound: memory (the
 * KV cache of each sequence), the token budget (each decoder takes q tokens of it every
 * iteration; a prefill-only engine gains nothing past one full budget of prompts), or the search
 * bound. At least the pipeline depth when anything fits.
 */
export function concurrencyBound(cx: ChipContext, w: Workload): { max: number; limitedBy: ConcurrencyLimit } {
  return boundOf(w, servingLimits(cx, w).limit);
}

/** concurrencyBound with the memory's limit given. */
function boundOf(w: Workload, memory: number): { max: number; limitedBy: ConcurrencyLimit } {
  const p = w.parallelism.pipeline;
  const B = w.serving.tokenBudget;
  const q = w.speculative ? w.speculative.draftTokens + 1 : 1;
  const prompt = Math.max(1, w.inputTokens * (1 - w.serving.prefixCacheHitRate));
  const budget = w.phase === 'serve' ? (Math.ceil(B / q) - 1) * p : w.phase === 'prefill' ? Math.ceil(B / prompt) * p : Infinity;
  let max = Math.min(memory, CONCURRENCY_SEARCH_MAX);
  let limitedBy: ConcurrencyLimit = memory <= CONCURRENCY_SEARCH_MAX ? 'memory' : 'search bound';
  if (budget < max) {
    max = budget;
    limitedBy = 'token budget';
  }
  return { max, limitedBy };
}

/**
 * By workload, what the plan of a probe at concurrency c says of its latencies (0: not yet known;
 * else PLAN_KNOWN and the flags that hold): whether its TTFT is free of the decode-only iteration's
 * time (no arrival waiting out a decode-only iteration); whether its TPOT is non-decreasing in the
 * mixed iteration's time (closedLoopTimes: TPOT = max(0, cycle - steady) / decode tokens, whose
 * mixed coefficient is mixedPerCycle - firstTokenIterations - arrivalWaitMixed); and whether its
 * TTFTs grow at most in proportion to the mixed iteration's time (the steady TTFT is that time
 * times firstTokenIterations + arrivalWaitMixed plus the decode-only time times arrivalWaitDecode,
 * the burst's ends that time times ownIterations and burstIterations, and the p90 is a quantile of
 * their mixture: with those counts at 0 or more, TTFT(r m) <= r TTFT(m) for r >= 1). The plan
 * depends on the workload and c alone, and the search asks about the same few hundred
 * concurrencies design after design (planning costs as much as 2.5 step costs).
 */
const planFlagsKnown = workloadMemo((): Uint8Array => new Uint8Array(CONCURRENCY_SEARCH_MAX + 1));
const PLAN_KNOWN = 1;
const TTFT_FREE_OF_DECODE = 2;
const TPOT_GROWS_WITH_MIXED = 4;
const TTFT_PROPORTIONAL_TO_MIXED = 8;

function planFlags(w: Workload, c: number): number {
  const known = planFlagsKnown(w);
  let v = known[c];
  if (v === 0) {
    const plan = planOf(w, scheduleInput(w, c));
    v = PLAN_KNOWN | (plan.arrivalWaitDecode === 0 ? TTFT_FREE_OF_DECODE : 0) | (plan.mixedPerCycle - plan.firstTokenIterations - plan.arrivalWaitMixed >= 0 ? TPOT_GROWS_WITH_MIXED : 0);
    if (plan.firstTokenIterations >= 0 && plan.arrivalWaitMixed >= 0 && plan.arrivalWaitDecode >= 0 && plan.ownIterations >= 0 && plan.burstIterations >= 0) v |= TTFT_PROPORTIONAL_TO_MIXED;
    if (c < known.length) known[c] = v;
  }
  return v;
}

const ttftFreeOfDecode = (w: Workload, c: number): boolean => (planFlags(w, c) & TTFT_FREE_OF_DECODE) !== 0;

/**
 * The margin by which latencies from bounds must decide a closing probe whose mixed iteration is
 * bounded (relative to the SLO): the schedule's arithmetic is monotone in the mixed time only up to
 * its rounding (TPOT is a difference of two sums that grow with it), a few ulps.
 */
const BOUNDED_MARGIN = 1e-9;

interface Probe {
  ok: boolean;
  /** Worst ratio of a latency to its SLO, minus 1 (<= 0 when every SLO holds). */
  excess: number;
  /** The smallest excess over 0 of an SLO (Infinity when none is missed): the guess for the SLO latest to bind. */
  least: number;
  violated: ConcurrencyLimit | undefined;
  /** Whether TPOT is the SLO with the largest excess. */
  tpotWorst: boolean;
}

/**
 * TPOT's share that does not grow with the concurrency, at a search's first guess (TPOT = a + b C:
 * a / TPOT): 0.164-0.192 (quartiles; median 0.179, 5-95% 0.12-0.21) over the 4,096 serve-auto
 * designs of bench/lib/serving-probes.mjs, measured through the first guess's excess and the
 * answer's (bench/NOTES.md, e20); 0.17 put the second guess on the answer most often (0.16: 2,427
 * designs, 0.17: 2,745, 0.18: 2,615 of 4,026). A guess only steers the search: the answer is the
 * bracket's whatever the share (the same on every design of inference-chip and both serving
 * workloads, and on five more workloads), and every shipped serving workload needs as many probes
 * as before or fewer.
 */
const TPOT_INTERCEPT_SHARE = 0.17;

/**
 * What a probe found, written over by every probe (a search reads each probe's record before it
 * makes the next: a record per probe cost ~240 B a design to allocate).
 */
const PROBE: Probe = { ok: false, excess: -1, least: Infinity, violated: undefined, tpotWorst: false };

function probe(w: Workload, r: CycleLatencies): Probe {
  const slo = w.slo;
  let excess = -1;
  let least = Infinity;
  let violated: ConcurrencyLimit | undefined;
  let worst: ConcurrencyLimit | undefined;
  // TPOT, TTFT and its p90 in turn: the worst excess and its SLO (named when missed), the least excess over 0.
  for (let i = 0; i < 3; i++) {
    const target = i === 0 ? slo.tpotSec : i === 1 ? slo.ttftSec : slo.ttftP90Sec;
    if (target === undefined) continue;
    const e = (i === 0 ? r.tpotSec : i === 1 ? r.ttftSec : r.ttftP90Sec) / target - 1;
    if (e > 0 && e < least) least = e;
    if (e > excess) {
      const name: ConcurrencyLimit = i === 0 ? 'tpot' : i === 1 ? 'ttft' : 'ttft p90';
      excess = e;
      worst = name;
      if (e > 0) violated = name;
    }
  }
  const o = PROBE;
  if (r.problem) {
    o.ok = false;
    o.excess = Math.max(excess, 1);
    o.least = Infinity;
    o.violated = 'token budget';
    o.tpotWorst = false;
  } else {
    o.ok = excess <= 0;
    o.excess = excess;
    o.least = least;
    o.violated = violated;
    o.tpotWorst = worst === 'tpot';
  }
  return o;
}

/**
 * Concurrency "auto": the highest concurrency that fits and meets the SLOs. Latencies grow with
 * the concurrency, so the answer is the memory (or budget) bound when that meets the SLOs, and
 * otherwise the integer C with every SLO met at C and one missed at C + 1. TPOT and TTFT grow
 * nearly linearly with C once the weights are read, so the search scales the bound by the SLO it
 * misses, then takes secant steps through its last two probes, kept inside the bracket of the
 * highest concurrency known good and the lowest known bad, bisecting when a step would leave it
 * (and always, past a budget of secant steps). Each probe costs one cycle (two iterations); only the chosen
 * concurrency is evaluated in full.
 */
export function evaluateServingAuto(cx: ChipContext, w: Workload, model: PhaseModel, cycle: CycleFn, detail: boolean): Evaluation {
  const chip = cx.chip;
  const { parts, limit } = servingLimits(cx, w);
  const bound = boundOf(w, limit);
  const p = w.parallelism.pipeline;
  if (bound.max < p) {
    const e = evaluateBatch(cx, w, model, cycle, p, detail);
    return withReport({ ...e, feasible: false, reasons: [...e.reasons, 'not one sequence per pipeline stage fits in memory'] }, bound.max, 'memory');
  }
  // (Module functions rather than closures over this call: no closure or context allocated per design.)
  const latencies = cycle.latencies ?? latenciesFrom(cycle);
  const top = probeAt(chip, w, parts, latencies, bound.max);
  if (top.ok) return withReport(evaluateBatch(cx, w, model, cycle, bound.max, detail), bound.max, bound.limitedBy);
  let lo = p - 1;
  let hi = bound.max;
  let violated = top.violated;
  let x0 = bound.max;
  let g0 = top.excess;
  // First guess: latency proportional to the concurrency, by the SLO missed most. That undershoots
  // where the bound's queueing inflates the TTFT, while the same guess by the SLO missed least
  // overshoots (a decode step reads the weights once whatever the concurrency: TPOT has an
  // intercept); their geometric mean starts the search nearer the answer (5.03 cycles per design
  // instead of 5.69 on bench/lib/serving-probes.mjs's designs). Only the probes change: the answer
  // is the bracket's, found below.
  let c = Math.floor(bound.max / (1 + Math.max(0, top.excess)));
  if (Number.isFinite(top.least)) c = Math.floor(Math.sqrt(c * (bound.max / (1 + top.least))));
  // Secant steps converge fast on these nearly linear, convex curves; past a budget of them (a
  // curve that is not), every step bisects, so the search always ends.
  let secantSteps = 2 * Math.ceil(Math.log2(bound.max + 1)) + 4;
  let first = true;
  // Whether the last step put the crossing below the next probe (so it is expected to miss, and the search to end there).
  let expectMiss = false;
  while (hi - lo > 1) {
    c = Math.min(hi - 1, Math.max(lo + 1, c));
    const r: Probe = expectMiss && c === lo + 1 && closingProbe.enabled ? closingAt(chip, w, parts, latencies, c) : probeAt(chip, w, parts, latencies, c);
    if (r.ok) lo = c;
    else {
      hi = c;
      violated = r.violated;
    }
    // Secant through the last two probes: the crossing x; the answer is the last good integer below it.
    // After the first guess, whose line to the bound crosses regimes, the guess scaled by its own
    // excess instead (for a latency affine in C with an intercept >= 0, a bound on the answer from
    // below when it holds, from above when it is missed): 4.84 cycles per design instead of 5.03.
    // Where TPOT is the SLO missed most (or met least), the line through the first guess with TPOT's
    // intercept share instead (TPOT_INTERCEPT_SHARE): the second guess is then the answer or one
    // above it for 74% of serve-auto's designs (16% before), 4.26 probes per design instead of 4.82.
    // (Not where that line stays above the SLO down to the highest concurrency known good.)
    const line = c * (1 - r.excess / ((1 + r.excess) * (1 - TPOT_INTERCEPT_SHARE)));
    const scaled = r.tpotWorst && line > lo ? line : c / (1 + r.excess);
    const x: number = first && r.excess > -1 ? scaled : r.excess !== g0 ? c - (r.excess * (c - x0)) / (r.excess - g0) : NaN;
    first = false;
    x0 = c;
    g0 = r.excess;
    expectMiss = x < lo + 1;
    if (secantSteps-- > 0 && x > lo && x < hi) c = Math.floor(x) <= lo ? lo + 1 : Math.floor(x);
    else c = Math.floor((Math.max(lo, p - 1) + hi + 1) / 2);
  }
  if (lo < p) {
    const e = evaluateBatch(cx, w, model, cycle, p, detail);
    return withReport({ ...e, feasible: false, reasons: [...e.reasons, 'no concurrency meets the SLO'] }, bound.max, violated ?? 'token budget');
  }
  return withReport(evaluateBatch(cx, w, model, cycle, lo, detail), bound.max, violated ?? 'tpot');
}

type LatenciesFn = (c: number, placement: Placement) => CycleLatencies;

/**
 * The last probe's placement, and its workload: the next probe's where its fields are the same
 * (servingPlacement's `same`), so that a probe allocates none (most designs' weights sit in the
 * same place at every concurrency; a Placement was ~100 B a probe). One object kept, no chip.
 */
let lastPlacement: Placement | undefined;
let lastPlacementOf: Workload | undefined;

function placementAt(chip: Chip, w: Workload, parts: ServingMemoryParts, c: number): Placement {
  const placement = servingPlacement(chip, w, parts, c, lastPlacementOf === w ? lastPlacement : undefined);
  lastPlacement = placement;
  lastPlacementOf = w;
  return placement;
}

/** A probe at concurrency c: the cycle's latencies against the SLOs. */
function probeAt(chip: Chip, w: Workload, parts: ServingMemoryParts, latencies: LatenciesFn, c: number): Probe {
  return probe(w, latencies(c, placementAt(chip, w, parts, c)));
}

/**
 * The closing probe, one above the highest concurrency known good: if it misses, the search ends
 * there, and only that it misses and the SLO it misses most (the report's limit) are read. Its
 * decode-only iteration is first bounded from below (IterationCoster.decodeLowerBound: the kept
 * cost at fewer decoders, for lists whose steps' times cannot fall with their counts); the
 * latencies from that bound decide it when TPOT misses by them and misses most, as it then does
 * at the costed time (TPOT grows with the decode-only iteration's time, and where the plan has
 * no arrival waiting out a decode-only iteration neither TTFT depends on it; the search never
 * probes past the memory bound, so no client queues), or when the token budget is what it misses
 * (that depends on no time). Otherwise the probe is costed after all. Tried only where the last
 * step put the crossing below the probe (it is expected to miss): on 3,655 of serve-auto's 4,096
 * designs it decides, and the step costs a design pays go from 61.9 to 51.2 (bench/NOTES.md, e25).
 *
 * Its mixed iteration's decoders-and-logits list (without a drafter) is bounded too, from below
 * and from above (IterationCoster.mixedBounds: the kept cost at C's counts, for lists whose steps'
 * times neither fall nor grow faster than their counts). Then the probe decides where TPOT grows
 * with the mixed iteration's time (its plan), misses with both iterations' lower bounds, and
 * misses by more than either TTFT scaled by the mixed iteration's upper over lower time
 * (closingProbe.mixedRatio; where the plan's TTFTs grow at most in proportion to the mixed time,
 * and do not depend on the decode-only time if that is bounded), each by BOUNDED_MARGIN: TPOT
 * then misses most at the costed times (bench/NOTES.md, e28).
 */
function closingAt(chip: Chip, w: Workload, parts: ServingMemoryParts, latencies: LatenciesFn, c: number): Probe {
  const slo = w.slo;
  const placement = placementAt(chip, w, parts, c);
  closingProbe.on = true;
  closingProbe.bounded = false;
  closingProbe.mixedBounded = false;
  try {
    const low = latencies(c, placement);
    const r = probe(w, low);
    if (!closingProbe.bounded && !closingProbe.mixedBounded) return r;
    if (r.violated === 'token budget') return r;
    if (!closingProbe.mixedBounded) {
      if (r.tpotWorst && r.excess > 0 && ttftFreeOfDecode(w, c)) return r;
    } else if (slo.tpotSec !== undefined) {
      const flags = planFlags(w, c);
      const tpot = low.tpotSec / slo.tpotSec - 1;
      const needed = TPOT_GROWS_WITH_MIXED | TTFT_PROPORTIONAL_TO_MIXED | (closingProbe.bounded ? TTFT_FREE_OF_DECODE : 0);
      if (tpot > BOUNDED_MARGIN && (flags & needed) === needed) {
        const ratio = closingProbe.mixedRatio;
        const ttft = slo.ttftSec === undefined ? -Infinity : (ratio * low.ttftSec) / slo.ttftSec - 1;
        const p90 = slo.ttftP90Sec === undefined ? -Infinity : (ratio * low.ttftP90Sec) / slo.ttftP90Sec - 1;
        // (r says TPOT is missed most: the TTFTs at the lower bounds are no larger than those.)
        if (tpot > ttft + BOUNDED_MARGIN && tpot > p90 + BOUNDED_MARGIN) return r;
      }
    }
  } finally {
    closingProbe.on = false;
  }
  // Costed after all, at the same placement.
  return probe(w, latencies(c, placement));
}

/** A cycle's latencies from its full result, for a model that offers no latencies of its own. */
function latenciesFrom(cycle: CycleFn): LatenciesFn {
  return (c, placement) => latenciesOf(cycle(c, placement, false));
}

function latenciesOf(r: CycleResult): CycleLatencies {
  return { ttftSec: r.ttftSec, tpotSec: r.tpotSec, ttftP90Sec: r.serving?.ttftP90Sec ?? r.ttftSec, problem: r.serving?.problem };
}

/**
 * The evaluation with its serving report (concurrency, its bound and what set it, the schedule),
 * written into it: `e` is the caller's own, just made (evaluationOf makes a new evaluation and
 * serving report every time), so nothing else sees it change (copying both cost ~300 B a design).
 */
export function withReport(e: Evaluation, memoryLimit: number, limitedBy: ConcurrencyLimit): Evaluation {
  const serving: ServingReport | undefined = e.serving;
  if (!serving) return e;
  serving.memoryLimit = memoryLimit;
  serving.limitedBy = limitedBy;
  return e;
}

/** A fixed concurrency: its report says so. */
export function evaluateServingFixed(cx: ChipContext, w: Workload, model: PhaseModel, cycle: CycleFn, batch: number, detail: boolean): Evaluation {
  const e = evaluateBatch(cx, w, model, cycle, batch, detail);
  return withReport(e, servingLimits(cx, w).limit, 'fixed');
}
