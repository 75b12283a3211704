import { z } from 'zod';
import { parseQuantity, UNIT_EXAMPLES, type Dimension } from '../units/quantity.js';

/** A missing field says so, rather than "expected object, received undefined". */
z.config({
  customError: (iss) => {
    if (iss.input !== undefined) return undefined;
    if (iss.code === 'invalid_type') return `required: expected ${iss.expected}`;
    if (iss.code === 'invalid_value') return `required: expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    return undefined;
  },
});

/**
 * The smallest positive value any field takes. Anything below it is absurd in every unit used here
 * (a picosecond, a picojoule, 1e-12 of a byte), and a subnormal such as 1e-320 would turn a
 * division into Infinity and the metrics built on it into NaN.
 */
export const TINY = 1e-12;
const tinyMessage = (raw: unknown) => `expected at least ${TINY.toExponential(0)}, got ${JSON.stringify(raw)} (absurdly small for this field)`;

/**
 * A physical quantity field: a number in the base unit or a string with a unit, checked
 * to be finite and within [min, max] (max rejects absurd sizes such as 1e30 bytes of SRAM).
 */
export function quantity(dim: Dimension, opts: { min?: number; max: number; allowZero?: boolean }) {
  const min = opts.min ?? 0;
  return z
    .union([z.number(), z.string()])
    .transform((raw, ctx) => {
      const v = parseQuantity(raw, dim);
      if (v === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${UNIT_EXAMPLES[dim]}, got ${JSON.stringify(raw)}` });
        return z.NEVER;
      }
      const tooSmall = opts.allowZero ? v < min : v <= min;
      if (tooSmall) {
        ctx.addIssue({ code: 'custom', message: `expected a value ${opts.allowZero ? '>=' : '>'} ${min}, got ${JSON.stringify(raw)}` });
        return z.NEVER;
      }
      if (v > 0 && v < TINY) {
        ctx.addIssue({ code: 'custom', message: tinyMessage(raw) });
        return z.NEVER;
      }
      if (v > opts.max) {
        ctx.addIssue({ code: 'custom', message: `expected at most ${opts.max.toExponential(1)}, got ${JSON.stringify(raw)} (absurd for this field)` });
        return z.NEVER;
      }
      return v;
    })
    .meta({ description: UNIT_EXAMPLES[dim] });
}

/** A finite positive number with a sanity ceiling. */
export function positive(max: number, description?: string) {
  const s = z.number().positive().max(max).refine((v) => !(v > 0 && v < TINY), { error: (iss) => tinyMessage(iss.input) });
  return description ? s.meta({ description }) : s;
}

/** A whole number in [1, max]; an out-of-range value gets one message (not also zod's safe-integer one). */
export function positiveInt(max: number, description?: string) {
  const s = z.number().positive({ abort: true }).max(max, { abort: true }).int();
  return description ? s.meta({ description }) : s;
}

export function fraction(description?: string) {
  const s = z.number().gt(0).max(1).refine((v) => !(v > 0 && v < TINY), { error: (iss) => tinyMessage(iss.input) });
  return description ? s.meta({ description }) : s;
}
