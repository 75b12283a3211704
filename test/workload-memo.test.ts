import { workloadMemo } from '../src/eval/step-lists.js';
import type { Workload } from '../src/workload/workload.js';

/**
 * workloadMemo answers the last workload from its last value without the WeakMap (step-lists.ts):
 * each workload's value is made once, and every call, in any order of workloads, returns that value.
 */
describe('workloadMemo', () => {
  test('one value per workload, whatever the order asked', () => {
    const made: string[] = [];
    const memo = workloadMemo((w: Workload) => {
      made.push(w.name);
      return { of: w.name };
    });
    const ws = ['a', 'b', 'c'].map((name) => ({ name }) as unknown as Workload);
    const first = new Map<Workload, unknown>();
    for (const i of [0, 0, 1, 0, 2, 2, 1, 0, 1, 1, 2, 0]) {
      const v = memo(ws[i]);
      if (!first.has(ws[i])) first.set(ws[i], v);
      expect(v).toBe(first.get(ws[i]));
      expect(v).toEqual({ of: ws[i].name });
    }
    expect(made).toEqual(['a', 'b', 'c']);
    // The workload is frozen when its value is first made.
    expect(Object.isFrozen(ws[0])).toBe(true);
  });
});
