import { designReasons, fixed0 } from '../src/chip/buildability.js';
import { loadDesign } from '../src/chip/load.js';
import { recordCopier } from '../src/chip/unit-rates.js';
import { evaluate, evaluateOnChip, onChip } from '../src/eval/evaluate.js';
import { combineMix } from '../src/eval/mix.js';
import { chipForGenome } from '../src/search/design-template.js';
import { METRIC_NAMES, metricValue, type Metrics } from '../src/eval/types.js';
import { genomeAt } from '../src/search/algorithms.js';
import { evaluateGenome, keyMaker, metricReader, paramsMaker } from '../src/search/problem.js';
import { genomeKey } from '../src/results/point.js';
import { genomeParams, loadSpace, type Space } from '../src/search/space.js';
import { loadWorkload } from '../src/workload/load.js';

/** What evaluateGenome and buildChip resolve once instead of per design (e29): each the same as the general code it stands for. */

describe('fixed0: x.toFixed(0)', () => {
  test('the same string on ties, near-ties, the limits of the fast path and the values it leaves to toFixed', () => {
    const xs = [0, -0, 0.5, 1.5, 2.5, 0.49999999999999994, 857.5, 858.4999999999999, 944.5, 1e6 + 0.5, 2 ** 52 - 0.5, 2 ** 52, 2 ** 53 + 2, 123456789012345680000, 1e21, 1e300, -0.4, -2.5, -1e6, NaN, Infinity, -Infinity, 1e-300];
    for (let i = 0; i < 2000; i++) xs.push(Math.abs(Math.sin(i + 1)) * 10 ** (i % 18), (i % 1000) + 0.5);
    for (const x of xs) expect([x, fixed0(x)]).toEqual([x, x.toFixed(0)]);
  });

  test('the reticle reason prints the die area as toFixed(0) did', () => {
    const chip = loadDesign('tpu7x');
    const big = { ...chip, area: { ...chip.area, perDieMm2: 944.5 } };
    expect(designReasons(big)[0]).toBe('die of 945 mm2 exceeds the 858 mm2 reticle limit (split it over more dies)');
  });
});

describe('recordCopier: { ...r } of a record of known keys', () => {
  test('a new object with the same keys in the same order and the same values', () => {
    const r = { fp8_e4m3: 0.25, bf16: 0.5, int8: 0.2, fp4: 0.125 };
    const copy = recordCopier<typeof r>(Object.keys(r))!;
    const c = copy(r);
    expect(c).not.toBe(r);
    expect(Object.keys(c)).toEqual(Object.keys({ ...r }));
    expect(c).toEqual({ ...r });
    expect(recordCopier(['a', '__proto__'])).toBeNull();
  });

  test("a built chip's pJ per MAC is its own copy of the shared table", () => {
    const a = loadDesign('tpu7x');
    const b = loadDesign('tpu7x');
    expect(a.energy.pjPerMac).not.toBe(b.energy.pjPerMac);
    expect(a.energy.pjPerMac).toEqual(b.energy.pjPerMac);
    a.energy.pjPerMac.bf16 = 123;
    expect(loadDesign('tpu7x').energy.pjPerMac.bf16).toBe(b.energy.pjPerMac.bf16);
  });
});

describe("evaluateGenome's per-space plan", () => {
  const metrics = (): Metrics => evaluate(loadDesign('tpu7x'), loadWorkload('llama-3-70b-serve'), { detail: false }).metrics;

  test('metricReader reads every metric as metricValue does (booleans as 1 and 0, energy parts)', () => {
    const m = metrics();
    for (const fits of [true, false]) {
      const x = { ...m, fits };
      for (const name of METRIC_NAMES) expect([name, metricReader(name)(x)]).toEqual([name, metricValue(x, name)]);
    }
    expect(METRIC_NAMES.some((n) => n.startsWith('energyBreakdownJ.'))).toBe(true);
  });

  const spaceOf = (names: string[]): Space => ({ parameters: names.map((name, i) => ({ name, categorical: false, values: [i * 10, i * 10 + 1, { v: i }], apply: () => undefined })) }) as unknown as Space;

  test('the parameters record is genomeParams\'s: keys in order, integer-like names, a duplicate name overwriting in place, __proto__', () => {
    const many = Array.from({ length: 70 }, (_, i) => `p${i}`);
    for (const names of [['mxus', 'sramMiB', 'formats'], ['b', '1', 'a', '0'], ['a', 'b', 'a'], ['x', '__proto__'], [], many]) {
      const space = spaceOf(names);
      for (const g of [names.map(() => 0), names.map(() => 2), names.map((_, i) => i % 3)]) {
        const want = genomeParams(space, g);
        const got = paramsMaker(space)(g);
        expect([names, Object.keys(got)]).toEqual([names, Object.keys(want)]);
        expect(got).toEqual(want);
        expect(Object.getPrototypeOf(got)).toBe(Object.getPrototypeOf(want));
      }
    }
  });

  test("the key is genomeKey's: on first use and after, and for genomes that are not the space's indices", () => {
    for (const names of [['a', 'b', 'c'], ['only'], [], Array.from({ length: 70 }, (_, i) => `p${i}`)]) {
      const key = keyMaker(spaceOf(names));
      const n = names.length;
      const odd = [names.map(() => 1.5), names.map(() => -1), names.map(() => -0), names.map(() => 3), names.map(() => NaN), [...names.map(() => 1), 2], names.slice(1).map(() => 0), names.map(() => '1'), names.map(() => '01')];
      const genomes: unknown[][] = [names.map(() => 0), names.map((_, i) => i % 3), names.map(() => 2), ...odd];
      for (let round = 0; round < 2; round++) for (const g of genomes) expect([g, n, key(g as number[])]).toEqual([g, n, genomeKey(g as number[])]);
    }
    const space = loadSpace('inference-chip');
    const key = keyMaker(space);
    for (let i = 0; i < space.size; i += 97) for (let round = 0; round < 2; round++) expect(key(genomeAt(space, i))).toBe(genomeKey(genomeAt(space, i)));
  });

  test('a space given new parameters gets a new plan', () => {
    const space = loadSpace('inference-chip');
    const problem = { space, workloads: [loadWorkload('llama-3-70b-serve')] };
    const g = genomeAt(space, 7);
    expect(evaluateGenome(problem, g).params).toEqual(genomeParams(space, g));
    const renamed = { ...space, parameters: space.parameters.map((p) => ({ ...p, name: `p_${p.name}` })) };
    expect(Object.keys(evaluateGenome({ ...problem, space: renamed }, g).params)).toEqual(space.parameters.map((p) => `p_${p.name}`));
    space.parameters = renamed.parameters;
    expect(evaluateGenome(problem, g).params).toEqual(genomeParams(space, g));
    expect(Object.keys(evaluateGenome(problem, g).params)[0]).toMatch(/^p_/);
  });
});

describe("one chip's context for all its workloads (evaluateGenome, evaluateOnChip)", () => {
  const space = loadSpace('inference-chip');
  const workloads = ['llama-3-70b-serve', 'llama-3-70b-serve-fp4', 'llama-3-8b-spec-decode', 'llama-3-70b-train'].map((n) => loadWorkload(n));
  // Designs within the reticle and beyond it (design reasons), by a stride over the space.
  const genomes = [0, 1, 977, 4099, 8191, 12959].map((i) => genomeAt(space, i));

  test("each workload's answer is evaluate's with a context of its own", () => {
    let reasoned = 0;
    for (const g of genomes) {
      const r = evaluateGenome({ space, workloads }, g);
      for (const w of workloads) {
        const alone = evaluate(chipForGenome(space, g, 'x'), w, { detail: false });
        expect([g, w.name, r.metrics![w.name]]).toEqual([g, w.name, alone.metrics]);
        for (const reason of alone.reasons) expect(r.reasons).toContain(`${w.name}: ${reason}`);
        if (alone.reasons.some((x) => x.startsWith('die of'))) reasoned++;
      }
    }
    expect(reasoned).toBeGreaterThan(0);
  });

  test("a mix's parts share the context: the mix evaluate gave from a context per part", () => {
    const mix = loadWorkload('serve-train-mix');
    for (const g of genomes) {
      const chip = chipForGenome(space, g, 'x');
      const parts = mix.mix!.map((c) => ({ workload: c.workload.name, weight: c.weight, evaluation: evaluate(chip, c.workload, { detail: false }) }));
      const shared = onChip(chip);
      // The parts first, then the mix on the same context: what the parts left in it changes nothing.
      for (const w of workloads) evaluateOnChip(shared, w, { detail: false });
      expect(evaluateOnChip(shared, mix, { detail: false })).toEqual(combineMix(chip, mix, parts));
    }
  });
});
