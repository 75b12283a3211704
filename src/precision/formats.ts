/**
 * Number formats a matrix unit can compute in and a tensor can be stored in.
 *
 * `mantissaBits` counts the stored mantissa bits (the hidden bit is added where it matters).
 * Energy and area of a multiply-accumulate are derived from these widths in
 * `chip/technology.ts`; here are only the formats' own facts.
 * Sources: IEEE 754 (fp32, fp16); Google bfloat16; NVIDIA/Arm/Intel "FP8 formats for deep
 * learning" (arXiv 2209.05433) for e4m3/e5m2; OCP Microscaling (MX) spec v1.0 for fp4 e2m1
 * and the shared 8-bit (E8M0) block scale over 32 values.
 */
export const FORMAT_NAMES = [
  'fp32',
  'bf16',
  'fp16',
  'fp8_e4m3',
  'fp8_e5m2',
  'int8',
  'fp4',
  'int4',
  'int2',
  'int1',
] as const;

export type FormatName = (typeof FORMAT_NAMES)[number];

export interface FormatInfo {
  bits: number;
  kind: 'float' | 'int';
  /** Stored mantissa bits for floats; magnitude bits for ints. */
  mantissaBits: number;
  /** Formats this narrow carry a per-block scale by default (MX-style); wider ones a per-tensor scale. */
  blockScaledByDefault: boolean;
}

export const FORMATS: Record<FormatName, FormatInfo> = {
  fp32: { bits: 32, kind: 'float', mantissaBits: 23, blockScaledByDefault: false },
  bf16: { bits: 16, kind: 'float', mantissaBits: 7, blockScaledByDefault: false },
  fp16: { bits: 16, kind: 'float', mantissaBits: 10, blockScaledByDefault: false },
  fp8_e4m3: { bits: 8, kind: 'float', mantissaBits: 3, blockScaledByDefault: false },
  fp8_e5m2: { bits: 8, kind: 'float', mantissaBits: 2, blockScaledByDefault: false },
  int8: { bits: 8, kind: 'int', mantissaBits: 7, blockScaledByDefault: false },
  fp4: { bits: 4, kind: 'float', mantissaBits: 1, blockScaledByDefault: true },
  int4: { bits: 4, kind: 'int', mantissaBits: 3, blockScaledByDefault: true },
  int2: { bits: 2, kind: 'int', mantissaBits: 1, blockScaledByDefault: true },
  int1: { bits: 1, kind: 'int', mantissaBits: 0, blockScaledByDefault: true },
};

/** Accepted spellings in files, mapped to canonical names. */
export const FORMAT_ALIASES: Record<string, FormatName> = {
  fp8: 'fp8_e4m3',
  e4m3: 'fp8_e4m3',
  e5m2: 'fp8_e5m2',
  fp4_e2m1: 'fp4',
  e2m1: 'fp4',
  mxfp4: 'fp4',
  nvfp4: 'fp4',
  float32: 'fp32',
  float16: 'fp16',
  bfloat16: 'bf16',
};

export function resolveFormatName(name: string): FormatName | undefined {
  if ((FORMAT_NAMES as readonly string[]).includes(name)) return name as FormatName;
  return FORMAT_ALIASES[name];
}

/** The block sizes the brief and the MX spec name; a design may support any of these. */
export const BLOCK_SIZES = [32, 64, 128] as const;

/**
 * A stored tensor's precision: a format, and for block-scaled formats the number of
 * values sharing one scale and the scale's width (8-bit E8M0 in the MX spec).
 */
export interface Precision {
  format: FormatName;
  /** Values per shared scale; 0 means one scale per tensor (negligible storage). */
  blockSize: number;
  scaleBits: number;
}

export const DEFAULT_BLOCK_SIZE = 32;
export const DEFAULT_SCALE_BITS = 8;

export function defaultPrecision(format: FormatName): Precision {
  const blockScaled = FORMATS[format].blockScaledByDefault;
  return {
    format,
    blockSize: blockScaled ? DEFAULT_BLOCK_SIZE : 0,
    scaleBits: blockScaled ? DEFAULT_SCALE_BITS : 0,
  };
}

/** Storage bits per value, the shared scale included: fp4 with an 8-bit scale per 32 is 4.25. */
export function bitsPerValue(p: Precision): number {
  const base = FORMATS[p.format].bits;
  return p.blockSize > 0 ? base + p.scaleBits / p.blockSize : base;
}

export function bytesPerValue(p: Precision): number {
  return bitsPerValue(p) / 8;
}

/**
 * Signal-to-quantization-noise ratio (dB) of a format on Gaussian data with absmax scaling
 * per block: the model-quality cost side of a precision choice, as one comparable number.
 *
 * Integers: uniform quantizer with 2^(b-1)-1 levels per side over the block's absmax; the
 * expected absmax of n Gaussians is about sqrt(2 ln n) sigma (extreme-value approximation),
 * and uniform noise has variance step^2/12.
 * Floats: relative rounding error with m mantissa bits has variance 2^(-2m)/12 per value
 * (round-to-nearest, uniform within a binade), so SQNR ~ 6.02 m + 10.8 dB, unless the
 * exponent range clips (ignored: block scaling keeps values in range).
 */
export function quantizationSnrDb(p: Precision): number {
  let db = SNR_DB.get(p);
  if (db === undefined) SNR_DB.set(p, (db = computeSnrDb(p)));
  return db;
}

/** Per precision object (a workload's are shared by every evaluation; precisions are not modified). */
const SNR_DB = new WeakMap<Precision, number>();

function computeSnrDb(p: Precision): number {
  const f = FORMATS[p.format];
  if (f.kind === 'float') {
    return 10 * Math.log10(12 * 2 ** (2 * f.mantissaBits));
  }
  if (f.bits === 1) {
    // sign times the block's mean |x|: optimal 1-bit error for Gaussians is (1 - 2/pi) sigma^2.
    return 10 * Math.log10(1 / (1 - 2 / Math.PI));
  }
  const n = p.blockSize > 0 ? p.blockSize : 4096;
  const absmax = Math.sqrt(2 * Math.log(n));
  const levels = 2 ** (f.bits - 1) - 1;
  const step = absmax / levels;
  return 10 * Math.log10(12 / (step * step));
}
