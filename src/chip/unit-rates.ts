import { FORMATS, type FormatName } from '../precision/formats.js';
import type { MatrixUnit } from './chip.js';

/** Whether `o`'s own enumerable keys are `keys`, in that order. */
export function sameKeys(o: object, keys: string[]): boolean {
  let i = 0;
  for (const k in o) if (keys[i++] !== k) return false;
  return i === keys.length;
}

/** The chip's per-format figures: peak MACs/s of all units, and the tile side and count of each format's fastest unit. */
export interface UnitRates {
  peakMacsPerSec: Partial<Record<FormatName, number>>;
  tileDim: Partial<Record<FormatName, number>>;
  unitCount: Partial<Record<FormatName, number>>;
}

export function unitRates(units: MatrixUnit[], clockHz: number): UnitRates {
  const peakMacsPerSec: Partial<Record<FormatName, number>> = {};
  const tileDim: Partial<Record<FormatName, number>> = {};
  const unitCount: Partial<Record<FormatName, number>> = {};
  const bestUnitRate: Partial<Record<FormatName, number>> = {};
  for (const u of units) {
    for (const k in u.macsPerCycle) {
      const f = k as FormatName;
      const rate = u.count * u.macsPerCycle[f]! * clockHz;
      peakMacsPerSec[f] = (peakMacsPerSec[f] ?? 0) + rate;
      if (rate > (bestUnitRate[f] ?? 0)) {
        bestUnitRate[f] = rate;
        tileDim[f] = u.tileDim;
        unitCount[f] = u.count;
      }
    }
  }
  return { peakMacsPerSec, tileDim, unitCount };
}

/**
 * A chip of one matrix unit by straight-line code for its formats (compiled once per list of
 * format names): its formats' MACs per cycle copied, and unitRates's three records. Built in a
 * loop, by stores to a key in a variable, those records were a tenth of a chip's build.
 */
export interface SingleUnitMaker {
  copy: (macsPerCycle: Partial<Record<FormatName, number>>) => Partial<Record<FormatName, number>>;
  /** unitRates of the one unit; undefined where a rate is not positive (the general loop then leaves that format's tile and count out). */
  rates: (macsPerCycle: Partial<Record<FormatName, number>>, count: number, tileDim: number, clockHz: number) => UnitRates | undefined;
}

/**
 * Makers by list of format names, and the last few asked for with their names, compared name by
 * name (a space has a few lists: no key string to build for them).
 */
const SINGLE_UNIT_MAKERS = new Map<string, SingleUnitMaker | null>();
const RECENT_MAKERS: { keys: string[]; make: SingleUnitMaker | null }[] = [];
/** Lists of format names compared before the key string is built: a space's choices of formats (inference-chip has two). */
const RECENT_MAKERS_KEPT = 8;

export function singleUnitMaker(macsPerCycle: object): SingleUnitMaker | null {
  for (const r of RECENT_MAKERS) if (sameKeys(macsPerCycle, r.keys)) return r.make;
  const keys = Object.keys(macsPerCycle);
  const name = keys.join(',');
  let make = SINGLE_UNIT_MAKERS.get(name);
  if (make === undefined) {
    if (SINGLE_UNIT_MAKERS.size > 256) SINGLE_UNIT_MAKERS.clear();
    SINGLE_UNIT_MAKERS.set(name, (make = compileSingleUnitMaker(keys)));
  }
  if (RECENT_MAKERS.length >= RECENT_MAKERS_KEPT) RECENT_MAKERS.pop();
  RECENT_MAKERS.unshift({ keys, make });
  return make;
}

/**
 * Each rate is count x MACs per cycle x clock, multiplied as unitRates does; null for names that
 * are not formats. Each record is an empty object given its keys one by one in their order, as
 * the general loop and the schema's parse make them (so they share their hidden classes): a
 * literal of the same keys would make the three records one hidden class, whose fields the peak
 * rates turn into doubles, tile sides and counts too, and every evaluator object copying them
 * would change its class as well (a second build in the same process then ran at half speed).
 */
function compileSingleUnitMaker(keys: string[]): SingleUnitMaker | null {
  if (keys.length === 0 || keys.some((k) => !Object.hasOwn(FORMATS, k))) return null;
  const q = (k: string) => JSON.stringify(k);
  const record = (name: string, value: (i: number) => string) => [`const ${name} = {};`, ...keys.map((k, i) => `${name}[${q(k)}] = ${value(i)};`)].join('\n');
  const rates = keys.map((k, i) => `const r${i} = count * m[${q(k)}] * clockHz;`).join('\n');
  const positive = keys.map((_, i) => `r${i} > 0`).join(' && ');
  return {
    copy: new Function('m', `${record('o', (i) => `m[${q(keys[i])}]`)}\nreturn o;`) as SingleUnitMaker['copy'],
    rates: new Function(
      'm', 'count', 'tileDim', 'clockHz',
      `${rates}\nif (!(${positive})) return undefined;\n${record('p', (i) => `r${i}`)}\n${record('t', () => 'tileDim')}\n${record('u', () => 'count')}\nreturn { peakMacsPerSec: p, tileDim: t, unitCount: u };`,
    ) as SingleUnitMaker['rates'],
  };
}

/**
 * A copier of records whose own enumerable keys are `keys`, in that order, compiled to an object
 * literal: what `{ ...r }` gives for such a record (a plain object of data properties), without
 * the spread's generic path, ~90-150 ns for a chip's 11-format pJ table against ~5-10 (bench/NOTES.md,
 * e29). Null where a key cannot be written in a literal as a plain field (`__proto__`).
 */
export function recordCopier<T extends object>(keys: string[]): ((r: T) => T) | null {
  if (keys.some((k) => k === '__proto__')) return null;
  const q = (k: string) => JSON.stringify(k);
  return new Function('r', `return { ${keys.map((k) => `${q(k)}: r[${q(k)}]`).join(', ')} };`) as (r: T) => T;
}
