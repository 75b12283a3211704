import { defaultPrecision, namedPrecision, resolveFormatName, DEFAULT_SCALE_BITS, type Precision } from '../precision/formats.js';

/** A precision as a file gives it: a format name, a standard block format (nvfp4, mxfp4, ...), or a format with its block size and scale bits. */
export type RawPrecision = string | { format: string; blockSize?: number; scaleBits?: number };

/** The canonical precision of a validated file value (format names resolved, block defaults filled in). */
export function toPrecision(raw: RawPrecision): Precision {
  const name = typeof raw === 'string' ? raw : raw.format;
  const base = namedPrecision(name) ?? defaultPrecision(resolveFormatName(name)!);
  if (typeof raw === 'string') return base;
  const blockSize = raw.blockSize ?? base.blockSize;
  return { ...base, blockSize, scaleBits: blockSize > 0 ? (raw.scaleBits ?? (base.scaleBits || DEFAULT_SCALE_BITS)) : 0 };
}
