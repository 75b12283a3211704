import { listDesignPresets, loadDesign } from '../src/chip/load.js';
import type { Chip } from '../src/chip/chip.js';
import { ChipContext } from '../src/eval/context.js';
import { placementFor, servingFootprint, servingLimits } from '../src/eval/memory.js';
import { planOf, scheduleInput } from '../src/eval/serving.js';
import { closedLoopTimes } from '../src/eval/serving-schedule.js';
import { closingProbe, IterationCoster } from '../src/eval/serving-iteration.js';
import { GROWN } from '../src/eval/step-bound.js';
import { evaluate } from '../src/eval/evaluate.js';
import { runPhase } from '../src/eval/phase.js';
import type { Placement } from '../src/eval/step-cost.js';
import type { ScaledSteps } from '../src/eval/step-lists.js';
import { genomeAt } from '../src/search/algorithms.js';
import { chipForGenome } from '../src/search/design-template.js';
import { loadSpace } from '../src/search/space.js';
import { loadWorkload } from '../src/workload/load.js';

/**
 * A concurrency search's closing probe also bounds its mixed iteration's decoders-and-logits list
 * (IterationCoster.mixedBounds, grownBounds in src/eval/step-bound.ts), from below and from above.
 * The bounds must hold around the costed time on every preset chip and on sampled designs, the
 * schedule must make TPOT grow with the mixed time where the search says it does, and the answers
 * must be the ones the search gives costing every probe (test/closing-bound.test.ts compares every
 * design of inference-chip with the bounds off; here with the mixed bound alone off).
 */
const space = loadSpace('inference-chip');
const WORKLOADS = ['llama-3-70b-serve', 'llama-3-70b-serve-fp4', 'llama-3-8b-serve', 'mixtral-8x7b-serve', 'deepseek-v3-serve'];

function chips(step: number): Chip[] {
  const out: Chip[] = [];
  for (let i = 0; i < space.size; i += step) {
    try {
      out.push(chipForGenome(space, genomeAt(space, i), 'x'));
    } catch {
      // not buildable: no design to evaluate
    }
  }
  return out;
}

const presets = (): Chip[] => listDesignPresets().map((name) => loadDesign(name));

/** The decoders-and-logits time at (d, l) costed, and its bounds from (d0, l0) (NaN where not certain). */
function around(cx: ChipContext, placement: Placement, d0: number, l0: number, d: number, l: number) {
  const coster = new IterationCoster(cx, w70(), placement);
  return boundsOf(cx, coster, placement, d0, l0, d, l);
}

function boundsOf(cx: ChipContext, coster: IterationCoster, placement: Placement, d0: number, l0: number, d: number, l: number) {
  // A mixed iteration of d0 decoders and l0 - d0 completions keeps (d0, l0) in the coster.
  coster.timeOf({ decoders: d0, prefillTokens: 1000, completions: l0 - d0 });
  const certain = coster.mixedBounds(d, l);
  const lower = certain ? GROWN.lower : NaN;
  const upper = certain ? GROWN.upper : NaN;
  const list = (coster as unknown as { lists: { decodersAndLogits: ScaledSteps } }).lists.decodersAndLogits;
  const exact = runPhase(cx, 'decoders and logits', d, list.at(d, l), placement, false).timeSec;
  return { lower, upper, exact };
}

const w70 = () => loadWorkload('llama-3-70b-serve');

describe('closing probe: the mixed iteration bounded', () => {
  test('the bounds hold around the costed decoders-and-logits time, on every preset chip and sampled designs', () => {
    let bounded = 0;
    let uncertain = 0;
    let checked = 0;
    for (const ref of WORKLOADS) {
      const w = loadWorkload(ref);
      for (const chip of [...presets(), ...chips(211)]) {
        const cx = new ChipContext(chip);
        const { parts, limit } = servingLimits(cx, w);
        const placement = placementFor(w, servingFootprint(chip, parts, Math.max(1, Math.min(limit, 256))));
        // Decoders and logits of a full budget's mixed iteration with one or more completions; steps that cross tile and split boundaries and steps that do not.
        for (const [d0, extra] of [[1, 1], [63.5, 2], [100, 1.3], [127, 3], [250.2, 1], [511, 4]]) {
          for (const step of [0.4, 1, 3.3, 40]) {
            const { lower, upper, exact } = boundsOf(cx, new IterationCoster(cx, w, placement), placement, d0, d0 + extra, d0 + step, d0 + extra + step);
            checked++;
            expect(Number.isNaN(lower)).toBe(Number.isNaN(upper));
            if (Number.isNaN(lower)) {
              uncertain++;
              continue;
            }
            bounded++;
            expect(lower).toBeLessThanOrEqual(exact);
            expect(upper).toBeGreaterThanOrEqual(exact);
            expect(upper).toBeGreaterThanOrEqual(lower);
          }
        }
      }
    }
    expect(bounded).toBeGreaterThan(0.3 * checked);
    expect(uncertain).toBeGreaterThan(0);
  });

  test('the upper bound is the kept time times the largest count ratio: tight at one more decoder', () => {
    const w = loadWorkload('llama-3-70b-serve');
    let tight = 0;
    for (const chip of chips(997)) {
      const cx = new ChipContext(chip);
      const { parts, limit } = servingLimits(cx, w);
      const placement = placementFor(w, servingFootprint(chip, parts, Math.max(1, Math.min(limit, 256))));
      const { lower, upper, exact } = around(cx, placement, 200, 201, 201, 202);
      if (Number.isNaN(upper)) continue;
      // Within 1% of the costed time either way (201/200 at most).
      expect(upper).toBeLessThan(exact * 1.01);
      expect(lower).toBeGreaterThan(exact * 0.99);
      tight++;
    }
    expect(tight).toBeGreaterThan(0);
  });

  test('the schedule: TPOT grows with the mixed time, and the TTFTs at most in proportion to it, where the plan says so', () => {
    let grows = 0;
    let proportional = 0;
    const base = loadWorkload('llama-3-70b-serve');
    // requestsPerClient makes the first burst's staircase part of TTFT and its p90.
    for (const w of [base, { ...base, serving: { ...base.serving, requestsPerClient: 4 } }, loadWorkload('llama-3-8b-serve'), loadWorkload('llama-3-8b-decode')]) {
      for (let c = 1; c < 4000; c = Math.ceil(c * 1.13)) {
        const plan = planOf(w, scheduleInput(w, c));
        const times = (mix: number) => closedLoopTimes(plan, mix, 0.01, w.serving.requestsPerClient);
        const at = times(0.02);
        const t0 = { ...at };
        for (const r of [1.0001, 1.01, 1.5, 150]) {
          const t = times(0.02 * r);
          if (plan.mixedPerCycle - plan.firstTokenIterations - plan.arrivalWaitMixed >= 0) {
            grows++;
            expect(t.tpotSec).toBeGreaterThanOrEqual(t0.tpotSec);
          }
          if (plan.firstTokenIterations >= 0 && plan.arrivalWaitMixed >= 0 && plan.arrivalWaitDecode >= 0 && plan.ownIterations >= 0 && plan.burstIterations >= 0) {
            proportional++;
            expect(t.ttftSec).toBeLessThanOrEqual(r * t0.ttftSec * (1 + 1e-12));
            expect(t.ttftP90Sec).toBeLessThanOrEqual(r * t0.ttftP90Sec * (1 + 1e-12));
            expect(t.ttftSec).toBeGreaterThanOrEqual(t0.ttftSec);
          }
        }
      }
    }
    expect(grows).toBeGreaterThan(0);
    expect(proportional).toBeGreaterThan(0);
  });

  test('the same evaluations with the mixed bound as without it, on sampled designs of five serving workloads and two SLOs that TTFT sets', () => {
    const all = chips(7);
    let decided = 0;
    let tried = 0;
    const w70 = loadWorkload('llama-3-70b-serve');
    // TTFT sets the answer of about half of the designs at 0.3 s, and its p90 some at 0.6 s: the worst SLO's name must be the costed one.
    const tighter = [
      { ...w70, slo: { ttftSec: 0.3, tpotSec: 0.05 } },
      { ...w70, slo: { ttftSec: 2, ttftP90Sec: 0.6, tpotSec: 0.05 } },
    ];
    for (const w of [...WORKLOADS.map((ref) => loadWorkload(ref)), ...tighter]) {
      for (const chip of all) {
        closingProbe.mixed = false;
        let reference: string;
        try {
          reference = JSON.stringify(evaluate(chip, w, { detail: false }));
        } finally {
          closingProbe.mixed = true;
        }
        closingProbe.mixedBounded = false;
        const e = evaluate(chip, w, { detail: false });
        if (closingProbe.mixedBounded) decided++;
        tried++;
        expect(JSON.stringify(e)).toBe(reference);
      }
    }
    // The mixed bound is used on most designs (every serve-auto design ends on a closing probe).
    expect(decided).toBeGreaterThan(0.5 * tried);
  });
});
