import seedrandom from 'seedrandom';
import { quantizationSnrDb, defaultPrecision, bitsPerValue, floatGrid, namedPrecision, type Precision } from '../src/precision/formats.js';
import { loadDesign } from '../src/chip/load.js';
import { stepCost } from '../src/eval/step-cost.js';
import { parseWorkload } from '../src/workload/load.js';
import type { Step } from '../src/workload/step.js';

/** Box-Muller normal samples from a seeded generator. */
function gaussians(n: number, seed: string): Float64Array {
  const rng = seedrandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Symmetric integer quantization with one absmax scale per block, as the analytic formula assumes. */
function measuredIntSnrDb(x: Float64Array, bits: number, block: number): number {
  const levels = 2 ** (bits - 1) - 1;
  let signal = 0;
  let noise = 0;
  for (let s = 0; s < x.length; s += block) {
    let absmax = 0;
    for (let i = s; i < s + block; i++) absmax = Math.max(absmax, Math.abs(x[i]));
    const step = absmax / levels;
    for (let i = s; i < s + block; i++) {
      const q = Math.round(x[i] / step) * step;
      signal += x[i] * x[i];
      noise += (x[i] - q) ** 2;
    }
  }
  return 10 * Math.log10(signal / noise);
}

describe('weight quantization SQNR (the model-quality cost of a precision)', () => {
  const x = gaussians(1 << 18, 'sqnr');
  test.each([
    ['int8', 8, 32],
    ['int4', 4, 32],
    ['int4', 4, 128],
  ] as const)('%s with blocks of %i: formula within 1.5 dB of a seeded simulation', (f, bits, block) => {
    const p: Precision = { ...defaultPrecision(f), blockSize: block, scaleBits: 8 };
    expect(Math.abs(quantizationSnrDb(p) - measuredIntSnrDb(x, bits, block))).toBeLessThan(1.5);
  });

  test('fewer bits, lower SQNR; smaller blocks, higher SQNR', () => {
    const snr = (f: 'bf16' | 'fp8_e4m3' | 'int8' | 'fp4' | 'int4' | 'int2', block = 32) => quantizationSnrDb({ ...defaultPrecision(f), blockSize: block });
    expect(snr('bf16')).toBeGreaterThan(snr('fp8_e4m3'));
    expect(snr('int8')).toBeGreaterThan(snr('int4'));
    expect(snr('int4')).toBeGreaterThan(snr('int2'));
    expect(snr('int4', 32)).toBeGreaterThan(snr('int4', 128));
  });
});

/** Block-scaled small floats as the MX spec (E8M0 scale 2^(floor(log2 absmax) - emax)) and NVFP4 (absmax / max rounded to E4M3) quantize them. */
function measuredBlockFloatSnrDb(x: Float64Array, p: Precision): number {
  const grid = floatGrid(p.format);
  const top = grid[grid.length - 1];
  const emax = Math.floor(Math.log2(top));
  const e4m3 = floatGrid('fp8_e4m3');
  const nearest = (g: number[], y: number) => {
    let lo = 0;
    let hi = g.length - 1;
    if (y >= g[hi]) return g[hi];
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (g[mid] <= y) lo = mid;
      else hi = mid;
    }
    return y - g[lo] <= g[hi] - y ? g[lo] : g[hi];
  };
  let signal = 0;
  let noise = 0;
  for (let s = 0; s < x.length; s += p.blockSize) {
    let absmax = 0;
    for (let i = s; i < s + p.blockSize; i++) absmax = Math.max(absmax, Math.abs(x[i]));
    // NVFP4's per-tensor fp32 scale puts absmax / 6 in E4M3's normal range: here, unit Gaussians need none.
    const scale = p.scale === 'e4m3' ? nearest(e4m3, absmax / top) : 2 ** (Math.floor(Math.log2(absmax)) - emax);
    for (let i = s; i < s + p.blockSize; i++) {
      const q = Math.sign(x[i]) * nearest(grid, Math.min(top, Math.abs(x[i]) / scale)) * scale;
      signal += x[i] * x[i];
      noise += (x[i] - q) ** 2;
    }
  }
  return 10 * Math.log10(signal / noise);
}

describe('the standard block formats (issue 14 item 9)', () => {
  const x = gaussians(1 << 15, 'block-float');

  test.each(['mxfp8', 'mxfp6', 'mxfp4', 'nvfp4'])('%s: SQNR formula within 1 dB of a seeded simulation of the format', (name) => {
    const p = namedPrecision(name)!;
    expect(Math.abs(quantizationSnrDb(p) - measuredBlockFloatSnrDb(x, p))).toBeLessThan(1);
  });

  test('NVFP4 is E2M1 with an E4M3 scale per 16 values (4.5 bits per value), MXFP4 E2M1 with an E8M0 scale per 32 (4.25): NVFP4 costs bits and buys SQNR', () => {
    const nv = namedPrecision('nvfp4')!;
    const mx = namedPrecision('mxfp4')!;
    expect(nv).toEqual({ format: 'fp4', blockSize: 16, scaleBits: 8, scale: 'e4m3' });
    expect(mx).toEqual({ format: 'fp4', blockSize: 32, scaleBits: 8, scale: 'e8m0' });
    expect(bitsPerValue(nv)).toBe(4.5);
    expect(bitsPerValue(mx)).toBe(4.25);
    expect(bitsPerValue(namedPrecision('mxfp8')!)).toBe(8.25);
    expect(bitsPerValue(namedPrecision('mxfp6')!)).toBe(6.25);
    expect(quantizationSnrDb(nv)).toBeGreaterThan(quantizationSnrDb(mx) + 1);
  });

  test('the E4M3 scale step costs more energy than the E8M0 one, and NVFP4 pays it twice as often', () => {
    const chip = loadDesign('b200');
    expect(chip.energy.blockScaleStepPj.e4m3).toBeGreaterThan(chip.energy.blockScaleStepPj.e8m0);
    const p = (name: string): Step => ({ kind: 'matmul', name, m: 4096, k: 4096, n: 4096, count: 1, a: namedPrecision(name)!, b: namedPrecision(name)!, out: defaultPrecision('bf16'), weights: true, bFraction: 1, repeat: 1 });
    const place = { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: {} };
    const nv = stepCost(chip, p('nvfp4'), place);
    const mx = stepCost(chip, p('mxfp4'), place);
    expect(nv.computeFormat).toBe('fp4');
    expect(mx.computeFormat).toBe('fp4');
    const scalePj = (c: typeof nv) => c.energyJ.compute / 1e-12 / c.macs - chip.energy.pjPerMac.fp4;
    expect(scalePj(nv)).toBeCloseTo(chip.energy.blockScaleStepPj.e4m3 / 16, 9);
    expect(scalePj(mx)).toBeCloseTo(chip.energy.blockScaleStepPj.e8m0 / 32, 9);
  });

  test('a workload names them; a block size the format does not have is one clear line', () => {
    const base = { model: 'llama-3-8b', phase: 'decode', batch: 1, inputTokens: 128, outputTokens: 8, chips: 1 };
    expect(parseWorkload({ ...base, precision: { weights: 'nvfp4' } }, 'w').precision.weights).toEqual(namedPrecision('nvfp4'));
    expect(parseWorkload({ ...base, precision: { weights: { format: 'fp4', blockSize: 16 } } }, 'w').precision.weights.blockSize).toBe(16);
    expect(() => parseWorkload({ ...base, precision: { weights: { format: 'mxfp4', blockSize: 16 } } }, 'w.json')).toThrow(
      /^w\.json: precision\.weights\.blockSize: mxfp4 scales blocks of 32 values \(E8M0 scale\), not 16; nvfp4 scales blocks of 16$/,
    );
  });
});
