import { listDesignPresets, loadDesign } from '../src/chip/load.js';
import { ChipContext, ContextFabrics } from '../src/eval/context.js';
import { selectComputeFormat } from '../src/eval/format-select.js';
import { bytesPerValue, FORMATS, type FormatName, type Precision } from '../src/precision/formats.js';
import type { Fabric } from '../src/interconnect/collectives.js';

/**
 * ChipContext keeps its first two operand pairs, value precisions and fabrics in fields of its own
 * and the rest in arrays or a Map made when needed (src/eval/context.ts): whatever the order and
 * number of the lookups, each answers what a lookup on a fresh context answers, by identity.
 */
const precisions = (): Precision[] => {
  const ps: Precision[] = [];
  for (const format of Object.keys(FORMATS) as FormatName[]) {
    ps.push({ format, blockSize: 0, scaleBits: 0 } as Precision);
    ps.push({ format, blockSize: 32, scaleBits: 8 } as Precision);
  }
  return ps;
};

describe('ChipContext: operands and bytes per value past its in-field slots', () => {
  test.each(listDesignPresets())('%s', (design) => {
    const chip = loadDesign(design);
    const ps = precisions();
    const cx = new ChipContext(chip);
    // More pairs than the fields and the arrays' limit hold, asked in turn three times over: pairs
    // the chip can compute first (their operands an object to keep), then some it cannot.
    const pairs: [Precision, Precision][] = [];
    for (const a of ps) for (const b of ps) pairs.push([a, b]);
    const computable = pairs.filter(([a, b]) => new ChipContext(chip).operands(a, b) !== undefined);
    const not = pairs.filter(([a, b]) => new ChipContext(chip).operands(a, b) === undefined);
    expect(computable.length).toBeGreaterThanOrEqual(36);
    const rounds = [...computable.filter((_, i) => i % 3 === 0).slice(0, 36), ...not.slice(0, 9)];
    expect(rounds.length).toBe(45);
    // The first result of each of the first 32 distinct pairs (those kept): the same object every time after.
    const first = new Map<string, ReturnType<ChipContext['operands']>>();
    const key = (a: Precision, b: Precision) => `${ps.indexOf(a)},${ps.indexOf(b)}`;
    for (let r = 0; r < 3; r++) {
      for (const [a, b] of rounds) {
        const got = cx.operands(a, b);
        if (!first.has(key(a, b)) && first.size < 32) first.set(key(a, b), got);
        if (first.has(key(a, b))) expect(got).toBe(first.get(key(a, b)));
        const fresh = new ChipContext(chip).operands(a, b);
        expect(got).toEqual(fresh);
        expect(cx.select(a, b)).toEqual(selectComputeFormat(chip, a, b));
        expect(Object.is(cx.bytesOf(a), bytesPerValue(a))).toBe(true);
        expect(Object.is(cx.bytesOf(b), bytesPerValue(b))).toBe(true);
      }
    }
    expect(first.size).toBe(32);
  });
});

describe('ContextFabrics: two in fields, more in a Map', () => {
  test('get, has and set over five group sizes, in any order, replacing', () => {
    const f = new ContextFabrics();
    const made = (g: number, tag: number) => ({ bandwidth: g, pjPerBit: tag }) as unknown as Fabric;
    const want = new Map<number, Fabric>();
    const order = [8, 2, 8, 16, 4, 2, 32, 16, 8, 4];
    order.forEach((g, i) => {
      for (const h of [2, 4, 8, 16, 32]) {
        expect(f.get(h)).toBe(want.get(h));
        expect(f.has(h)).toBe(want.has(h));
      }
      const x = made(g, i);
      f.set(g, x);
      want.set(g, x);
    });
    for (const h of [1, 2, 4, 8, 16, 32, 64]) expect(f.get(h)).toBe(want.get(h));
  });
});
