/**
 * Number formats a matrix unit can compute in and a tensor can be stored in.
 *
 * `mantissaBits` counts the stored mantissa bits (the hidden bit is added where it matters).
 * Energy and area of a multiply-accumulate are derived from these widths in
 * `chip/technology.ts`; here are only the formats' own facts.
 * Sources: IEEE 754 (fp32, fp16); Google bfloat16; NVIDIA/Arm/Intel "FP8 formats for deep
 * learning" (arXiv 2209.05433) for e4m3/e5m2; OCP Microscaling (MX) spec v1.0 for fp6 e2m3, fp4
 * e2m1 and the shared 8-bit (E8M0) block scale over 32 values; NVIDIA (Blackwell architecture
 * technical brief; "Introducing NVFP4", NVIDIA technical blog, 2025) for NVFP4: e2m1 values with an
 * E4M3 scale per 16 and a per-tensor fp32 scale.
 */
export const FORMAT_NAMES = [
  'fp32',
  'bf16',
  'fp16',
  'fp8_e4m3',
  'fp8_e5m2',
  'int8',
  'fp6',
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
  fp6: { bits: 6, kind: 'float', mantissaBits: 3, blockScaledByDefault: true },
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
  fp6_e2m3: 'fp6',
  e2m3: 'fp6',
  fp4_e2m1: 'fp4',
  e2m1: 'fp4',
  float32: 'fp32',
  float16: 'fp16',
  bfloat16: 'bf16',
};

export function resolveFormatName(name: string): FormatName | undefined {
  if ((FORMAT_NAMES as readonly string[]).includes(name)) return name as FormatName;
  return FORMAT_ALIASES[name];
}

/** Block sizes of the standard block formats: 16 (NVFP4), 32 (OCP MX), 64 and 128 (DeepSeek-style fp8, int4 groups); a design may support any of these. */
export const BLOCK_SIZES = [16, 32, 64, 128] as const;

/** The format of a block's shared scale: a power of two (OCP MX, E8M0) or an fp8 number (NVFP4, E4M3). */
export const SCALE_FORMATS = ['e8m0', 'e4m3'] as const;
export type ScaleFormat = (typeof SCALE_FORMATS)[number];

/**
 * A stored tensor's precision: a format, and for block-scaled formats the number of
 * values sharing one scale, the scale's width and its format (E8M0 when not given, as in the MX spec).
 */
export interface Precision {
  format: FormatName;
  /** Values per shared scale; 0 means one scale per tensor (negligible storage). */
  blockSize: number;
  scaleBits: number;
  scale?: ScaleFormat;
}

/**
 * The standard block formats, by name: each is one element format, one block size and one scale.
 *   mxfp8, mxfp6, mxfp4  OCP Microscaling Formats (MX) v1.0: E4M3 / E2M3 / E2M1 elements, an E8M0
 *                        (power-of-two) scale shared by 32 values: 8.25, 6.25, 4.25 bits per value.
 *   nvfp4                NVIDIA NVFP4: E2M1 elements, an E4M3 scale per 16 values (4.5 bits per
 *                        value) and one fp32 scale per tensor (negligible storage).
 */
export const BLOCK_FORMATS: Record<string, Required<Precision>> = {
  mxfp8: { format: 'fp8_e4m3', blockSize: 32, scaleBits: 8, scale: 'e8m0' },
  mxfp6: { format: 'fp6', blockSize: 32, scaleBits: 8, scale: 'e8m0' },
  mxfp4: { format: 'fp4', blockSize: 32, scaleBits: 8, scale: 'e8m0' },
  nvfp4: { format: 'fp4', blockSize: 16, scaleBits: 8, scale: 'e4m3' },
};

/** The precision a standard block format's name stands for, or undefined. */
export function namedPrecision(name: string): Precision | undefined {
  const p = BLOCK_FORMATS[name];
  return p ? { ...p } : undefined;
}

/** Why a precision naming `name` with `blockSize` is not valid (one line), or undefined when it is. */
export function precisionIssue(name: string, blockSize: number | undefined): string | undefined {
  const named = BLOCK_FORMATS[name];
  if (named && blockSize !== undefined && blockSize !== named.blockSize) {
    const others = Object.entries(BLOCK_FORMATS).filter(([n, p]) => n !== name && p.format === named.format && p.blockSize === blockSize).map(([n]) => n);
    return `${name} scales blocks of ${named.blockSize} values (${named.scale.toUpperCase()} scale), not ${blockSize}${others.length ? `; ${others.join(' or ')} scales blocks of ${blockSize}` : ''}`;
  }
  return undefined;
}

/** The scale format of a block-scaled precision (E8M0 unless it says otherwise). */
export function scaleFormatOf(p: Precision): ScaleFormat {
  return p.scale ?? 'e8m0';
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
    if (p.blockSize > 0 && f.bits <= 8) return blockFloatSnrDb(p);
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

/**
 * Non-negative values of a small float format, ascending: e exponent bits, m mantissa bits, bias
 * 2^(e-1) - 1, subnormals; E4M3 keeps its top code for NaN (max 448), E5M2 its top exponent for
 * Inf/NaN (max 57344); the MX 6- and 4-bit formats have no such codes (E2M3 max 7.5, E2M1 max 6).
 */
export function floatGrid(format: FormatName): number[] {
  const f = FORMATS[format];
  const m = f.mantissaBits;
  const e = f.bits - 1 - m;
  const bias = 2 ** (e - 1) - 1;
  const out: number[] = [];
  for (let E = 0; E < 2 ** e; E++) {
    if (format === 'fp8_e5m2' && E === 2 ** e - 1) break;
    for (let M = 0; M < 2 ** m; M++) {
      if (format === 'fp8_e4m3' && E === 2 ** e - 1 && M === 2 ** m - 1) break;
      out.push(E === 0 ? (M / 2 ** m) * 2 ** (1 - bias) : (1 + M / 2 ** m) * 2 ** (E - bias));
    }
  }
  return out;
}

/**
 * SQNR of a block-scaled small float on unit Gaussians, by numerical integration. A block of n
 * values has its absmax A (taken at its expected value, sqrt(2 ln n)) scaled onto the format's
 * largest value: for an E4M3 scale (NVFP4) the scale A / max is itself rounded to E4M3 (relative
 * error within 2^-4, averaged over that range), which clips A a little when it rounds down; for an
 * E8M0 scale, 2^(floor(log2 A) - emax) as the MX spec sets it, A / scale falls anywhere in
 * [2^emax, 2^(emax+1)) (averaged over that octave) and clips above the largest value. The other
 * n - 1 values are Gaussians below A; each rounds to the nearest grid point.
 */
function blockFloatSnrDb(p: Precision): number {
  const grid = floatGrid(p.format);
  const top = grid[grid.length - 1];
  const emax = Math.floor(Math.log2(top));
  const n = p.blockSize;
  const A = Math.sqrt(2 * Math.log(n));
  const quantize = (y: number) => {
    if (y >= top) return top;
    let lo = 0;
    let hi = grid.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (grid[mid] <= y) lo = mid;
      else hi = mid;
    }
    return y - grid[lo] <= grid[hi] - y ? grid[lo] : grid[hi];
  };
  // Moments of x ~ N(0, 1) below A by the trapezoid rule: P(|x| < A), E[x^2; |x| < A], E[err^2; |x| < A].
  const steps = 2000;
  const dx = A / steps;
  const below = (f: (x: number) => number) => {
    let acc = 0;
    for (let i = 0; i <= steps; i++) {
      const x = i * dx;
      acc += (i === 0 || i === steps ? 0.5 : 1) * f(x) * Math.exp((-x * x) / 2);
    }
    return (2 * acc * dx) / Math.sqrt(2 * Math.PI);
  };
  const mass = below(() => 1);
  const signal = ((n - 1) * (below((x) => x * x) / mass) + A * A) / n;
  const noiseAt = (ratio: number) => {
    const scale = A / ratio;
    const inner = below((x) => (x - scale * quantize(x / scale)) ** 2) / mass;
    const atMax = (A - scale * quantize(ratio)) ** 2;
    return ((n - 1) * inner + atMax) / n;
  };
  let noise = 0;
  const points = 16;
  for (let i = 0; i < points; i++) {
    const u = (i + 0.5) / points;
    noise += noiseAt(scaleFormatOf(p) === 'e4m3' ? top * (1 + (2 * u - 1) / 16) : 2 ** (emax + u)) / points;
  }
  return 10 * Math.log10(signal / noise);
}
