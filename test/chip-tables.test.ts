import { isDeepStrictEqual } from 'node:util';
import { buildChip, crossFieldIssues } from '../src/chip/build.js';
import { forgetChipTables } from '../src/chip/chip-tables.js';
import { assemblyYieldOf } from '../src/chip/cost.js';
import { parseDesign } from '../src/chip/load.js';
import type { DesignFile } from '../src/chip/schema.js';
import { genomeAt } from '../src/search/algorithms.js';
import { chipForGenome, compileDesignTemplate } from '../src/search/design-template.js';
import { loadSpace } from '../src/search/space.js';
import { rawDesign } from './helpers/designs.js';

/**
 * The chip build keeps what a few genes determine (chip-tables.ts: technology tables, a unit's
 * profile by its formats object, clock figures by clock ratio; cost.ts: assembly yields by part
 * count). A chip built from kept figures must be the chip built from none, whatever was built
 * before it: a kept figure that misses one of the things it depends on goes stale, and shows here.
 */
describe('chip tables: kept figures never go stale', () => {
  const cold = (f: () => unknown) => {
    forgetChipTables();
    return f();
  };

  test.each(['inference-chip', 'training-chip'])('%s: each gene changed in turn, a chip from kept figures equals one from none', (name) => {
    const space = loadSpace(name);
    // The designs come from the space's design template (which shares each value's object among its designs, so kept figures are found again).
    expect(compileDesignTemplate(space)).toBeDefined();
    const chip = (g: number[]) => {
      try {
        return chipForGenome(space, g, 'f');
      } catch (e) {
        return String(e);
      }
    };
    let compared = 0;
    for (const start of [0, Math.floor(space.size / 3), space.size - 1]) {
      const g0 = genomeAt(space, start);
      for (let i = 0; i < g0.length; i++) {
        for (let v = 0; v < space.parameters[i].values.length; v++) {
          const g = [...g0];
          g[i] = v;
          // Warm: the neighbour (value v - 1 of the same gene, or g0) was built just before.
          chip(v > 0 ? Object.assign([...g], { [i]: v - 1 }) : g0);
          const warm = chip(g);
          expect(isDeepStrictEqual(warm, cold(() => chip(g)))).toBe(true);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  test('a design whose unit formats object is changed in place gets the changed chip (values and keys)', () => {
    const file = parseDesign(rawDesign('tpu7x'), 'tpu7x').file;
    const d = structuredClone(file) as DesignFile;
    const macs = d.compute.matrixUnits[0].macsPerCycle as Record<string, number>;
    const before = buildChip(d);
    for (const k of Object.keys(macs)) macs[k] *= 2;
    const doubled = buildChip(d);
    expect(isDeepStrictEqual(doubled, cold(() => buildChip(structuredClone(d))))).toBe(true);
    expect(doubled.area.matrixMm2).not.toBe(before.area.matrixMm2);
    macs.int8 = macs.fp8_e4m3;
    const added = buildChip(d);
    expect(isDeepStrictEqual(added, cold(() => buildChip(structuredClone(d))))).toBe(true);
    expect(Object.keys(added.energy.pjPerMac)).toEqual(Object.keys(doubled.energy.pjPerMac));
    expect(added.peakMacsPerSec.int8).toBeGreaterThan(0);
    // The same formats object on other process nodes and HBM generations: their areas and energies per MAC.
    for (const [node, hbm] of [['5nm', 'hbm3'], ['3nm', 'hbm3e'], ['16nm', 'hbm3e'], ['5nm', 'hbm3e']] as const) {
      d.processNode = node;
      d.memory.hbm.generation = hbm;
      expect(isDeepStrictEqual(buildChip(d), cold(() => buildChip(structuredClone(d))))).toBe(true);
    }
  });

  test('block scaling\'s narrow-format rule follows a formats object changed in place', () => {
    const d = structuredClone(parseDesign(rawDesign('tpu7x'), 'tpu7x').file) as DesignFile;
    d.compute.blockScaling = { blockSizes: [32], scaleBits: 8 };
    const macs = d.compute.matrixUnits[0].macsPerCycle as Record<string, number>;
    const rule = () => crossFieldIssues(d).filter((i) => i.path === 'compute.blockScaling').length;
    expect(rule()).toBe(0);
    delete macs.fp8_e4m3;
    delete macs.fp8_e5m2;
    expect(rule()).toBe(1);
    macs.int4 = 1024;
    expect(rule()).toBe(0);
    delete macs.int4;
    expect(rule()).toBe(1);
  });

  test('the same formats object at another clock: the clock\'s voltage and energies, not the last one\'s', () => {
    const d = structuredClone(parseDesign(rawDesign('tpu7x'), 'tpu7x').file) as DesignFile;
    const at = (hz: number) => {
      d.compute.clockHz = hz;
      return buildChip(d);
    };
    for (const hz of [1.2e9, 2.4e9, 3.6e9, 2.4e9, 1.2e9]) {
      const warm = at(hz);
      expect(isDeepStrictEqual(warm, cold(() => buildChip(structuredClone(d))))).toBe(true);
    }
    expect(at(1.2e9).energy.vectorPjPerFlop).not.toBe(at(3.6e9).energy.vectorPjPerFlop);
  });

  test('assembly yields by part count equal the power, for alternating yields per part', () => {
    for (const perPart of [0.99, 0.98, 0.99, 1, 0.5, NaN, 0.99]) {
      for (const parts of [0, 1, 2, 11, 255, 256, 1000, 2.5, -1, NaN]) expect(Object.is(assemblyYieldOf(perPart, parts), perPart ** parts)).toBe(true);
    }
  });
});
