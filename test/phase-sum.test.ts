import { listDesignPresets, loadDesign } from '../src/chip/load.js';
import type { Chip } from '../src/chip/chip.js';
import { ChipContext } from '../src/eval/context.js';
import { evaluate } from '../src/eval/evaluate.js';
import { placementFor, servingFootprint, servingLimits } from '../src/eval/memory.js';
import { PhaseSum, runPhase } from '../src/eval/phase.js';
import { IterationCoster, summedFromTotals, type IterationContent } from '../src/eval/serving-iteration.js';
import { genomeAt } from '../src/search/algorithms.js';
import { chipForGenome } from '../src/search/design-template.js';
import { loadSpace } from '../src/search/space.js';
import { loadWorkload } from '../src/workload/load.js';

/**
 * IterationCoster.cost without detail sums a mixed iteration's parts from their kept totals
 * (PhaseSum.addTotals) instead of building a PhaseCost per part and adding those (addCost): the same
 * PhaseCost bit for bit, on every preset chip and sampled designs, for every shipped serving
 * workload (a drafter's parts included), and the same evaluations.
 */
const WORKLOADS = ['llama-3-70b-serve', 'llama-3-70b-serve-fp4', 'llama-3-8b-serve', 'llama-3-8b-decode', 'llama-3-8b-spec-decode', 'mixtral-8x7b-serve', 'deepseek-v3-serve', 'llama-3-70b-serve-disagg'];
const space = loadSpace('inference-chip');

function chips(): Chip[] {
  const out = listDesignPresets().map((name) => loadDesign(name));
  for (let i = 0; i < space.size; i += 997) {
    try {
      out.push(chipForGenome(space, genomeAt(space, i), `d${i}`));
    } catch {
      // not buildable
    }
  }
  return out;
}

/** Every number bit for bit (Object.is: -0 and NaN too), every other value equal, the same keys. */
function sameBits(a: unknown, b: unknown, at = ''): string | undefined {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b) ? undefined : `${at}: ${String(a)} against ${String(b)}`;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? undefined : `${at}: ${String(a)} against ${String(b)}`;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.join() !== kb.join()) return `${at}: keys ${ka.join()} against ${kb.join()}`;
  for (const k of ka) {
    const d = sameBits((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    if (d) return d;
  }
  return undefined;
}

function both<T>(f: () => T): [T, T] {
  const fast = f();
  summedFromTotals.enabled = false;
  try {
    return [fast, f()];
  } finally {
    summedFromTotals.enabled = true;
  }
}

/** Iteration contents: mixed with and without completions, prefill only, a decode-heavy mix. */
const CONTENTS: IterationContent[] = [
  { decoders: 7, prefillTokens: 1000, completions: 1 },
  { decoders: 64, prefillTokens: 512, completions: 0 },
  { decoders: 0, prefillTokens: 2048, completions: 2 },
  { decoders: 300, prefillTokens: 37.5, completions: 0.25 },
  { decoders: 5, prefillTokens: 0, completions: 3 },
];

describe('a mixed iteration summed from kept totals', () => {
  test('cost(it, false) is the sum of its parts built as PhaseCosts, bit for bit', () => {
    let compared = 0;
    for (const name of WORKLOADS) {
      const w = loadWorkload(name);
      if (w.mix) continue;
      for (const chip of chips()) {
        const cx = new ChipContext(chip);
        const { parts, limit } = servingLimits(cx, w);
        const placement = placementFor(w, servingFootprint(chip, parts, Math.max(w.parallelism.pipeline, Math.min(limit, 64))));
        for (const it of CONTENTS) {
          // A coster each (kept costs are per coster), the same calls on both.
          const [fast, general] = both(() => new IterationCoster(cx, w, placement).cost(it, false));
          const diff = sameBits(fast, general);
          if (diff) throw new Error(`${name} on ${chip.name} at ${JSON.stringify(it)}: ${diff}`);
          // And against a coster whose kept totals were costed before (the probe's case).
          const coster = new IterationCoster(cx, w, placement);
          coster.timeOf(it);
          const again = coster.cost(it, false);
          const d2 = sameBits(again, general);
          if (d2) throw new Error(`${name} on ${chip.name} at ${JSON.stringify(it)}, kept: ${d2}`);
          expect(fast.steps).toEqual([]);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  test('every shipped serving workload evaluates the same, bit for bit', () => {
    for (const name of WORKLOADS) {
      const w = loadWorkload(name);
      for (const chip of chips()) {
        const [fast, general] = both(() => evaluate(chip, w));
        const diff = sameBits(fast, general);
        if (diff) throw new Error(`${name} on ${chip.name}: ${diff}`);
      }
    }
  });

  test('PhaseSum takes no phase with steps, and each sum starts afresh', () => {
    const chip = loadDesign(listDesignPresets()[0]);
    const cx = new ChipContext(chip);
    const w = loadWorkload('llama-3-8b-serve');
    const coster = new IterationCoster(cx, w, placementFor(w, servingFootprint(chip, servingLimits(cx, w).parts, 8)));
    const detailed = coster.cost(CONTENTS[0], true);
    expect(detailed.steps.length).toBeGreaterThan(0);
    const s = new PhaseSum();
    expect(() => s.start(1).addCost(detailed, 1)).toThrow('without steps');
    const plain = runPhase(cx, 'x', 1, [], placementFor(w, servingFootprint(chip, servingLimits(cx, w).parts, 8)), false);
    s.start(2).addCost(plain, 3);
    const a = s.finish('a', 1);
    expect(a.peakPowerW).toBe(plain.peakPowerW);
    // start() clears the last sum: the same as a new record's.
    const b = s.start(2).finish('a', 1);
    expect(sameBits(b, new PhaseSum().start(2).finish('a', 1))).toBeUndefined();
    expect(b.timeSec).toBe(0);
    expect(b.peakPowerW).toBe(2);
    expect(a.steps).not.toBe(b.steps);
  });
});
