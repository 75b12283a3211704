import seedrandom from 'seedrandom';
import { quantizationSnrDb, defaultPrecision, type Precision } from '../src/precision/formats.js';

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
