import type { IterationContent } from './serving-iteration.js';

/**
 * How a continuous-batching engine schedules its iterations in steady state, as arithmetic on
 * iteration times (no chip in here). The engine rule is the one vLLM's v1 scheduler and
 * TensorRT-LLM's in-flight batching share: every iteration first gives each running sequence its
 * decode token(s), then fills the rest of a token budget B with prompt chunks, oldest request first;
 * a request's first output token comes with its last chunk. (NVIDIA AIConfigurator models the same
 * fused pass, sdk/closed_loop_ttft.py, Apache-2.0; the formulas below are ours.)
 *
 * Everything here is per micro-batch of a replica; its iteration is a pass through all layers.
 *
 * Symbols: C sequences in flight, s_c prompt tokens computed per request (prefix-cache hits
 * skipped), q tokens per decoder per iteration (1, or k drafted + 1), tau output tokens a decoder
 * gains per iteration (1, or Leviathan et al.'s (1 - a^(k+1)) / (1 - a)), D = (o - 1) / tau decode
 * iterations per request, T_mix and T_dec the times of a mixed and a decode-only iteration.
 */
export interface ScheduleInput {
  concurrency: number;
  computedPrompt: number;
  outputTokens: number;
  queries: number;
  tokensPerIteration: number;
  tokenBudget: number;
}

export type ScheduleRegime = 'synchronized' | 'decode-bound' | 'prefill-bound' | 'prefill-first' | 'prefill-only' | 'decode-only';

/** The iterations of one cycle: the time in which each of the C sequences completes one request. */
export interface IterationPlan {
  regime: ScheduleRegime;
  mixed: IterationContent;
  mixedPerCycle: number;
  decodeOnly: IterationContent;
  decodeOnlyPerCycle: number;
  /** Iterations from a request's arrival to its first token: waiting for budget, then its own chunks. */
  firstTokenIterations: number;
  /** Mixed iterations a prompt's own chunks take (c_own). */
  ownIterations: number;
  /**
   * Iterations a new request waits for before it is scheduled, mixed and decode-only: the one
   * under way when it arrives (its client's turnaround lets the iteration after its predecessor's
   * last start without it). None when the whole cohort arrives at an idle engine.
   */
  arrivalWaitMixed: number;
  arrivalWaitDecode: number;
  /** Iterations the first burst of C simultaneous requests takes to prefill (a benchmark's start). */
  burstIterations: number;
  /** Output tokens each sequence gets from decode iterations per cycle (after the first token, which its prefill makes). */
  decodeTokens: number;
}

/**
 * Iterations a new request waits for the one under way: the mean residual life of an iteration
 * its arrival falls in at random (a client's turnaround is unrelated to the iteration clock).
 */
const RESIDUAL = 0.5;

/** Why a concurrency cannot be scheduled, or undefined. */
export function budgetProblem(x: ScheduleInput): string | undefined {
  if (x.queries * x.concurrency >= x.tokenBudget) {
    return `${x.concurrency} sequences x ${x.queries} token${x.queries > 1 ? 's' : ''} per decode leave nothing of the ${x.tokenBudget}-token iteration budget for prompts`;
  }
  return undefined;
}

/**
 * Closed loop (a client per sequence sends its next request when the last one ends, as serving
 * benchmarks run at fixed concurrency) with fixed prompt and output lengths. Requests that arrive
 * together stay together (cohorts): each cycle the prompts of all C requests are prefilled in
 * N_mix = C s_c / B_p mixed iterations, each carrying B_p = B - q n_d prompt tokens beside the
 * n_d sequences decoding at the time, and the rest of the cycle is decode-only.
 *
 * - C s_c <= B: all prompts fit one iteration; the cohort is prefilled, then decoded together
 *   (static batching is the special case): one prefill iteration and D decode-only ones.
 * - otherwise, decode-bound (N_mix <= 1/2 + c_own + D, with c_own = max(1, s_c / B_p)
 *   iterations to prefill one prompt): a cycle has 1/2 + c_own + D iterations, N_mix of them
 *   mixed, each with m_p = C c_own / N_mix requests prefilling and C - m_p decoding. A new request
 *   waits out the iteration under way when it arrives (a client takes a moment to send its next
 *   request and the engine starts its next iteration at once: the next cohort's mixed one, when
 *   there is a next cohort), on average half of it, then its own c_own: TTFT = T/2 + c_own T_mix.
 * - prefill-bound (N_mix > 1/2 + c_own + D): every iteration is mixed and full, so a cycle of I
 *   iterations carries C (s_c + q D) = I B tokens: I = C (s_c + q D) / B, each iteration with
 *   C D / I decoders; a request waits I - D - c_own iterations for budget.
 */
export function closedLoopPlan(x: ScheduleInput): IterationPlan {
  return closedLoopPlanInto(x, newPlan());
}

/**
 * A plan to be written over (closedLoopPlanInto). Class instances, not literals: literals with the
 * same keys share hidden classes with every other build in the heap (a paired benchmark's
 * baseline), whose field representations these writes would change (bench/NOTES.md, e21's trap).
 */
class Content implements IterationContent {
  decoders = NaN;
  prefillTokens = NaN;
  completions = NaN;
}

class Plan implements IterationPlan {
  regime: ScheduleRegime = 'synchronized';
  mixed = new Content();
  mixedPerCycle = NaN;
  decodeOnly = new Content();
  decodeOnlyPerCycle = NaN;
  firstTokenIterations = NaN;
  ownIterations = NaN;
  arrivalWaitMixed = NaN;
  arrivalWaitDecode = NaN;
  burstIterations = NaN;
  decodeTokens = NaN;
}

class Times implements ScheduleTimes {
  cycleSec = NaN;
  ttftSec = NaN;
  ttftP90Sec = NaN;
  tpotSec = NaN;
}

export const newPlan = (): IterationPlan => new Plan();
export const newTimes = (): ScheduleTimes => new Times();

function setContent(it: IterationContent, decoders: number, prefillTokens: number, completions: number): void {
  it.decoders = decoders;
  it.prefillTokens = prefillTokens;
  it.completions = completions;
}

/**
 * closedLoopPlan written into `out` (its own two IterationContents too), every field: a
 * concurrency search's probes reuse one record (serving.ts, cycleLatencies) instead of three
 * objects of 14 numbers a probe.
 */
export function closedLoopPlanInto(x: ScheduleInput, out: IterationPlan): IterationPlan {
  const C = x.concurrency;
  const sc = Math.max(x.computedPrompt, 1e-9);
  const q = x.queries;
  const B = x.tokenBudget;
  const D = Math.max(0, x.outputTokens - 1) / x.tokensPerIteration;
  const decodeTokens = Math.max(0, x.outputTokens - 1);
  out.decodeTokens = decodeTokens;
  if (C * sc <= B) {
    out.regime = 'synchronized';
    setContent(out.mixed, 0, C * sc, C);
    out.mixedPerCycle = 1;
    setContent(out.decodeOnly, C, 0, 0);
    out.decodeOnlyPerCycle = D;
    out.firstTokenIterations = 1;
    out.ownIterations = 1;
    out.arrivalWaitMixed = 0;
    out.arrivalWaitDecode = 0;
    out.burstIterations = 1;
    return out;
  }
  // Prompt tokens per mixed iteration: B_p = B - q n_d, with n_d = C - m_p - C w / I decoders beside
  // the m_p requests prefilling and the C w / I waiting to be scheduled (w = half an iteration of a
  // cycle of I = c_own + D + w). A prompt longer than B_p is one request in chunks (m_p = 1); shorter
  // prompts fill B_p (m_p = B_p / s_c). c_own = s_c / B_p makes the long-prompt case implicit in B_p:
  // a few fixed-point steps settle it.
  const w = RESIDUAL;
  let Bp = 0;
  let prefilling = 1;
  let own = 1;
  // Whether the mixed iterations fill the budget (all but the case where every request not waiting is prefilling).
  let full = true;
  for (let i = 0; i < 4; i++) {
    const waiting = (C * w) / (own + D + w);
    Bp = sc > q ? (B - q * (C - waiting)) / (1 - q / sc) : 0;
    prefilling = Bp / sc;
    full = true;
    if (prefilling > C - waiting) {
      // Every request not waiting is prefilling (just past the point where all prompts fit one iteration).
      prefilling = C - waiting;
      Bp = prefilling * sc;
      full = false;
    }
    if (Bp < sc) {
      Bp = B - q * (C - 1 - waiting);
      prefilling = 1;
      full = true;
    }
    const next = Math.max(1, sc / Bp);
    if (next === own) break;
    own = next;
  }
  const nMix = (C * sc) / Bp;
  if (nMix <= own + D + w) {
    const I = own + D + w;
    const waiting = (C * w) / I;
    // A new request waits out the rest of the iteration under way (on average half of it: the renewal
    // residual of AIConfigurator's closed form), the next cohort's mixed one when there is a next cohort.
    const waitMixed = w * Math.min(1, Math.max(0, nMix - 1));
    const decoders = Math.max(0, C - prefilling - waiting);
    out.regime = 'decode-bound';
    // A full budget's prompt tokens stated as B - q n_d, as the prefill-bound plan states them (B_p
    // from the fixed point is that up to rounding), so that its iteration's tokens q n_d + B_p come
    // to B in both regimes and a concurrency search costs the full budget's token steps once.
    setContent(out.mixed, decoders, full ? B - q * decoders : Bp, prefilling / own);
    out.mixedPerCycle = nMix;
    setContent(out.decodeOnly, C - waiting, 0, 0);
    out.decodeOnlyPerCycle = I - nMix;
    out.firstTokenIterations = own;
    out.ownIterations = own;
    out.arrivalWaitMixed = waitMixed;
    out.arrivalWaitDecode = w - waitMixed;
    out.burstIterations = nMix;
    return out;
  }
  const I = (C * (sc + q * D)) / B;
  const decoders = (C * D) / I;
  const P = B - q * decoders;
  out.regime = 'prefill-bound';
  setContent(out.mixed, decoders, P, C / I);
  out.mixedPerCycle = I;
  setContent(out.decodeOnly, C, 0, 0);
  out.decodeOnlyPerCycle = 0;
  out.firstTokenIterations = I - D;
  out.ownIterations = Math.max(1, sc / P);
  out.arrivalWaitMixed = 0;
  out.arrivalWaitDecode = 0;
  out.burstIterations = (C * sc) / P;
  return out;
}

/**
 * Closed loop on an engine that runs prompts in iterations of their own, ahead of decoding (SGLang's
 * default: its scheduler runs a prefill batch whenever waiting requests fit one, up to
 * chunked_prefill_size tokens, and mixes prompts into decode batches only with
 * --enable-mixed-chunk; sglang/srt/managers/scheduler.py, get_next_batch_to_run). A cohort of C
 * requests that arrives together is prefilled in N_p = C s_c / P iterations of P = min(B, C s_c)
 * prompt tokens while decoding waits, then decodes in D decode-only iterations; its requests end
 * together and their clients send the next cohort at once, so the cohort persists. A request's
 * first token comes on the staircase of those iterations, (c_own + N_p) / 2 of them on average, and
 * the prompt iterations after its own lengthen its decode (TPOT = (cycle - TTFT) / (o - 1)).
 */
export function prefillFirstPlan(x: ScheduleInput): IterationPlan {
  const C = x.concurrency;
  const sc = Math.max(x.computedPrompt, 1e-9);
  const P = Math.min(x.tokenBudget, C * sc);
  const N = (C * sc) / P;
  const own = Math.max(1, sc / P);
  const D = Math.max(0, x.outputTokens - 1) / x.tokensPerIteration;
  return {
    regime: 'prefill-first',
    mixed: { decoders: 0, prefillTokens: P, completions: C / N },
    mixedPerCycle: N,
    decodeOnly: { decoders: C, prefillTokens: 0, completions: 0 },
    decodeOnlyPerCycle: D,
    firstTokenIterations: (own + N) / 2,
    ownIterations: own,
    arrivalWaitMixed: 0,
    arrivalWaitDecode: 0,
    burstIterations: N,
    decodeTokens: Math.max(0, x.outputTokens - 1),
  };
}

/** A prefill-only engine (a disaggregated prefill pool): C prompts share full iterations of the budget, first come first served. */
export function prefillOnlyPlan(x: ScheduleInput): IterationPlan {
  const C = x.concurrency;
  const sc = Math.max(x.computedPrompt, 1e-9);
  const P = Math.min(x.tokenBudget, C * sc);
  const I = (C * sc) / P;
  const none = { decoders: 0, prefillTokens: 0, completions: 0 };
  return { regime: 'prefill-only', mixed: { decoders: 0, prefillTokens: P, completions: C / I }, mixedPerCycle: I, decodeOnly: none, decodeOnlyPerCycle: 0, firstTokenIterations: I, ownIterations: Math.max(1, sc / P), arrivalWaitMixed: 0, arrivalWaitDecode: 0, burstIterations: I, decodeTokens: 0 };
}

/** A decode-only engine (a disaggregated decode pool): C sequences arrive with their KV cache and decode all `outputTokens`. */
export function decodeOnlyPlan(x: ScheduleInput, includesFirstToken: boolean): IterationPlan {
  const tokens = includesFirstToken ? x.outputTokens : Math.max(0, x.outputTokens - 1);
  const none = { decoders: 0, prefillTokens: 0, completions: 0 };
  return { regime: 'decode-only', mixed: none, mixedPerCycle: 0, decodeOnly: { decoders: x.concurrency, prefillTokens: 0, completions: 0 }, decodeOnlyPerCycle: tokens / x.tokensPerIteration, firstTokenIterations: 0, ownIterations: 0, arrivalWaitMixed: 0, arrivalWaitDecode: 0, burstIterations: 0, decodeTokens: tokens };
}

export interface ScheduleTimes {
  /** Time for each sequence to complete one request (Little: latency = C / request rate). */
  cycleSec: number;
  ttftSec: number;
  ttftP90Sec: number;
  tpotSec: number;
}

/**
 * Times of a closed-loop plan. In steady state a request arrives as its predecessor ends (at the end
 * of an iteration) and waits `firstTokenIterations` mixed iterations for its first token. The
 * cycle is the plan's iterations; by Little's law the cycle is the request latency, so
 * TPOT = (cycle - TTFT) / (o - 1), the closed-loop identity C / X = TTFT + (o - 1) TPOT (X the
 * request rate; the identity AIConfigurator's closed-loop refinement keeps). A measured run of R
 * requests per client starts with all C requests at once: that first burst's TTFT is the mean of
 * the staircase its prefill climbs, ((N_burst + c_own) / 2) mixed iterations, and it is 1/R of
 * the requests (p90 from the mixture of the steady value and the staircase, uniform).
 */
export function closedLoopTimes(plan: IterationPlan, mixSec: number, decSec: number, requestsPerClient: number | undefined): ScheduleTimes {
  return closedLoopTimesInto(plan, mixSec, decSec, requestsPerClient, new Times());
}

/** closedLoopTimes written into `out` (a concurrency search's probes reuse one record). */
export function closedLoopTimesInto(plan: IterationPlan, mixSec: number, decSec: number, requestsPerClient: number | undefined, out: ScheduleTimes): ScheduleTimes {
  const cycleSec = plan.mixedPerCycle * mixSec + plan.decodeOnlyPerCycle * decSec;
  const steady = plan.firstTokenIterations * mixSec + plan.arrivalWaitMixed * mixSec + plan.arrivalWaitDecode * decSec;
  const burstLo = plan.ownIterations * mixSec;
  const burstHi = Math.max(burstLo, plan.burstIterations * mixSec);
  const burstShare = requestsPerClient !== undefined && plan.regime !== 'decode-only' ? Math.min(1, 1 / requestsPerClient) : 0;
  const ttftSec = (1 - burstShare) * steady + (burstShare * (burstLo + burstHi)) / 2;
  const ttftP90Sec = mixtureQuantile(0.9, steady, burstShare, burstLo, burstHi);
  out.cycleSec = cycleSec;
  out.ttftSec = ttftSec;
  out.ttftP90Sec = ttftP90Sec;
  out.tpotSec = plan.decodeTokens > 0 ? Math.max(0, cycleSec - steady) / plan.decodeTokens : 0;
  return out;
}

/** The p-quantile of a mixture: a point mass at `at` (weight 1 - w) and a uniform on [lo, hi] (weight w). */
function mixtureQuantile(p: number, at: number, w: number, lo: number, hi: number): number {
  if (w <= 0 || hi <= lo) return w > 0 ? Math.max(at, hi) : at;
  // Cumulative share at x: (1 - w) [x >= at] + w (x - lo) / (hi - lo), increasing in x.
  const cdf = (x: number) => (x >= at ? 1 - w : 0) + w * Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
  let a = Math.min(at, lo);
  let b = Math.max(at, hi);
  for (let i = 0; i < 50; i++) {
    const mid = (a + b) / 2;
    if (cdf(mid) >= p) b = mid;
    else a = mid;
  }
  return b;
}

/**
 * Open loop: Poisson arrivals at `ratePerSec` per micro-batch. Prompts arrive one by one, so every
 * iteration carries, on average, the decode tokens of the n_d = rate D T sequences decoding and
 * P = rate s_c T prompt tokens (a fluid mean: the mean of iteration times is taken as the time of
 * the mean iteration, which the convexity of the roofline makes slightly optimistic). T solves
 * T = T_iter(n_d(T), P(T)). A request waits for the end of the iteration under way (on average
 * T / 2, the residual life of deterministic iterations), for budget (M/D/1: the prompt budget
 * B_p = B - q n_d is a server of utilization rho = P / B_p, Pollaczek-Khinchine's
 * W = rho S / (2 (1 - rho)) with S = s_c T / B_p), then for its own c_own iterations. The p90 takes
 * the wait exponential with the same mean given a wait (P(W > t) = rho exp(-t rho / W)). By Little,
 * the sequences in flight are rate x latency.
 */
export interface OpenLoopResult {
  iterationSec: number;
  content: IterationContent;
  ttftSec: number;
  ttftP90Sec: number;
  tpotSec: number;
  concurrency: number;
  utilization: number;
}

export function openLoop(x: Omit<ScheduleInput, 'concurrency'>, ratePerSec: number, iterationSec: (it: IterationContent) => number): OpenLoopResult | { error: string } {
  const sc = Math.max(x.computedPrompt, 1e-9);
  const D = Math.max(0, x.outputTokens - 1) / x.tokensPerIteration;
  const content = (T: number): IterationContent => ({ decoders: ratePerSec * D * T, prefillTokens: ratePerSec * sc * T, completions: ratePerSec * T });
  // The budget is full at T_full = B / (rate (s_c + q D)); beyond it the queue grows without bound.
  const tFull = x.tokenBudget / (ratePerSec * (sc + x.queries * D));
  const excess = (T: number) => iterationSec(content(T)) - T;
  if (excess(tFull) >= 0) return { error: `${ratePerSec.toPrecision(3)} requests/s per micro-batch is more than the engine serves (an iteration would need more than its ${x.tokenBudget}-token budget)` };
  let lo = 0;
  let hi = tFull;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (excess(mid) > 0) lo = mid;
    else hi = mid;
  }
  const T = hi;
  const it = content(T);
  const Bp = x.tokenBudget - x.queries * it.decoders;
  const rho = it.prefillTokens / Bp;
  const own = Math.max(1, sc / Bp) * T;
  const S = (sc / Bp) * T;
  const wait = (rho * S) / (2 * (1 - rho));
  const ttftSec = T / 2 + wait + own;
  const tail = rho > 0.1 && wait > 0 ? (wait / rho) * Math.log(rho / 0.1) : 0;
  const ttftP90Sec = 0.9 * T + tail + own;
  const tpotSec = T;
  const concurrency = ratePerSec * (ttftSec + Math.max(0, x.outputTokens - 1) * tpotSec);
  return { iterationSec: T, content: it, ttftSec, ttftP90Sec, tpotSec, concurrency, utilization: rho };
}
