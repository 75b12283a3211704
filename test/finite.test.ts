import { loadDesign } from '../src/chip/load.js';
import { evaluate } from '../src/eval/evaluate.js';
import type { Metrics } from '../src/eval/types.js';
import { allFinite, metricsFinite, nonFiniteNumbers } from '../src/results/finite.js';
import { loadWorkload } from '../src/workload/load.js';

/** The finiteness checks a search runs on every design's metrics (src/results/finite.ts). */

const metrics = (): Metrics => evaluate(loadDesign('h100-sxm'), loadWorkload('llama-3-70b-serve'), { detail: false }).metrics;

describe('metricsFinite: allFinite of a Metrics, field by field', () => {
  test('every number of real metrics (the energy parts too) is checked: each one made NaN or infinite is found', () => {
    const m = metrics();
    expect(metricsFinite(m)).toBe(true);
    let numbers = 0;
    for (const k of Object.keys(m) as (keyof Metrics)[]) {
      if (typeof m[k] === 'number') {
        numbers++;
        for (const bad of [NaN, Infinity, -Infinity]) {
          const x = { ...m, [k]: bad };
          expect([k, metricsFinite(x)]).toEqual([k, false]);
          expect(allFinite(x)).toBe(false);
          expect(nonFiniteNumbers(x)).toEqual([`${k} = ${bad}`]);
        }
      }
    }
    for (const k of Object.keys(m.energyBreakdownJ) as (keyof Metrics['energyBreakdownJ'])[]) {
      numbers++;
      const x = { ...m, energyBreakdownJ: { ...m.energyBreakdownJ, [k]: NaN } };
      expect([k, metricsFinite(x)]).toEqual([k, false]);
    }
    // 25 metrics and 5 energy parts: a number added to Metrics is caught above (made NaN, still "finite") until it is listed.
    expect(numbers).toBe(30);
  });

  test('the other fields (bound, fits) are not numbers and do not count', () => {
    const m = metrics();
    expect(metricsFinite({ ...m, fits: false, boundBy: 'memory' })).toBe(true);
  });
});
