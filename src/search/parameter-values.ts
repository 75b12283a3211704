import type { Issue } from '../errors.js';
import type { ParameterFile } from './space-schema.js';

/** The values of a space's parameter, in order, from its file entry; problems go to `issues`. */
export function parameterValues(p: ParameterFile, at: string, issues: Issue[]): unknown[] {
  switch (p.type) {
    case 'int': {
      if (p.min === undefined || p.max === undefined) {
        issues.push({ path: at, message: 'type int needs min and max' });
        return [];
      }
      const step = p.step ?? 1;
      if (p.min > p.max) issues.push({ path: `${at}.min`, message: `min ${p.min} is above max ${p.max}: the range is empty` });
      const out: number[] = [];
      // Whole numbers below 1e12 are exact as they are: rounding each (a million of them) is start-up time, in every worker.
      const exact = Number.isInteger(p.min) && Number.isInteger(step) && p.max < 1e12;
      for (let v = p.min; v <= p.max + 1e-9 * step && out.length <= 1e6; v += step) out.push(exact ? v : Number(v.toPrecision(12)));
      if (out.length > 1e6) issues.push({ path: at, message: 'more than a million values; raise step' });
      return out;
    }
    case 'pow2': {
      if (p.min === undefined || p.max === undefined) {
        issues.push({ path: at, message: 'type pow2 needs min and max' });
        return [];
      }
      const isPow2 = (x: number) => Number.isInteger(Math.log2(x));
      if (!isPow2(p.min)) issues.push({ path: `${at}.min`, message: `expected a power of two, got ${p.min}` });
      if (!isPow2(p.max)) issues.push({ path: `${at}.max`, message: `expected a power of two, got ${p.max}` });
      if (p.min > p.max) issues.push({ path: `${at}.min`, message: `min ${p.min} is above max ${p.max}: the range is empty` });
      const out: number[] = [];
      for (let v = p.min; v <= p.max; v *= 2) out.push(v);
      return out;
    }
    case 'values':
    case 'choice': {
      if (!p.values) {
        issues.push({ path: `${at}.values`, message: `type ${p.type} needs a list of values` });
        return [];
      }
      if (!allDistinct(p.values)) issues.push({ path: `${at}.values`, message: 'values must be distinct' });
      return p.values;
    }
  }
}

/** Whether no two values are equal as JSON: numbers, strings and the like compared as they are (a million of them, in every worker), objects by their JSON. */
function allDistinct(values: unknown[]): boolean {
  if (values.every((v) => typeof v === 'number')) {
    const sorted = Float64Array.from(values as number[]).sort();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return false;
    return true;
  }
  const plain = new Set<unknown>();
  const objects = new Set<string>();
  for (const v of values) {
    const set = typeof v === 'object' && v !== null ? objects : plain;
    const key = set === objects ? JSON.stringify(v) : v;
    if (set.has(key as never)) return false;
    set.add(key as never);
  }
  return true;
}
