import { alphaForGini, busiestRank, giniOf, powerLaw, touchedExperts } from '../src/workload/moe-routing.js';
import { forwardPass } from '../src/workload/passes.js';
import { resolveModel } from '../src/workload/model.js';
import type { MatmulStep } from '../src/workload/step.js';

/** MoE routing (src/workload/moe-routing.ts): a power law of a given Gini, and the busiest expert-parallel rank. */

describe('expert popularity', () => {
  test('Gini of known distributions: 0 when uniform, (n - 1) / n when one expert takes everything', () => {
    expect(giniOf([1, 1, 1, 1])).toBeCloseTo(0, 12);
    expect(giniOf([0, 0, 0, 1])).toBeCloseTo(3 / 4, 12);
    // [1, 3]: mean absolute difference over all ordered pairs 1, over twice the mean 2: 0.25.
    expect(giniOf([1, 3])).toBeCloseTo(0.25, 12);
  });

  test('the power law fitted to a Gini has that Gini, and a steeper law a larger one', () => {
    for (const [E, g] of [[8, 0.1], [64, 0.2], [256, 0.3]] as const) {
      const a = alphaForGini(E, g);
      expect(giniOf(powerLaw(E, a))).toBeCloseTo(g, 9);
      expect(giniOf(powerLaw(E, a * 1.1))).toBeGreaterThan(g);
    }
    expect(alphaForGini(64, 0)).toBe(0);
  });
});

describe('the busiest expert-parallel rank', () => {
  test('balanced routing: each rank takes 1/e of the assignments, and touches E/e (1 - (1 - k/E)^n) experts', () => {
    const r = busiestRank(256, 16, 0);
    expect(r.share).toBeCloseTo(1 / 16, 12);
    expect(touchedExperts(r, 100, 8)).toBeCloseTo(16 * (1 - (1 - 8 / 256) ** 100), 9);
  });

  test('skewed routing: the rank holding the most popular expert takes more than 1/e, the more so the higher the Gini', () => {
    const a = busiestRank(256, 16, 0.2);
    const b = busiestRank(256, 16, 0.4);
    expect(a.share).toBeGreaterThan(1 / 16);
    expect(b.share).toBeGreaterThan(a.share);
    // Its share: the top expert plus E/e - 1 experts of the rest's mean popularity.
    expect(a.share).toBeCloseTo(a.pTop + 15 * (1 - a.pTop) / 255, 12);
    // One rank holding every expert takes everything whatever the skew.
    expect(busiestRank(256, 1, 0.4).share).toBe(1);
  });

  test('the pass runs the busiest rank: with skew its experts get more tokens, and the all-to-all carries more bytes', () => {
    const m = resolveModel('deepseek-v3', 'test');
    const prec = { weights: { format: 'fp8_e4m3', blockSize: 0, scaleBits: 0 }, activations: { format: 'bf16', blockSize: 0, scaleBits: 0 }, kvCache: { format: 'bf16', blockSize: 0, scaleBits: 0 } } as const;
    const pass = (gini: number | undefined) => forwardPass(m, { batch: 64, queries: 1, context: 4096, logitsTokens: 64 }, { tensor: 8, expert: 16 }, prec as never, gini === undefined ? undefined : { expertGini: gini });
    const work = (steps: ReturnType<typeof pass>) => {
      const up = steps.find((s) => s.name.startsWith('moe experts up')) as MatmulStep;
      const a2a = steps.find((s) => s.name === 'moe dispatch all-to-all (EP)')!;
      return { assignments: up.m * up.count, bytes: a2a.kind === 'collective' ? a2a.bytes : 0 };
    };
    const uniform = work(pass(undefined));
    expect(work(pass(0))).toEqual(uniform);
    const skewed = work(pass(0.3));
    const share = busiestRank(256, 16, 0.3).share;
    expect(skewed.assignments / uniform.assignments).toBeCloseTo(share * 16, 9);
    expect(skewed.bytes / uniform.bytes).toBeCloseTo(share * 16, 9);
  });
});
