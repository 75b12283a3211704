import { collectiveCost, groupShape } from '../src/interconnect/collectives.js';
import type { Interconnect } from '../src/chip/chip.js';
import { loadDesign } from '../src/chip/load.js';

const switch8: Interconnect = { topology: 'switch', shape: [8], linksPerChip: 18, linkBytesPerSec: 25e9, linkLatencySec: 1e-6, chipsPerPod: 8, efficiency: 1, crossSite: undefined, scaleOut: { bytesPerSec: 50e9, latencySec: 5e-6, pjPerBit: 10 } };
const torus: Interconnect = { topology: 'torus3d', shape: [4, 4, 4], linksPerChip: 6, linkBytesPerSec: 45e9, linkLatencySec: 1e-6, chipsPerPod: 64, efficiency: 1, crossSite: undefined, scaleOut: undefined };

const ok = (c: ReturnType<typeof collectiveCost>) => {
  if ('error' in c) throw new Error(c.error);
  return c;
};

describe('collectives, checked by hand', () => {
  test('ring all-reduce of 1 GB over an 8-chip NVLink switch: 2 (g-1)/g S / (18 x 25 GB/s) + 2 log2(8) alpha', () => {
    const c = ok(collectiveCost(switch8, 5, 'all-reduce', 1e9, 8));
    expect(c.timeSec).toBeCloseTo((2 * 7 / 8 * 1e9) / 450e9 + 2 * 3 * 1e-6, 12);
    // Bytes leave the chip and cross the switch: 2 link traversals each.
    expect(c.linkBytes).toBeCloseTo(2 * (2 * 7 / 8) * 1e9, 0);
    expect(c.energyJ).toBeCloseTo(c.linkBytes * 8 * 5e-12, 12);
  });

  test('small messages are latency-bound, large ones bandwidth-bound', () => {
    const tiny = ok(collectiveCost(switch8, 5, 'all-reduce', 1024, 8));
    expect(tiny.timeSec).toBeGreaterThan(0.9 * 6e-6);
    const big = ok(collectiveCost(switch8, 5, 'all-reduce', 8e9, 8));
    const bw = (2 * 7 / 8 * 8e9) / 450e9;
    expect(big.timeSec / bw).toBeLessThan(1.001);
  });

  test('all-gather and reduce-scatter each cost half an all-reduce in bandwidth', () => {
    const ar = ok(collectiveCost(switch8, 5, 'all-reduce', 4e9, 8));
    const ag = ok(collectiveCost(switch8, 5, 'all-gather', 4e9, 8));
    const rs = ok(collectiveCost(switch8, 5, 'reduce-scatter', 4e9, 8));
    expect(ag.timeSec + rs.timeSec).toBeCloseTo(ar.timeSec, 9);
  });

  test('3D torus: a 64-chip all-reduce drives all 3 dimensions, both directions, 6 x 45 GB/s', () => {
    expect(groupShape(torus, 64)).toEqual([4, 4, 4]);
    const c = ok(collectiveCost(torus, 5, 'all-reduce', 1e9, 64));
    expect(c.timeSec).toBeCloseTo((2 * 63 / 64 * 1e9) / (6 * 45e9) + 2 * 9 * 1e-6, 12);
  });

  test('a group is laid out as the most balanced sub-block: 12 chips of a 16^3 torus as 3x2x2', () => {
    expect(groupShape({ ...torus, shape: [16, 16, 16], chipsPerPod: 4096 }, 12)).toEqual([3, 2, 2]);
  });

  test('torus all-to-all is bisection-bound: a ring of 16 is slower than a switch of 16 with the same injection bandwidth', () => {
    const ring: Interconnect = { ...torus, topology: 'ring', shape: [16], linksPerChip: 2, chipsPerPod: 16 };
    const sw: Interconnect = { ...switch8, shape: [16], linksPerChip: 2, linkBytesPerSec: 45e9, chipsPerPod: 16 };
    expect(ok(collectiveCost(ring, 5, 'all-to-all', 1e9, 16)).timeSec).toBeGreaterThan(3 * ok(collectiveCost(sw, 5, 'all-to-all', 1e9, 16)).timeSec);
  });

  test('groups beyond a pod go hierarchical over the scale-out network, and fail without one', () => {
    const inPod = ok(collectiveCost(switch8, 5, 'all-reduce', 1e9, 8));
    const across = ok(collectiveCost(switch8, 5, 'all-reduce', 1e9, 16));
    expect(across.tier).toBe('scale-out');
    // Inside the pod: reduce-scatter + all-gather of 1 GB; across: all-reduce of 1/8 GB at 50 GB/s.
    const expected = (7 / 8 * 1e9) / 450e9 * 2 + 2 * 3e-6 + (2 * 0.5 * 1e9 / 8) / 50e9 + 2 * 1 * 5e-6;
    expect(across.timeSec).toBeCloseTo(expected, 9);
    expect(across.timeSec).toBeGreaterThan(inPod.timeSec);
    expect('error' in collectiveCost(torus, 5, 'all-reduce', 1e9, 128)).toBe(true);
  });

  test('measured anchor: NCCL all-reduce bus bandwidth on 8 A100 (~200-208 GB/s, nccl-tests issues #149, #178) within 10%', () => {
    const a100 = loadDesign('a100-sxm');
    const S = 1e9;
    const c = ok(collectiveCost(a100.interconnect, a100.energy.linkPjPerBit, 'all-reduce', S, 8));
    const busBw = (2 * 7 / 8 * S) / c.timeSec;
    expect(busBw / 204e9).toBeGreaterThan(0.9);
    expect(busBw / 204e9).toBeLessThan(1.1);
  });
});
