import { listDesignPresets, loadDesign } from '../src/chip/load.js';
import type { Chip } from '../src/chip/chip.js';
import { ChipContext } from '../src/eval/context.js';
import { podAllReduceGrowth } from '../src/eval/step-collective.js';
import { measureStep, newScratch, type Placement } from '../src/eval/step-cost.js';
import { FASTEST_ALL_REDUCE, type AllReducePolicy } from '../src/kernels/params.js';
import type { CollectiveStep } from '../src/workload/step.js';

/**
 * podAllReduceGrowth (src/eval/step-collective.ts) bounds from below how much longer a pod
 * all-reduce takes at more rows, without measuring it: the closing probe's decode-only bound keeps
 * the all-reduces' times at C plus that growth instead of measuring them at C + 1. The bound must
 * never exceed the measured growth: on every preset, under the preset's all-reduce policy, the
 * fastest algorithm and a thresholds policy, with no power limit, the preset's, and one tight
 * enough to bind; across the one- and two-shot token thresholds, group sizes and row sizes.
 */
const IN_POD: Placement = { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: {} };
const THRESHOLDS: AllReducePolicy = { selection: 'thresholds', oneShotMaxTokens: 64, twoShotMaxTokens: 512, oneShotMaxBytes: 1 << 20, twoShotMaxBytes: 8 << 20, maxRowCores: 8 };

function variants(chip: Chip): [string, Chip][] {
  const out: [string, Chip][] = [];
  for (const [pn, policy] of [['own', chip.kernels.allReduce], ['fastest', FASTEST_ALL_REDUCE], ['thresholds', THRESHOLDS]] as const) {
    // A power limit that binds: the static power plus a little.
    for (const [tn, tdpW] of [['no limit', undefined], ['own', chip.tdpW], ['tight', chip.energy.staticW + 5]] as const) {
      out.push([`${pn} policy, ${tn} TDP`, { ...chip, tdpW, kernels: { ...chip.kernels, allReduce: policy } }]);
    }
  }
  return out;
}

const PAIRS: [number, number][] = [
  [1, 2],
  [7, 8],
  [63.5, 64.5],
  [64, 65],
  [127, 128],
  [128, 129],
  [200.25, 201.25],
  [511, 512],
  [512, 513],
  [100, 700],
  [2047, 2048],
];

describe('podAllReduceGrowth never exceeds the measured growth', () => {
  test.each(listDesignPresets())('%s', (design) => {
    let bounded = 0;
    let positive = 0;
    for (const [, chip] of variants(loadDesign(design))) {
      const cx = new ChipContext(chip);
      for (const g of [2, 4, 8, 16]) {
        if (g > chip.interconnect.chipsPerPod) continue;
        for (const rowBytes of [0, 256, 8192, 16384]) {
          for (const [a, b] of PAIRS) {
            const row = rowBytes || 4096;
            const at = (tokens: number) => ({ kind: 'collective', name: 'attn all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: g, bytes: tokens * row, rowBytes, overlap: undefined, repeat: 80 }) as CollectiveStep;
            const was = newScratch();
            const now = newScratch();
            measureStep(cx, at(a), IN_POD, was);
            measureStep(cx, at(b), IN_POD, now);
            const growth = podAllReduceGrowth(cx, at(b), a * row, IN_POD);
            if (growth !== growth) continue;
            bounded++;
            expect(growth).toBeGreaterThanOrEqual(0);
            if (growth > 0) positive++;
            // The closing bound takes BOUND_ROUNDING_SLACK (1e-12) of the list off for rounding.
            expect(was.timeSec + growth).toBeLessThanOrEqual(now.timeSec * (1 + 1e-12));
          }
        }
      }
    }
    expect(bounded).toBeGreaterThan(0);
    expect(positive).toBeGreaterThan(0);
  });

  test('declines a change of algorithm set, fewer bytes, and a link energy per byte that can fall under a power limit', () => {
    const base = loadDesign('h100-sxm');
    const chip = { ...base, kernels: { ...base.kernels, allReduce: THRESHOLDS } };
    const cx = new ChipContext(chip);
    const s = (tokens: number) => ({ kind: 'collective', name: 'x', op: 'all-reduce', group: 'tensor', groupSize: 8, bytes: tokens * 8192, rowBytes: 8192, overlap: undefined, repeat: 1 }) as CollectiveStep;
    measureStep(cx, s(1), IN_POD, newScratch());
    expect(podAllReduceGrowth(cx, s(65), 64 * 8192, IN_POD)).toBeNaN();
    expect(podAllReduceGrowth(cx, s(64), 65 * 8192, IN_POD)).toBeNaN();
    expect(podAllReduceGrowth(cx, s(63), 62 * 8192, IN_POD)).toBeGreaterThanOrEqual(0);
    // The fastest algorithm on a switch may move from one-shot ((g-1) S on links) to another (2 (g-1)/g S).
    const fastest = new ChipContext({ ...base, tdpW: base.energy.staticW + 5, kernels: { ...base.kernels, allReduce: FASTEST_ALL_REDUCE } });
    measureStep(fastest, s(1), IN_POD, newScratch());
    expect(podAllReduceGrowth(fastest, s(63), 62 * 8192, IN_POD)).toBeNaN();
  });
});
