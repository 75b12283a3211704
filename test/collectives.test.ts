import seedrandom from 'seedrandom';
import { cachedPodFabric, collectiveCost, groupShape } from '../src/interconnect/collectives.js';
import { oneShotCoreBytes } from '../src/kernels/collective-laws.js';
import { collectiveReport } from '../src/commands/collective.js';
import type { Interconnect } from '../src/chip/chip.js';
import type { AllReducePolicy, KernelParams } from '../src/kernels/params.js';
import { loadDesign } from '../src/chip/load.js';

const switch8: Interconnect = { topology: 'switch', shape: [8], linksPerChip: 18, linkBytesPerSec: 25e9, linkLatencySec: 1e-6, chipsPerPod: 8, efficiency: 1, inSwitchReduction: false, crossSite: undefined, scaleOut: { bytesPerSec: 50e9, latencySec: 5e-6, pjPerBit: 10 } };
const torus: Interconnect = { topology: 'torus3d', shape: [4, 4, 4], linksPerChip: 6, linkBytesPerSec: 45e9, linkLatencySec: 1e-6, chipsPerPod: 64, efficiency: 1, inSwitchReduction: false, crossSite: undefined, scaleOut: undefined };

/** Round numbers for hand computation (not the fitted ones). */
const LAWS: KernelParams['collectives'] = {
  ring: { startSec: 5e-6, stepSec: 1e-6, busEfficiency: 0.8 },
  ringLowLatency: { startSec: 4e-6, stepSec: 1e-6, busEfficiency: 0.2 },
  tree: { startSec: 5e-6, stepSec: 1e-6, busEfficiency: 0.8 },
  oneShot: { startSec: 3e-6, stepSec: 0, busEfficiency: 0.5, coreSecPerByte: 0 },
  twoShot: { startSec: 10e-6, stepSec: 0, busEfficiency: 0.7 },
  inSwitch: { startSec: 8e-6, stepSec: 0, busEfficiency: 0.6 },
  allToAll: { startSec: 6e-6, stepSec: 0, busEfficiency: 0.7 },
};

const ok = (c: ReturnType<typeof collectiveCost>) => {
  if ('error' in c) throw new Error(c.error);
  return c;
};
const cost = (ic: Interconnect, op: Parameters<typeof collectiveCost>[2], bytes: number, g: number, laws = LAWS) => ok(collectiveCost(ic, 5, op, bytes, g, 1, laws));

describe('collectives, checked by hand (alpha-beta per algorithm)', () => {
  test('1 GB all-reduce over an 8-chip switch: the ring, start + 2 (g-1) (step + hop) + 2 (g-1)/g S / (18 x 25 GB/s x 0.8)', () => {
    const c = cost(switch8, 'all-reduce', 1e9, 8);
    const ring = 5e-6 + 2 * 7 * (1e-6 + 1e-6) + (2 * (7 / 8) * 1e9) / (450e9 * 0.8);
    const twoShot = 10e-6 + (2 * (7 / 8) * 1e9) / (450e9 * 0.7);
    expect(ring).toBeLessThan(twoShot);
    expect(c.timeSec).toBeCloseTo(ring, 12);
    // Bytes leave the chip and cross the switch: 2 link traversals each.
    expect(c.linkBytes).toBeCloseTo(2 * (2 * 7 / 8) * 1e9, 0);
    expect(c.energyJ).toBeCloseTo(c.linkBytes * 8 * 5e-12, 12);
  });

  test('a 1 KiB all-reduce takes the one-shot kernel: its start-up, not 14 ring steps', () => {
    const c = cost(switch8, 'all-reduce', 1024, 8);
    expect(c.timeSec).toBeCloseTo(3e-6 + (7 * 1024) / (450e9 * 0.5), 12);
  });

  test('in-switch reduction (NVLink SHARP style) sends each byte once up and once down: a large all-reduce gets faster, only with the feature', () => {
    const withSharp: Interconnect = { ...switch8, inSwitchReduction: true };
    const S = 4e9;
    expect(cost(withSharp, 'all-reduce', S, 8).timeSec).toBeCloseTo(8e-6 + S / (450e9 * 0.6), 12);
    expect(cost(withSharp, 'all-reduce', S, 8).timeSec).toBeLessThan(0.8 * cost(switch8, 'all-reduce', S, 8).timeSec);
    // All-gather has nothing to reduce: unchanged.
    expect(cost(withSharp, 'all-gather', S, 8).timeSec).toBe(cost(switch8, 'all-gather', S, 8).timeSec);
  });

  test('all-gather and reduce-scatter are each one ring phase: together an all-reduce plus one more start-up', () => {
    const ar = cost(switch8, 'all-reduce', 4e9, 8);
    const ag = cost(switch8, 'all-gather', 4e9, 8);
    const rs = cost(switch8, 'reduce-scatter', 4e9, 8);
    expect(ag.timeSec + rs.timeSec).toBeCloseTo(ar.timeSec + LAWS.ring.startSec, 9);
  });

  test('3D torus: a 64-chip all-reduce drives all 3 dimensions, both directions, 6 x 45 GB/s, over 9 ring steps a phase', () => {
    expect(groupShape(torus, 64)).toEqual([4, 4, 4]);
    const c = cost(torus, 'all-reduce', 1e9, 64);
    expect(c.timeSec).toBeCloseTo(5e-6 + 2 * 9 * 2e-6 + (2 * 63 / 64 * 1e9) / (6 * 45e9 * 0.8), 12);
  });

  test('a group is laid out as the most balanced sub-block: 12 chips of a 16^3 torus as 3x2x2', () => {
    expect(groupShape({ ...torus, shape: [16, 16, 16], chipsPerPod: 4096 }, 12)).toEqual([3, 2, 2]);
  });

  test('torus all-to-all is bisection-bound: a ring of 16 is slower than a switch of 16 with the same injection bandwidth', () => {
    const ring: Interconnect = { ...torus, topology: 'ring', shape: [16], linksPerChip: 2, chipsPerPod: 16 };
    const sw: Interconnect = { ...switch8, shape: [16], linksPerChip: 2, linkBytesPerSec: 45e9, chipsPerPod: 16 };
    expect(cost(ring, 'all-to-all', 1e9, 16).timeSec).toBeGreaterThan(3 * cost(sw, 'all-to-all', 1e9, 16).timeSec);
  });

  test('groups beyond a pod go hierarchical over the scale-out network (ring or tree there), and fail without one', () => {
    const inPod = cost(switch8, 'all-reduce', 1e9, 8);
    const across = cost(switch8, 'all-reduce', 1e9, 16);
    expect(across.tier).toBe('scale-out');
    // Inside the pod: ring reduce-scatter and all-gather of 1 GB; across 2 pods: a tree all-reduce of 1/8 GB at 50 GB/s.
    const podPhase = 5e-6 + 7 * 2e-6 + ((7 / 8) * 1e9) / (450e9 * 0.8);
    const outer = 5e-6 + 2 * 1 * (1e-6 + 5e-6) + (2 * 0.5 * 1e9) / 8 / (50e9 * 0.8);
    expect(across.timeSec).toBeCloseTo(2 * podPhase + outer, 9);
    expect(across.timeSec).toBeGreaterThan(inPod.timeSec);
    expect('error' in collectiveCost(torus, 5, 'all-reduce', 1e9, 128, 1, LAWS)).toBe(true);
  });

  test('invariant: no collective is faster than the start-up of the fastest algorithm it may use, nor than its bytes at full link rate', () => {
    const rng = seedrandom('alpha');
    for (let i = 0; i < 300; i++) {
      const ic = rng() < 0.5 ? { ...switch8, inSwitchReduction: rng() < 0.5 } : torus;
      const g = ic === torus ? 2 + Math.floor(rng() * 62) : 2 + Math.floor(rng() * 6);
      const S = 2 ** (8 + rng() * 24);
      const c = cost(ic, 'all-reduce', S, g);
      const alpha = Math.min(...Object.values(LAWS).map((l) => l.startSec));
      expect(c.timeSec).toBeGreaterThanOrEqual(alpha);
      const bandwidth = ic.topology === 'switch' ? ic.linksPerChip * ic.linkBytesPerSec : 6 * 45e9;
      const fewestBytes = ic.topology === 'switch' && ic.inSwitchReduction ? S : (2 * (g - 1) * S) / g;
      expect(c.timeSec).toBeGreaterThan(fewestBytes / bandwidth);
    }
  });
});

describe('collectives against measured NCCL (NVIDIA AIConfigurator tables, Apache-2.0; shared/reference/measured/README.md sanity checks)', () => {
  // fp16 all-reduce of 256 MiB on 8 GPUs, nccl-tests bus bandwidth: A100 215.2, H100 431.9, B200 652.9 GB/s.
  test.each([
    ['a100-sxm', 215.2e9],
    ['h100-sxm', 431.9e9],
    ['b200', 652.9e9],
  ])('%s: 8-GPU all-reduce bus bandwidth at 256 MiB within 15%% of the measured %d B/s (alpha-beta fitted over all sizes: 8-12%% slow at this one)', (design, measured) => {
    const chip = loadDesign(design);
    const S = 256 * 2 ** 20;
    const c = ok(collectiveCost(chip.interconnect, chip.energy.linkPjPerBit, 'all-reduce', S, 8, 1, chip.kernels.collectives));
    const busBw = (2 * 7 / 8 * S) / c.timeSec;
    expect(Math.abs(busBw / measured - 1)).toBeLessThan(0.15);
  });

  test('start-up: the custom one-shot all-reduce of the serving engines takes microseconds (measured 3-5 us for 8 GPUs), NCCL-class ring tens', () => {
    const chip = loadDesign('h100-sxm');
    const tiny = ok(collectiveCost(chip.interconnect, chip.energy.linkPjPerBit, 'all-reduce', 256, 8, 1, chip.kernels.collectives));
    expect(tiny.timeSec).toBeGreaterThan(2e-6);
    expect(tiny.timeSec).toBeLessThan(6e-6);
  });
});

describe('all-reduce algorithm policy (a library that switches at fixed sizes, not at the fastest algorithm)', () => {
  const MiB = 1048576;
  // Two-shot here beats the ring at every size on switch8: the policy, not the speed, must decide.
  const fastTwoShot: KernelParams['collectives'] = { ...LAWS, twoShot: { startSec: 4e-6, stepSec: 0, busEfficiency: 0.8 } };
  const thresholds: AllReducePolicy = { selection: 'thresholds', oneShotMaxTokens: 128, twoShotMaxTokens: 128, oneShotMaxBytes: MiB, twoShotMaxBytes: MiB, maxRowCores: 8 };
  const arCost = (ic: Interconnect, bytes: number, g: number, policy?: AllReducePolicy, laws = fastTwoShot) => ok(collectiveCost(ic, 5, 'all-reduce', bytes, g, 1, laws, undefined, undefined, policy));
  const ringSec = (S: number, g: number) => 5e-6 + 2 * (g - 1) * 2e-6 + (2 * ((g - 1) / g) * S) / (450e9 * 0.8);
  const twoShotSec = (S: number, g: number) => 4e-6 + (2 * ((g - 1) / g) * S) / (450e9 * 0.8);

  test('above oneShotMaxBytes (no two-shot band) the message is handed to the library: the ring, though two-shot is faster', () => {
    const S = 2 * MiB;
    expect(twoShotSec(S, 8)).toBeLessThan(ringSec(S, 8));
    expect(arCost(switch8, S, 8).timeSec).toBeCloseTo(twoShotSec(S, 8), 12);
    expect(arCost(switch8, S, 8, thresholds).timeSec).toBeCloseTo(ringSec(S, 8), 12);
    // Link bytes follow the algorithm run: the ring's 2 (g-1)/g S through the switch.
    expect(arCost(switch8, S, 8, thresholds).linkBytes).toBeCloseTo(2 * (2 * 7 / 8) * S, 0);
  });

  test('up to oneShotMaxBytes it runs one-shot, though two-shot is faster; between the thresholds two-shot', () => {
    const S = MiB;
    const oneShot = 3e-6 + (7 * S) / (450e9 * 0.5);
    expect(twoShotSec(S, 8)).toBeLessThan(oneShot);
    expect(arCost(switch8, S, 8, thresholds).timeSec).toBeCloseTo(oneShot, 12);
    expect(arCost(switch8, S, 8, { ...thresholds, oneShotMaxBytes: MiB / 2, twoShotMaxBytes: 4 * MiB }).timeSec).toBeCloseTo(twoShotSec(S, 8), 12);
    expect(arCost(switch8, S + 1, 8, thresholds).timeSec).toBeCloseTo(ringSec(S + 1, 8), 12);
  });

  test('a message of rows is measured in tokens, whatever its width: 100 tokens 8,192 wide (1.6 MB) run one-shot, 200 tokens the ring; a flat buffer of the same bytes goes by bytes', () => {
    const arRows = (bytes: number, rowBytes: number, policy: AllReducePolicy) => ok(collectiveCost(switch8, 5, 'all-reduce', bytes, 8, 1, fastTwoShot, undefined, undefined, policy, rowBytes)).timeSec;
    const oneShotSec = (S: number) => 3e-6 + (7 * S) / (450e9 * 0.5);
    const wide = 8192 * 2;
    expect(arRows(100 * wide, wide, thresholds)).toBeCloseTo(oneShotSec(100 * wide), 12);
    expect(arRows(128 * wide, wide, thresholds)).toBeCloseTo(oneShotSec(128 * wide), 12);
    expect(arRows(129 * wide, wide, thresholds)).toBeCloseTo(ringSec(129 * wide, 8), 12);
    expect(arRows(200 * wide, wide, thresholds)).toBeCloseTo(ringSec(200 * wide, 8), 12);
    // A 4,096-wide model switches at 128 tokens too: 1 MiB, then the ring.
    expect(arRows(128 * 8192, 8192, thresholds)).toBeCloseTo(oneShotSec(MiB), 12);
    expect(arRows(129 * 8192, 8192, thresholds)).toBeCloseTo(ringSec(129 * 8192, 8), 12);
    // The flat buffer of 100 wide tokens' bytes is over oneShotMaxBytes (1 MiB): the ring; under it, one-shot.
    expect(arRows(100 * wide, 0, thresholds)).toBeCloseTo(ringSec(100 * wide, 8), 12);
    expect(arRows(MiB, 0, thresholds)).toBeCloseTo(oneShotSec(MiB), 12);
    // A two-shot band in tokens: 100 tokens one-shot, 200 two-shot, 300 the ring.
    const band: AllReducePolicy = { ...thresholds, oneShotMaxTokens: 128, twoShotMaxTokens: 256 };
    expect(arRows(100 * wide, wide, band)).toBeCloseTo(oneShotSec(100 * wide), 12);
    expect(arRows(200 * wide, wide, band)).toBeCloseTo(twoShotSec(200 * wide, 8), 12);
    expect(arRows(300 * wide, wide, band)).toBeCloseTo(ringSec(300 * wide, 8), 12);
  });

  test('"fastest" is the fastest algorithm at each size; a torus has no one- or two-shot, so a policy changes nothing there', () => {
    for (const S of [1024, MiB, 64 * MiB]) expect(arCost(switch8, S, 8, { ...thresholds, selection: 'fastest' }).timeSec).toBe(arCost(switch8, S, 8).timeSec);
    for (const S of [1024, MiB, 64 * MiB]) expect(arCost(torus, S, 64, thresholds).timeSec).toBe(arCost(torus, S, 64).timeSec);
  });

  test('one-shot and two-shot pay their per-peer signalling step: (g-1) steps, 2 (g-1) for the two phases of two-shot', () => {
    const laws: KernelParams['collectives'] = { ...LAWS, oneShot: { startSec: 3e-6, stepSec: 0.1e-6, busEfficiency: 0.5, coreSecPerByte: 0 }, twoShot: { startSec: 4e-6, stepSec: 0.2e-6, busEfficiency: 0.8 } };
    const S = 4096;
    expect(arCost(switch8, S, 8, { ...thresholds, twoShotMaxBytes: MiB }, laws).timeSec).toBeCloseTo(3e-6 + 7 * 0.1e-6 + (7 * S) / (450e9 * 0.5), 12);
    expect(arCost(switch8, S, 4, { ...thresholds, oneShotMaxBytes: 0 }, laws).timeSec).toBeCloseTo(4e-6 + 2 * 3 * 0.2e-6 + (2 * (3 / 4) * S) / (450e9 * 0.8), 12);
  });
});

describe('one-shot all-reduce: a row (token) per core, after TensorRT-LLM\'s one-shot kernel (allReduceFusionKernels.cu)', () => {
  test('the busiest core\'s bytes, by hand: a row per core without clusters, up to 8 cores of 2 KiB per row with them', () => {
    // A100-like: 108 cores, one core per row. One 8 KiB row: one core moves all of it; 2 rows run
    // side by side; 128 rows take two rounds of 108 cores.
    expect(oneShotCoreBytes(8192, 8192, 108, 1)).toBe(8192);
    expect(oneShotCoreBytes(16384, 8192, 108, 1)).toBe(8192);
    expect(oneShotCoreBytes(128 * 8192, 8192, 108, 1)).toBe(2 * 8192);
    // A narrow row (AIConfigurator's 256-byte message, [1, 128] bf16) is its own bytes.
    expect(oneShotCoreBytes(256, 256, 108, 1)).toBe(256);
    // Hopper-like: 132 cores, clusters of up to 8 cores of at least 2 KiB: an 8 KiB row on 4 cores;
    // 64 rows leave 2 cores per row; 200 rows one core each, in two rounds.
    expect(oneShotCoreBytes(8192, 8192, 132, 8)).toBe(2048);
    expect(oneShotCoreBytes(64 * 8192, 8192, 132, 8)).toBe(4096);
    expect(oneShotCoreBytes(200 * 8192, 8192, 132, 8)).toBe(2 * 8192);
    // A flat buffer (no rows) or a chip without cores: no per-core bound.
    expect(oneShotCoreBytes(8192, 0, 108, 1)).toBe(0);
    expect(oneShotCoreBytes(8192, 8192, 0, 1)).toBe(0);
  });

  const c = 1 / 16e9;
  const laws: KernelParams['collectives'] = { ...LAWS, oneShot: { startSec: 3e-6, stepSec: 0.1e-6, busEfficiency: 0.5, coreSecPerByte: c }, twoShot: { startSec: 1, stepSec: 0, busEfficiency: 0.1 } };
  const oneRowCores: AllReducePolicy = { selection: 'thresholds', oneShotMaxTokens: 128, twoShotMaxTokens: 128, oneShotMaxBytes: 1 << 20, twoShotMaxBytes: 1 << 20, maxRowCores: 1 };
  const ar = (bytes: number, rowBytes: number, g = 8, cores = 108) => ok(collectiveCost(switch8, 5, 'all-reduce', bytes, g, 1, laws, undefined, undefined, oneRowCores, rowBytes, cores)).timeSec;
  const linkSec = (S: number, g: number) => ((g - 1) * S) / (450e9 * 0.5);

  test('a few rows run at the rate of a few cores: start + (g-1) step + max(link, g x core bytes x coreSecPerByte)', () => {
    // One 8 KiB row over 8 chips: the core writes it to 8 buffers (its own included) at 16 GB/s.
    expect(ar(8192, 8192)).toBeCloseTo(3e-6 + 7 * 0.1e-6 + 8 * 8192 * c, 12);
    expect(8 * 8192 * c).toBeGreaterThan(linkSec(8192, 8));
    // Two rows cost what one does (two cores side by side); a flat buffer of the same bytes only the link.
    expect(ar(16384, 8192)).toBeCloseTo(ar(8192, 8192), 15);
    expect(ar(8192, 0)).toBeCloseTo(3e-6 + 7 * 0.1e-6 + linkSec(8192, 8), 12);
    // The width, not the bytes: 16 KiB as one row of a 8,192-wide model takes twice the core time of two rows of a 4,096-wide one.
    expect(ar(16384, 16384) - (3e-6 + 7 * 0.1e-6)).toBeCloseTo(2 * (ar(16384, 8192) - (3e-6 + 7 * 0.1e-6)), 12);
    // Many rows: the link bounds again (1 MiB of 8 KiB rows: 2 rounds of 108 cores, 8 us of core time against 33 us on the links).
    expect(ar(1 << 20, 8192)).toBeCloseTo(3e-6 + 7 * 0.1e-6 + linkSec(1 << 20, 8), 12);
  });
});

test('chipdse collective times the rows it is told of: one 16 KiB token on 8 A100s is slower than 16 KiB of a flat buffer, and than two 8 KiB tokens', () => {
  const chip = loadDesign('a100-sxm');
  const flat = collectiveReport(chip, 'all-reduce', 16384, 8);
  const oneRow = collectiveReport(chip, 'all-reduce', 16384, 8, 1, '16 KiB');
  const twoRows = collectiveReport(chip, 'all-reduce', 16384, 8, 1, 8192);
  expect(oneRow.rowBytes).toBe(16384);
  expect(oneRow.timeSec).toBeGreaterThan(twoRows.timeSec);
  expect(twoRows.timeSec).toBeGreaterThan(flat.timeSec);
  expect(() => collectiveReport(chip, 'all-reduce', 16384, 8, 1, -1)).toThrow(/^--row-bytes: /);
});

describe('a torus or mesh pod\'s fabric (podFabric) as its group shape\'s sides give it', () => {
  // What the fabric's fields were before its loop (a filter and two reduces over the sides over 1).
  const expected = (ic: Interconnect, g: number) => {
    const dims = groupShape(ic, g).filter((n) => n > 1);
    const perNeighbour = (ic.linksPerChip / (2 * ic.shape.length)) * ic.linkBytesPerSec;
    const wrap = ic.topology.startsWith('torus');
    return {
      bandwidth: Math.max(1, dims.length) * (wrap ? 2 * perNeighbour : perNeighbour),
      ringSteps: dims.reduce((s, n) => s + (n - 1), 0),
      a2aHops: dims.reduce((s, n) => s + n / 4, 0) || 1,
      a2aBisectionSecPerByte: Math.max(1, ...dims) / (4 * (wrap ? 2 : 1) * perNeighbour),
    };
  };
  test.each(['torus2d', 'torus3d', 'mesh2d', 'mesh3d'] as const)('%s', (topology) => {
    const shapes = topology.endsWith('2d') ? [[4, 4], [16, 8], [3, 7], [1, 12], [32, 32]] : [[4, 4, 4], [8, 4, 2], [16, 16, 16], [3, 5, 7], [2, 1, 9]];
    let checked = 0;
    for (const shape of shapes) {
      const ic: Interconnect = { ...torus, topology, shape, chipsPerPod: shape.reduce((a, b) => a * b, 1), linksPerChip: 2 * shape.length + 1, linkBytesPerSec: 47.3e9 };
      for (let g = 1; g <= Math.min(ic.chipsPerPod, 300); g++) {
        const f = cachedPodFabric(ic, g, 3.7, undefined);
        const want = expected(ic, g);
        for (const k of Object.keys(want) as (keyof typeof want)[]) expect([g, shape, k, f[k]]).toEqual([g, shape, k, want[k]]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
