import { defaultPrecision, resolveFormatName, DEFAULT_SCALE_BITS, type Precision } from '../precision/formats.js';

/** A precision as a file gives it: a format name, or a format with its block size and scale bits. */
export type RawPrecision = string | { format: string; blockSize?: number; scaleBits?: number };

/** The canonical precision of a validated file value (format names resolved, block defaults filled in). */
export function toPrecision(raw: RawPrecision): Precision {
  if (typeof raw === 'string') return defaultPrecision(resolveFormatName(raw)!);
  const base = defaultPrecision(resolveFormatName(raw.format)!);
  const blockSize = raw.blockSize ?? base.blockSize;
  return { format: base.format, blockSize, scaleBits: blockSize > 0 ? (raw.scaleBits ?? (base.scaleBits || DEFAULT_SCALE_BITS)) : 0 };
}
