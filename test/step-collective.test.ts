import { listDesignPresets, loadDesign } from '../src/chip/load.js';
import { ChipContext } from '../src/eval/context.js';
import { podAllReduceTimes } from '../src/eval/step-collective.js';
import { measureStep, newScratch, type Placement, type StepScratch } from '../src/eval/step-cost.js';
import type { CollectiveStep } from '../src/workload/step.js';

/**
 * The pod all-reduce's fast path (src/eval/step-collective.ts) repeats measureStep's arithmetic for
 * the all-reduces a concurrency search measures afresh at every count: it must give the same bits,
 * on every preset (switches, tori, fully connected pods; with and without a power limit; every
 * all-reduce policy), across the token thresholds of the one- and two-shot kernels and group sizes,
 * and decline what it does not cover.
 */
const fields = (o: StepScratch) => [o.timeSec, o.boundBy, o.eCompute, o.eSram, o.eHbm, o.eInterconnect];
const IN_POD: Placement = { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: {} };

describe('podAllReduceTimes gives measureStep\'s bits', () => {
  test.each(listDesignPresets())('%s', (design) => {
    const chip = loadDesign(design);
    let fast = 0;
    for (const g of [2, 4, 8, 16]) {
      // cx: measureStep first (its fabric built by collectiveCost); own: the fast path first, on a
      // context of its own (the fabric built by the fast path itself at the first step).
      const cx = new ChipContext(chip);
      const own = new ChipContext(chip);
      for (const rowBytes of [0, 256, 8192, 16384]) {
        for (const tokens of [1, 7, 64, 127.5, 128, 129, 300.25, 2048, 8192]) {
          const s = { kind: 'collective', name: 'attn all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: g, bytes: tokens * (rowBytes || 4096), rowBytes, overlap: undefined, repeat: 80 } as CollectiveStep;
          const first = newScratch();
          const took = podAllReduceTimes(own, s, IN_POD, first);
          const full = newScratch();
          let error = false;
          try {
            measureStep(cx, s, IN_POD, full);
          } catch {
            error = true;
          }
          const quick = newScratch();
          if (!podAllReduceTimes(cx, s, IN_POD, quick)) {
            // Only a group larger than the pod (or one measureStep could not run) is declined.
            expect(error || g > chip.interconnect.chipsPerPod).toBe(true);
            expect(took).toBe(false);
            continue;
          }
          expect(error).toBe(false);
          expect(took).toBe(true);
          fields(quick).forEach((v, i) => expect(Object.is(v, fields(full)[i])).toBe(true));
          fields(first).forEach((v, i) => expect(Object.is(v, fields(full)[i])).toBe(true));
          fast++;
        }
      }
      // The fabric the fast path built is the one collectiveCost builds.
      expect(own.fabrics.get(g)).toEqual(cx.fabrics.get(g));
    }
    expect(fast).toBeGreaterThan(0);
  });

  test('declines what it does not cover: another op, a group that leaves the pod, no bytes', () => {
    const chip = loadDesign('h100-sxm');
    const s = { kind: 'collective', name: 'attn all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: 8, bytes: 1 << 20, rowBytes: 8192, overlap: undefined, repeat: 1 } as CollectiveStep;
    const cx = new ChipContext(chip);
    const o = newScratch();
    // No fabric built yet: the fast path builds it (into the context, as collectiveCost would).
    expect(cx.fabrics.has(8)).toBe(false);
    expect(podAllReduceTimes(cx, s, IN_POD, o)).toBe(true);
    expect(cx.fabrics.has(8)).toBe(true);
    expect(podAllReduceTimes(cx, { ...s, op: 'all-gather' }, IN_POD, o)).toBe(false);
    expect(podAllReduceTimes(cx, s, { ...IN_POD, innerChips: { tensor: 64 } }, o)).toBe(false);
    expect(podAllReduceTimes(cx, { ...s, bytes: 0 }, IN_POD, o)).toBe(false);
  });
});
