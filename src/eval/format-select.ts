import { FORMATS, type FormatName, type Precision } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';

/** Can values of format `f` be held exactly in format `g`? (an int4 weight in an fp8 e4m3 lane, say) */
export function representable(f: FormatName, g: FormatName): boolean {
  if (f === g) return true;
  const a = FORMATS[f];
  const b = FORMATS[g];
  if (b.kind === 'float') {
    if (a.kind === 'int') return a.bits - 1 <= b.mantissaBits + 1;
    return a.mantissaBits <= b.mantissaBits && a.bits <= b.bits && !(f === 'fp8_e5m2' && g === 'fp8_e4m3');
  }
  return a.kind === 'int' && a.bits <= b.bits;
}

/**
 * The format a matrix product runs in on this chip, and whether it runs natively.
 * It runs in the operands' wider format when the chip has units for it and, where an operand in
 * that format is block-scaled, scale support for its block size. Otherwise it runs in the fastest
 * supported format that holds both operands exactly. `native` is false when an operand must first
 * be converted (weight-only quantization: int4 weights with bf16 activations run in bf16 after
 * dequantizing the weights on the vector unit).
 */
export function selectComputeFormat(chip: Chip, a: Precision, b: Precision): { format: FormatName; native: boolean } | undefined {
  const want = FORMATS[a.format].bits >= FORMATS[b.format].bits ? a.format : b.format;
  const scaledAt = (p: Precision) => (p.blockSize > 0 && p.format === want ? p.blockSize : 0);
  const blockSize = Math.max(scaledAt(a), scaledAt(b));
  const scaleOk = blockSize === 0 || (chip.blockScaling?.blockSizes.some((s) => s <= blockSize) ?? false);
  if (chip.peakMacsPerSec[want] && scaleOk) return { format: want, native: a.format === want && b.format === want };
  let best: FormatName | undefined;
  for (const [g, rate] of Object.entries(chip.peakMacsPerSec) as [FormatName, number][]) {
    if (!representable(a.format, g) || !representable(b.format, g)) continue;
    if (blockSize > 0 && g === want) continue;
    if (best === undefined || rate > (chip.peakMacsPerSec[best] ?? 0)) best = g;
  }
  return best ? { format: best, native: false } : undefined;
}
