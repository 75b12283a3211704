import seedrandom from 'seedrandom';
import { loadDesign, listDesignPresets } from '../src/chip/load.js';
import { loadWorkload, listWorkloadPresets, parseWorkload } from '../src/workload/load.js';
import { evaluate } from '../src/eval/evaluate.js';
import { stepCost, type Placement } from '../src/eval/step-cost.js';
import { selectComputeFormat } from '../src/eval/format-select.js';
import { defaultPrecision, FORMATS, FORMAT_NAMES, bytesPerValue, type FormatName } from '../src/precision/formats.js';
import { NODE_TECHNOLOGY, defaultPjPerMac } from '../src/chip/technology.js';
import { ENERGY_PARTS, totalEnergy } from '../src/eval/types.js';
import type { MatmulStep, Step } from '../src/workload/step.js';
import type { Chip } from '../src/chip/chip.js';
import { listSpacePresets, loadSpace } from '../src/search/space.js';
import { designWith } from './helpers/designs.js';
import { parseSetting } from '../src/io/settings.js';

const PLACEMENT: Placement = { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: { tensor: 1, expert: 1, pipeline: 1, data: 1 } };
const PRESETS = listDesignPresets();

describe('roofline: no step beats its bounds', () => {
  const rng = seedrandom('roofline');
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  const cases: [string, MatmulStep][] = [];
  for (let i = 0; i < 300; i++) {
    const chip = pick(PRESETS);
    const f = pick(['bf16', 'fp8_e4m3', 'int8', 'fp4', 'int4'] as FormatName[]);
    const p = defaultPrecision(f);
    const dim = () => Math.max(1, Math.round(2 ** (rng() * 15)));
    cases.push([chip, { kind: 'matmul', name: `case ${i}`, m: dim(), k: dim(), n: dim(), count: 1 + Math.floor(rng() * 4), a: p, b: p, out: defaultPrecision('bf16'), weights: rng() < 0.5, bFraction: 1, repeat: 1 + Math.floor(rng() * 3) }]);
  }
  test('300 random matrix products on random presets', () => {
    const chips = new Map(PRESETS.map((n) => [n, loadDesign(n)]));
    for (const [name, s] of cases) {
      const chip = chips.get(name)!;
      const c = stepCost(chip, s, PLACEMENT);
      const fmt = selectComputeFormat(chip, s.a, s.b)!.format;
      const macs = s.count * s.m * s.k * s.n * s.repeat;
      const computeFloor = macs / chip.peakMacsPerSec[fmt]!;
      const minBytes = s.count * s.repeat * (s.m * s.k * bytesPerValue(s.a) + s.k * s.n * bytesPerValue(s.b) + s.m * s.n * bytesPerValue(s.out));
      const memoryFloor = minBytes / chip.hbmBytesPerSec;
      expect(c.timeSec).toBeGreaterThanOrEqual(computeFloor * (1 - 1e-12));
      expect(c.timeSec).toBeGreaterThanOrEqual(memoryFloor * (1 - 1e-12));
      expect(c.hbmBytes).toBeGreaterThanOrEqual(minBytes * (1 - 1e-12));
      expect(Number.isFinite(c.timeSec) && Number.isFinite(totalEnergy(c.energyJ))).toBe(true);
    }
  });
});

describe('memory-bound decode', () => {
  test('doubling HBM bandwidth nearly halves a memory-bound step, and time per token as far as its fixed kernel costs allow', () => {
    const base = loadDesign('h100-sxm');
    const fast = designWith('h100-sxm', (d) => { d.memory.hbm.bytesPerSec = '6.7 TB/s'; d.memory.hbm.stacks = 6; });
    const place = { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: {} };
    // A streaming step (1 G elements of a norm, 6 GB): halved but for its launch.
    const norm: Step = { kind: 'elementwise', name: 'norm', elements: 1e9, flopsPerElement: 4, bytesPerElement: 6, repeat: 1 };
    expect(stepCost(fast, norm, place).timeSec / stepCost(base, norm, place).timeSec).toBeGreaterThanOrEqual(0.5 - 1e-9);
    expect(stepCost(fast, norm, place).timeSec / stepCost(base, norm, place).timeSec).toBeLessThan(0.505);
    // One decode GEMV of a 70B layer's FFN weights (8192 x 28672 bf16, 470 MB): the matrix unit still runs the
    // single row padded to its 128-row tile, a compute term the overlap p-norm keeps, which grows with the bandwidth.
    const p = defaultPrecision('bf16');
    const gemv: Step = { kind: 'matmul', name: 'gemv', m: 1, k: 8192, n: 28672, count: 1, a: p, b: p, out: p, weights: true, bFraction: 1, repeat: 1 };
    const step = (c: Chip) => stepCost(c, gemv, place).timeSec;
    expect(step(fast) / step(base)).toBeGreaterThanOrEqual(0.5 - 1e-9);
    expect(step(fast) / step(base)).toBeLessThan(0.6);
    // A whole decode step also pays each kernel's launch (~2-10 us, fitted per kernel class), which no bandwidth
    // shortens, and its small GEMVs run their K loop nearly unsplit (maxSplits): measured on an H100, a bf16
    // 1 x 4096 x 4096 GEMV takes 16.6 us, 61% of the HBM bound (h100_sxm.gemm.csv.gz, AIConfigurator, Apache-2.0).
    // The accelerator alone: an engine's host time per iteration (serving.iterationOverheadSec) is not the chip's.
    const w = loadWorkload('llama-3-8b-decode', undefined, [parseSetting('serving.iterationOverheadSec=0')]);
    const b = evaluate(base, w);
    const f = evaluate(fast, w);
    expect(b.metrics.boundBy).toBe('memory');
    const ratio = f.metrics.tpotSec / b.metrics.tpotSec;
    expect(ratio).toBeGreaterThanOrEqual(0.5 - 1e-9);
    expect(ratio).toBeLessThan(0.7);
  });

  test('doubling compute does not speed it up', () => {
    // The accelerator alone: an engine's host time per iteration (serving.iterationOverheadSec) is not the chip's.
    const w = loadWorkload('llama-3-8b-decode', undefined, [parseSetting('serving.iterationOverheadSec=0')]);
    const base = evaluate(loadDesign('h100-sxm'), w);
    const more = evaluate(designWith('h100-sxm', (d) => { d.compute.matrixUnits[0].count *= 2; }), w);
    expect(more.metrics.tpotSec / base.metrics.tpotSec).toBeGreaterThan(0.97);
  });

  test('compute-bound prefill scales with the matrix units, not the HBM', () => {
    const w = parseWorkload({ model: 'llama-3-8b', phase: 'prefill', batch: 8, inputTokens: 4096, chips: 1 }, 'prefill');
    const base = evaluate(loadDesign('tpu-v5p'), w);
    const moreHbm = evaluate(designWith('tpu-v5p', (d) => { d.memory.hbm.bytesPerSec = '5.5 TB/s'; }), w);
    const moreMxu = evaluate(designWith('tpu-v5p', (d) => { d.compute.matrixUnits[0].count *= 2; }), w);
    expect(base.metrics.boundBy).toBe('compute');
    expect(moreHbm.metrics.ttftSec / base.metrics.ttftSec).toBeGreaterThan(0.95);
    expect(moreMxu.metrics.ttftSec / base.metrics.ttftSec).toBeLessThan(0.6);
  });
});

describe('energy', () => {
  test('lower precision never raises MAC energy (every node, every preset)', () => {
    // Lower precision: fewer bits and no more significand bits, of the same kind (fp6 E2M3 keeps E4M3's
    // 3 mantissa bits, so it is not below fp8 E5M2; a float MAC accumulates in floating point, an int8 MAC in int32).
    const byBits = [...FORMAT_NAMES].sort((a, b) => FORMATS[b].bits - FORMATS[a].bits);
    const lower = (x: FormatName, y: FormatName) => FORMATS[x].kind === FORMATS[y].kind && FORMATS[x].bits < FORMATS[y].bits && FORMATS[x].mantissaBits <= FORMATS[y].mantissaBits;
    const tables = [...Object.values(NODE_TECHNOLOGY).map(defaultPjPerMac), ...PRESETS.map((n) => loadDesign(n).energy.pjPerMac)];
    for (const pj of tables) {
      for (let i = 0; i < byBits.length; i++) {
        for (let j = 0; j < byBits.length; j++) {
          if (lower(byBits[j], byBits[i])) expect(pj[byBits[j]]).toBeLessThanOrEqual(pj[byBits[i]]);
        }
      }
    }
  });

  test('energy parts add up to the total for every preset workload on every preset design', () => {
    const workloads = listWorkloadPresets().map((w) => loadWorkload(w));
    for (const d of PRESETS) {
      const chip = loadDesign(d);
      for (const w of workloads) {
        const m = evaluate(chip, w).metrics;
        const sum = ENERGY_PARTS.reduce((a, k) => a + m.energyBreakdownJ[k], 0);
        expect(Math.abs(sum - m.energyJPerToken)).toBeLessThanOrEqual(1e-12 * Math.max(1, m.energyJPerToken));
        for (const v of Object.values(m)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
      }
    }
  }, 60_000);

  test('a power limit is never exceeded', () => {
    const workloads = ['llama-3-70b-serve', 'llama-3-70b-train'].map((w) => loadWorkload(w));
    for (const d of PRESETS) {
      const chip = loadDesign(d);
      if (chip.tdpW === undefined) continue;
      for (const w of workloads) {
        const e = evaluate(chip, w);
        expect(e.metrics.powerW).toBeLessThanOrEqual(chip.tdpW * (1 + 1e-9));
        for (const ph of e.phases) for (const s of ph.steps) {
          if (s.timeSec === 0) continue;
          const dyn = s.energyJ.compute + s.energyJ.sram + s.energyJ.hbm + s.energyJ.interconnect;
          expect(dyn / s.timeSec + chip.energy.staticW).toBeLessThanOrEqual(chip.tdpW * (1 + 1e-9));
        }
      }
    }
  });

  test('peak power is the highest step\'s power (static included), never below the average nor above a TDP, the same with and without detail', () => {
    const workloads = ['llama-3-70b-serve', 'llama-3-70b-train', 'llama-3-8b-decode'].map((w) => loadWorkload(w));
    for (const d of PRESETS) {
      const chip = loadDesign(d);
      for (const w of workloads) {
        const e = evaluate(chip, w);
        if (e.phases.length === 0) continue;
        const m = e.metrics;
        expect(m.peakPowerW).toBeGreaterThanOrEqual(m.powerW * (1 - 1e-12));
        const stepW = (s: (typeof e.phases)[number]['steps'][number]) => (s.timeSec > 0 ? (s.energyJ.compute + s.energyJ.sram + s.energyJ.hbm + s.energyJ.interconnect) / s.timeSec : 0);
        const all = e.phases.flatMap((ph) => ph.steps);
        // Overlapped collectives are left out of the peak, so it lies between the busiest computing step and the busiest step of any kind.
        const computing = Math.max(...all.filter((s) => s.kind !== 'collective').map(stepW));
        expect(m.peakPowerW).toBeGreaterThanOrEqual(chip.energy.staticW + computing - 1e-9);
        expect(m.peakPowerW).toBeLessThanOrEqual(Math.max(m.powerW, chip.energy.staticW + Math.max(...all.map(stepW))) + 1e-9);
        if (chip.tdpW !== undefined) expect(m.peakPowerW).toBeLessThanOrEqual(chip.tdpW * (1 + 1e-9));
        expect(evaluate(chip, w, { detail: false }).metrics.peakPowerW).toBeCloseTo(m.peakPowerW, 9);
      }
    }
  });

  test('a chip capped at 900 W averages under 700 W on a serving cycle (so powerW <= 700 lets it through); its peak power shows the 900 W', () => {
    // B200 capped at 900 W: throttled steps run at the cap while the serving cycle averages far less.
    const chip = designWith('b200', (d) => (d.tdpW = '900 W'));
    const m = evaluate(chip, loadWorkload('llama-3-70b-serve')).metrics;
    expect(m.boundBy).toBe('power');
    expect(m.peakPowerW).toBeCloseTo(900, 6);
    expect(m.powerW).toBeLessThan(700);
    // Without a TDP nothing slows the busiest steps: the peak is what the package would have to cool.
    const free = evaluate(designWith('b200', (d) => delete d.tdpW), loadWorkload('llama-3-70b-serve')).metrics;
    expect(free.peakPowerW).toBeGreaterThan(1000);
    expect(free.peakPowerW).toBeGreaterThan(1.3 * free.powerW);
  });

  test('every shipped space limits what a chip may draw: a TDP on its base, or a constraint on peak power (not on the average)', () => {
    for (const name of listSpacePresets()) {
      const space = loadSpace(name);
      const tdp = space.base.data.tdpW;
      const peakLimit = space.constraints.find((c) => c.metric.name === 'peakPowerW' && (c.op === '<=' || c.op === '<'));
      expect([name, tdp !== undefined || peakLimit !== undefined]).toEqual([name, true]);
      expect(space.constraints.filter((c) => c.metric.name === 'powerW')).toEqual([]);
    }
  });

  test('moving data costs more than arithmetic: an HBM byte costs more than a bf16 MAC on every preset', () => {
    for (const d of PRESETS) {
      const c = loadDesign(d);
      expect(c.energy.hbmPjPerByte).toBeGreaterThan(c.energy.pjPerMac.bf16);
      expect(c.energy.hbmPjPerByte).toBeGreaterThan(10 * c.energy.sramPjPerByte);
    }
  });
});

describe('precision', () => {
  test('fp8 weights halve the memory-bound decode time of bf16 weights (nearly)', () => {
    // The accelerator alone: no engine host time per iteration.
    const mk = (wp: string, kv: string) => parseWorkload({ model: 'llama-3-8b', phase: 'decode', batch: 1, inputTokens: 1024, outputTokens: 64, precision: { weights: wp, kvCache: kv }, chips: 1, serving: { iterationOverheadSec: 0 } }, 'w');
    const chip = loadDesign('h100-sxm');
    const bf16 = evaluate(chip, mk('bf16', 'bf16')).metrics.tpotSec;
    const fp8 = evaluate(chip, mk('fp8', 'fp8')).metrics.tpotSec;
    // Not quite half: each kernel's launch (fitted per kernel class) and the small GEMVs' nearly unsplit K loop
    // (maxSplits; measured H100 GEMVs reach 61-81% of the HBM bound) do not shrink with the bytes.
    expect(fp8 / bf16).toBeGreaterThan(0.5);
    expect(fp8 / bf16).toBeLessThan(0.7);
  });

  test('block scales cost bandwidth: int4 with a scale per 32 values reads more than with one per 128', () => {
    const mk = (blockSize: number) => parseWorkload({ model: 'llama-3-8b', phase: 'decode', batch: 1, inputTokens: 1024, outputTokens: 64, precision: { weights: { format: 'int4', blockSize } }, chips: 1 }, 'w');
    const chip = loadDesign('tpu-v6e');
    const e32 = evaluate(chip, mk(32));
    const e128 = evaluate(chip, mk(128));
    expect(e32.memory!.weightsBytes / e128.memory!.weightsBytes).toBeCloseTo((4 + 8 / 32) / (4 + 8 / 128), 6);
    expect(e32.metrics.tpotSec).toBeGreaterThan(e128.metrics.tpotSec);
    expect(e32.metrics.quantizationSnrDb).toBeGreaterThan(e128.metrics.quantizationSnrDb);
  });

  test('a chip without a unit for the format computes in a wider one (int4 weights on an H100 run in fp8 or wider)', () => {
    const chip = loadDesign('h100-sxm');
    const sel = selectComputeFormat(chip, defaultPrecision('int4'), defaultPrecision('int4'))!;
    expect(sel.native).toBe(false);
    expect(FORMATS[sel.format].bits).toBeGreaterThanOrEqual(8);
  });
});

describe('speculative decoding', () => {
  test('turns decode into parallel work: faster at high acceptance, not at zero acceptance', () => {
    const chip = loadDesign('h100-sxm');
    const plain = evaluate(chip, loadWorkload('llama-3-8b-decode')).metrics.tpotSec;
    const spec = evaluate(chip, loadWorkload('llama-3-8b-spec-decode')).metrics.tpotSec;
    const none = evaluate(chip, parseWorkload({ model: 'llama-3-8b', phase: 'decode', batch: 1, inputTokens: 4096, outputTokens: 128, chips: 1, speculative: { drafter: 'llama-3.2-1b', draftTokens: 4, acceptanceRate: 0 } }, 'w')).metrics.tpotSec;
    expect(spec).toBeLessThan(0.7 * plain);
    expect(none).toBeGreaterThan(plain);
  });
});

describe('memory fit', () => {
  test('a model that does not fit is infeasible with the reason, and fits with a DRAM tier at DRAM speed', () => {
    const w = parseWorkload({ model: 'llama-3-70b', phase: 'decode', batch: 1, inputTokens: 1024, outputTokens: 16, chips: 1 }, 'w');
    const small = evaluate(loadDesign('h100-sxm'), w);
    expect(small.feasible).toBe(false);
    expect(small.metrics.fits).toBe(false);
    expect(small.reasons.join(' ')).toMatch(/needs .* GB per chip/);
    const withDram = evaluate(designWith('h100-sxm', (d) => { d.memory.dram = { bytes: '480 GB', bytesPerSec: '450 GB/s' }; }), w);
    expect(withDram.feasible).toBe(true);
    expect(withDram.memory!.weightsInDramFraction).toBeGreaterThan(0.4);
    expect(withDram.metrics.tpotSec).toBeGreaterThan(3 * evaluate(loadDesign('h200-sxm'), w).metrics.tpotSec);
  });

  test('auto batch picks the throughput-maximizing batch within the SLO', () => {
    const w = loadWorkload('llama-3-70b-serve');
    const e = evaluate(loadDesign('h100-sxm'), w);
    expect(e.feasible).toBe(true);
    expect(e.metrics.tpotSec).toBeLessThanOrEqual(0.05);
    const doubled = evaluate(loadDesign('h100-sxm'), { ...w, batch: e.metrics.batch * 2 });
    expect(doubled.feasible === false || doubled.metrics.tokensPerSec <= e.metrics.tokensPerSec).toBe(true);
  });
});

describe('reproducibility', () => {
  test('same inputs give the same bytes', () => {
    const a = JSON.stringify(evaluate(loadDesign('tpu7x'), loadWorkload('deepseek-v3-serve')));
    const b = JSON.stringify(evaluate(loadDesign('tpu7x'), loadWorkload('deepseek-v3-serve')));
    expect(a).toBe(b);
  });
});
