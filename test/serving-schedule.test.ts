import { closedLoopPlan, closedLoopPlanInto, closedLoopTimes, closedLoopTimesInto, decodeOnlyPlan, newPlan, newTimes, openLoop, prefillFirstPlan, prefillOnlyPlan, type ScheduleInput } from '../src/eval/serving-schedule.js';
import type { IterationContent } from '../src/eval/serving-iteration.js';

/** The schedule arithmetic of continuous batching (src/eval/serving-schedule.ts), on made-up iteration times. */

const base: ScheduleInput = { concurrency: 64, computedPrompt: 1024, outputTokens: 256, queries: 1, tokensPerIteration: 1, tokenBudget: 8192 };

describe('closed loop: the cohort schedule', () => {
  test('a plan and times written into one reused record (a search\'s probes) are the fresh ones, whatever regime was written before', () => {
    const plan = newPlan();
    const times = newTimes();
    // Synchronized, prefill-bound, decode-bound, synchronized again: every field of each regime written over the last one's.
    for (const concurrency of [8, 4096, 64, 2, 300, 8]) {
      const x = { ...base, concurrency };
      const fresh = closedLoopPlan(x);
      expect(closedLoopPlanInto(x, plan)).toBe(plan);
      expect({ ...plan, mixed: { ...plan.mixed }, decodeOnly: { ...plan.decodeOnly } }).toEqual(fresh);
      expect(Object.values(plan).every((v) => typeof v !== 'number' || !Number.isNaN(v))).toBe(true);
      expect(closedLoopTimesInto(plan, 0.2, 0.01, 10, times)).toEqual(closedLoopTimes(fresh, 0.2, 0.01, 10));
    }
    expect(new Set([8, 4096, 64].map((c) => closedLoopPlan({ ...base, concurrency: c }).regime))).toEqual(new Set(['synchronized', 'prefill-bound', 'decode-bound']));
  });

  test('all prompts in one iteration (C s <= B): one prefill iteration with no decoders, then o - 1 decode-only ones', () => {
    const p = closedLoopPlan({ ...base, concurrency: 8 });
    expect(p.regime).toBe('synchronized');
    expect(p.mixed).toEqual({ decoders: 0, prefillTokens: 8192, completions: 8 });
    expect(p.mixedPerCycle).toBe(1);
    expect(p.decodeOnlyPerCycle).toBe(255);
    const t = closedLoopTimes(p, 0.2, 0.01, undefined);
    // Static batching: TTFT is the whole cohort's prefill, TPOT one decode step.
    expect(t.ttftSec).toBeCloseTo(0.2, 12);
    expect(t.tpotSec).toBeCloseTo(0.01, 12);
  });

  test('decode-bound: every mixed iteration carries exactly the budget (prompt chunk + one token per decoder)', () => {
    const p = closedLoopPlan(base);
    expect(p.regime).toBe('decode-bound');
    expect(p.mixed.prefillTokens + base.queries * p.mixed.decoders).toBeCloseTo(base.tokenBudget, 9);
    // N_mix iterations prefill all C prompts each cycle.
    expect(p.mixedPerCycle * p.mixed.prefillTokens).toBeCloseTo(base.concurrency * base.computedPrompt, 6);
    // A cycle is a request's life: half an iteration of wait, its own prefill iteration, o - 1 decodes.
    expect(p.mixedPerCycle + p.decodeOnlyPerCycle).toBeCloseTo(0.5 + 1 + 255, 9);
  });

  test('a full budget is stated exactly: q n_d + B_p is B to the bit in both regimes (a search costs its token steps once)', () => {
    // Budgets of a power of two (the shipped 8192) and not; one and five tokens per decoder; prompts
    // longer and shorter than the budget.
    const regimes = new Set<string>();
    for (const tokenBudget of [8192, 2048, 6000]) {
      for (const queries of [1, 5]) {
        for (const computedPrompt of [1024, 3000, 9000]) {
          for (let concurrency = 1; concurrency < tokenBudget / queries; concurrency = Math.ceil(concurrency * 1.07)) {
            const p = closedLoopPlan({ ...base, concurrency, computedPrompt, queries, tokenBudget });
            const full = p.regime === 'prefill-bound' || (p.regime === 'decode-bound' && p.mixed.decoders > 0);
            if (!full) continue;
            regimes.add(p.regime);
            expect(queries * p.mixed.decoders + p.mixed.prefillTokens).toBe(tokenBudget);
          }
        }
      }
    }
    expect([...regimes].sort()).toEqual(['decode-bound', 'prefill-bound']);
  });

  test('prefill-bound: every iteration is mixed and full, I = C (s + q D) / B', () => {
    const x = { ...base, concurrency: 1024, computedPrompt: 4096, outputTokens: 64 };
    const p = closedLoopPlan(x);
    expect(p.regime).toBe('prefill-bound');
    expect(p.decodeOnlyPerCycle).toBe(0);
    expect(p.mixedPerCycle).toBeCloseTo((1024 * (4096 + 63)) / 8192, 9);
    expect(p.mixed.prefillTokens + p.mixed.decoders).toBeCloseTo(8192, 9);
    // A request waits for budget: its first token comes I - D iterations after it arrives.
    expect(p.firstTokenIterations).toBeCloseTo(p.mixedPerCycle - 63, 9);
  });

  test('the regimes meet: the plan is continuous in the concurrency at both boundaries', () => {
    const at = (c: number) => closedLoopPlan({ ...base, concurrency: c });
    // C s = B: synchronized on one side, chunked on the other.
    // Past it, the C w / I requests waiting out half an iteration (none wait when the whole cohort
    // arrives at an idle engine) leave the rest to prefill: N_mix = C / (C - C w / I) = 1 + w / (I - w).
    const [a, b] = [at(8), at(8 + 1e-9)];
    expect(b.mixedPerCycle / a.mixedPerCycle - 1).toBeCloseTo(0.5 / (256.5 - 0.5), 6);
    expect(b.mixedPerCycle).toBeGreaterThanOrEqual(a.mixedPerCycle);
    expect(b.mixed.prefillTokens / a.mixed.prefillTokens).toBeCloseTo(1, 2);
    expect(b.mixed.decoders).toBeCloseTo(0, 9);
    // Decode-bound to prefill-bound: find the crossing and compare the cycle length either side.
    const x = { ...base, computedPrompt: 4096, outputTokens: 64 };
    let lo = 8;
    let hi = 8192;
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (closedLoopPlan({ ...x, concurrency: mid }).regime === 'decode-bound') lo = mid;
      else hi = mid;
    }
    const below = closedLoopPlan({ ...x, concurrency: lo });
    const above = closedLoopPlan({ ...x, concurrency: hi });
    expect(above.regime).toBe('prefill-bound');
    expect(above.mixedPerCycle + above.decodeOnlyPerCycle).toBeCloseTo(below.mixedPerCycle + below.decodeOnlyPerCycle, 4);
    expect(above.mixed.decoders).toBeCloseTo(below.mixed.decoders, 4);
  });

  test('Little: in steady state the cycle (request latency) is TTFT + (o - 1) TPOT, in every regime', () => {
    for (const c of [4, 64, 512, 4096]) {
      const x = { ...base, concurrency: c, computedPrompt: 2048, outputTokens: 128 };
      const p = closedLoopPlan(x);
      const t = closedLoopTimes(p, 0.3, 0.02, undefined);
      expect(t.ttftSec + 127 * t.tpotSec).toBeCloseTo(t.cycleSec, 9);
    }
  });

  test('a measured run of R requests per client: 1/R of the requests see the first burst\u2019s staircase', () => {
    const p = closedLoopPlan({ ...base, concurrency: 128 });
    const steady = closedLoopTimes(p, 0.1, 0.01, undefined);
    const run = closedLoopTimes(p, 0.1, 0.01, 10);
    const burstMean = ((p.ownIterations + p.burstIterations) / 2) * 0.1;
    expect(run.ttftSec).toBeCloseTo(0.9 * steady.ttftSec + 0.1 * burstMean, 12);
    expect(run.ttftSec).toBeGreaterThan(steady.ttftSec);
    expect(run.ttftP90Sec).toBeGreaterThanOrEqual(run.ttftSec * 0.5);
    // TPOT is the steady state's either way (the cycle does not change).
    expect(run.cycleSec).toBe(steady.cycleSec);
  });

  test('speculative decoding: q tokens per decoder in the budget, tau tokens out per iteration', () => {
    const spec = closedLoopPlan({ ...base, queries: 5, tokensPerIteration: 3.36 });
    expect(spec.mixed.prefillTokens + 5 * spec.mixed.decoders).toBeCloseTo(8192, 9);
    expect(spec.mixedPerCycle + spec.decodeOnlyPerCycle).toBeCloseTo(0.5 + 1 + 255 / 3.36, 9);
  });
});

describe('closed loop on a prefill-first engine (SGLang: prompts in iterations of their own, ahead of decoding)', () => {
  test('a cohort of C prompts takes N = C s / B prompt-only iterations, then D decode-only ones; TTFT is the staircase mean', () => {
    const p = prefillFirstPlan(base);
    expect(p.regime).toBe('prefill-first');
    expect(p.mixed).toEqual({ decoders: 0, prefillTokens: 8192, completions: 8 });
    expect(p.mixedPerCycle).toBe(8);
    expect(p.decodeOnlyPerCycle).toBe(255);
    const t = closedLoopTimes(p, 0.2, 0.01, undefined);
    // The first of the cohort's 8 iterations gives 8 requests their first token, the last 8 more: (1 + 8) / 2 iterations on average.
    expect(t.ttftSec).toBeCloseTo(4.5 * 0.2, 12);
    // A request decodes after the prompt iterations behind its own: TPOT = T_dec + (N - 1) / 2 x T_p / (o - 1).
    expect(t.tpotSec).toBeCloseTo(0.01 + (3.5 * 0.2) / 255, 12);
    expect(t.ttftSec + 255 * t.tpotSec).toBeCloseTo(t.cycleSec, 12);
    // The same cycle with the prompts mixed into decode iterations: the first token comes sooner and each later token later.
    const m = closedLoopPlan(base);
    const mixed = closedLoopTimes(m, 0.2, 0.01, undefined);
    expect(mixed.ttftSec).toBeLessThan(t.ttftSec);
    expect(mixed.tpotSec).toBeGreaterThan(t.tpotSec);
  });

  test('a prompt longer than the budget is chunked over iterations of its own; a run of R requests sees the same staircase', () => {
    const p = prefillFirstPlan({ ...base, concurrency: 2, computedPrompt: 16384 });
    expect(p.ownIterations).toBe(2);
    expect(p.mixedPerCycle).toBe(4);
    expect(p.firstTokenIterations).toBe(3);
    expect(closedLoopTimes(p, 0.2, 0.01, 10).ttftSec).toBeCloseTo(closedLoopTimes(p, 0.2, 0.01, undefined).ttftSec, 12);
  });
});

describe('prefill-only and decode-only engines (the pools of disaggregated serving)', () => {
  test('prefill-only: prompts share full iterations; TTFT is the time in the engine', () => {
    const p = prefillOnlyPlan({ ...base, concurrency: 32, computedPrompt: 2048 });
    expect(p.mixedPerCycle).toBe(8);
    expect(p.mixed.prefillTokens).toBe(8192);
    const t = closedLoopTimes(p, 0.25, 0, undefined);
    expect(t.ttftSec).toBeCloseTo(2, 12);
    expect(t.cycleSec).toBeCloseTo(2, 12);
  });

  test('decode-only: every output token from a decode iteration', () => {
    const p = decodeOnlyPlan({ ...base, concurrency: 32 }, false);
    expect(p.decodeOnlyPerCycle).toBe(255);
    const t = closedLoopTimes(p, 0, 0.02, undefined);
    expect(t.ttftSec).toBe(0);
    expect(t.tpotSec).toBeCloseTo(0.02, 12);
  });
});

describe('open loop (Poisson arrivals)', () => {
  // An affine iteration: 10 ms of weights plus 20 us per token.
  const iteration = (it: IterationContent) => 0.01 + 20e-6 * (it.decoders + it.prefillTokens);
  const x = { computedPrompt: 1024, outputTokens: 128, queries: 1, tokensPerIteration: 1, tokenBudget: 8192 };

  test('the iteration time solves T = T_iter(rate D T, rate s T), and Little gives the concurrency', () => {
    const r = openLoop(x, 20, iteration);
    if ('error' in r) throw new Error(r.error);
    expect(r.iterationSec).toBeCloseTo(iteration(r.content), 9);
    expect(r.content.decoders).toBeCloseTo(20 * 127 * r.iterationSec, 9);
    expect(r.concurrency).toBeCloseTo(20 * (r.ttftSec + 127 * r.tpotSec), 9);
    expect(r.ttftP90Sec).toBeGreaterThan(r.ttftSec);
  });

  test('more load: longer iterations, a longer wait for budget; past the budget, no steady state', () => {
    const a = openLoop(x, 10, iteration);
    const b = openLoop(x, 40, iteration);
    if ('error' in a || 'error' in b) throw new Error('unexpected overload');
    expect(b.tpotSec).toBeGreaterThan(a.tpotSec);
    expect(b.ttftSec).toBeGreaterThan(a.ttftSec);
    expect(b.utilization).toBeGreaterThan(a.utilization);
    // Throughput of the engine is at most B tokens per iteration: 8192 / (1024 + 127) tokens per request.
    expect('error' in openLoop(x, 1e4, iteration)).toBe(true);
  });
});
