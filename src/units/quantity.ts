/**
 * Physical quantities in design and workload files.
 *
 * A quantity is either a plain number in the base unit the key names
 * (`bytes`, `bytesPerSec`, `clockHz`, `latencySec`, `watts`) or a string with a
 * unit, e.g. "80 GB", "3.35 TB/s", "400 Gb/s", "1.83 GHz", "500 ns". Strings are converted
 * once, at parse time; the rest of the code only sees base units.
 * Decimal prefixes (kB, MB, GB) are powers of 1000, binary ones (KiB, MiB, GiB) powers of 1024.
 */

export type Dimension = 'bytes' | 'bytesPerSec' | 'hertz' | 'seconds' | 'watts';

const DECIMAL: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };

function prefixFactor(prefix: string): number | undefined {
  return BINARY[prefix] ?? DECIMAL[prefix];
}

const UNIT_PATTERNS: Record<Dimension, { re: RegExp; scale: (m: RegExpMatchArray) => number | undefined }> = {
  bytes: {
    re: /^(|k|K|M|G|T|P|Ki|Mi|Gi|Ti|Pi)B$/,
    scale: (m) => prefixFactor(m[1]),
  },
  // Bytes per second ("450 GB/s"), or bits per second as links are sold ("400 Gb/s", "1.6 Tb/s", "100 Gbps"): 8 bits a byte.
  bytesPerSec: {
    re: /^(|k|K|M|G|T|P|Ki|Mi|Gi|Ti|Pi)(B\/s|b\/s|bps)$/,
    scale: (m) => {
      const f = prefixFactor(m[1]);
      return f === undefined ? undefined : m[2] === 'B/s' ? f : f / 8;
    },
  },
  hertz: { re: /^(|k|M|G)Hz$/, scale: (m) => DECIMAL[m[1]] },
  seconds: {
    re: /^(s|ms|us|µs|ns|min|h)$/,
    scale: (m) => ({ s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9, min: 60, h: 3600 })[m[1]],
  },
  watts: { re: /^(|k|M)W$/, scale: (m) => DECIMAL[m[1]] },
};

export const UNIT_EXAMPLES: Record<Dimension, string> = {
  bytes: 'a number of bytes or a size like "80 GB" or "50 MiB"',
  bytesPerSec: 'a number of bytes/s or a rate like "3.35 TB/s", "450 GB/s" or, in bits, "400 Gb/s"',
  hertz: 'a number of Hz or a frequency like "1.83 GHz"',
  seconds: 'a number of seconds or a time like "500 ns", "2 us", "50 ms"',
  watts: 'a number of watts or a power like "700 W"',
};

/** Parses a number or a "<number> <unit>" string into the base unit; undefined when it is neither. */
export function parseQuantity(value: unknown, dim: Dimension): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = value.trim().match(/^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\s\d].*)?$/);
  if (!m) return undefined;
  const num = Number(m[1]);
  const unit = (m[2] ?? '').trim();
  if (unit === '') return Number.isFinite(num) ? num : undefined;
  const pattern = UNIT_PATTERNS[dim];
  const um = unit.match(pattern.re);
  if (!um) return undefined;
  const scale = pattern.scale(um);
  if (scale === undefined) return undefined;
  const result = num * scale;
  return Number.isFinite(result) ? result : undefined;
}
