import seedrandom from 'seedrandom';
import { calcBlockScalingAreaMm2, calcMatrixAreaMm2, SCALE_STEP_VS_FP8, MULTI_FORMAT_OVERHEAD } from '../src/chip/area.js';
import { unitRates } from '../src/chip/unit-rates.js';
import type { MatrixUnit } from '../src/chip/chip.js';
import { calcCostUsd, calcGoodDieUsd } from '../src/chip/cost.js';
import { listDesignPresets, loadDesign } from '../src/chip/load.js';
import { defaultMm2PerMac, NODE_TECHNOLOGY } from '../src/chip/technology.js';
import { FORMAT_NAMES, FORMATS, type FormatName } from '../src/precision/formats.js';
import { genomeAt } from '../src/search/algorithms.js';
import { chipForGenome } from '../src/search/design-template.js';
import { loadSpace } from '../src/search/space.js';
import { designWith } from './helpers/designs.js';

/**
 * The chip build's fast paths give the numbers (to the bit) and the records (keys in the same
 * order) of the plain code they replace: a chip of one matrix unit by compiled object literals,
 * the areas by loops instead of Math.max over spread arrays, a die's cost from the dies per wafer
 * and yield the cost breakdown has already.
 */
describe('chip build: fast paths give the plain code\'s figures', () => {
  const json = (x: unknown) => JSON.stringify(x);

  test('a chip of one matrix unit has the general loop\'s peak rates, tile sides and unit counts, keys in the same order', () => {
    const chips = listDesignPresets().map((n) => loadDesign(n));
    for (const name of ['inference-chip', 'training-chip']) {
      const space = loadSpace(name);
      for (let i = 0; i < space.size; i += 97) chips.push(chipForGenome(space, genomeAt(space, i), 'f'));
    }
    let single = 0;
    for (const c of chips) {
      const r = unitRates(c.matrixUnits, c.clockHz);
      expect(json([c.peakMacsPerSec, c.tileDim, c.unitCount])).toBe(json([r.peakMacsPerSec, r.tileDim, r.unitCount]));
      if (c.matrixUnits.length === 1) single++;
    }
    expect(single).toBeGreaterThan(100);
  });

  test('several matrix units: each format\'s tile and count from its fastest unit', () => {
    const c = designWith('h100-sxm', (d) => {
      d.compute.matrixUnits = [
        { name: 'a', count: 4, macsPerCycle: { bf16: 100, fp8_e4m3: 200 }, tileDim: 64 },
        { name: 'b', count: 2, macsPerCycle: { fp8_e4m3: 500, int8: 300 }, tileDim: 128 },
      ];
    });
    const hz = c.clockHz;
    expect(json(c.peakMacsPerSec)).toBe(json({ bf16: 4 * 100 * hz, fp8_e4m3: 4 * 200 * hz + 2 * 500 * hz, int8: 2 * 300 * hz }));
    expect(json(c.tileDim)).toBe(json({ bf16: 64, fp8_e4m3: 128, int8: 128 }));
    expect(json(c.unitCount)).toBe(json({ bf16: 4, fp8_e4m3: 2, int8: 2 }));
  });

  test('matrix and block-scaling areas to the bit of Math.max over the formats, on random units', () => {
    // The formulas as they were written before the loops (area.ts, commit e254d25).
    const matrixRef = (units: MatrixUnit[], mm2: Record<FormatName, number>) => {
      let total = 0;
      for (const u of units) {
        const formats = Object.keys(u.macsPerCycle) as FormatName[];
        const widest = Math.max(...formats.map((f) => (u.macsPerCycle[f] ?? 0) * mm2[f]));
        total += u.count * widest * (1 + MULTI_FORMAT_OVERHEAD * (formats.length - 1));
      }
      return total;
    };
    const scalingRef = (units: MatrixUnit[], minBlock: number, fp8: number) => {
      let lanes = 0;
      for (const u of units) {
        const narrow = (Object.keys(u.macsPerCycle) as FormatName[]).filter((f) => FORMATS[f].bits <= 8);
        if (narrow.length > 0) lanes += u.count * Math.max(...narrow.map((f) => u.macsPerCycle[f] ?? 0));
      }
      return (lanes / minBlock) * SCALE_STEP_VS_FP8 * fp8;
    };
    const rng = seedrandom('areas');
    const mm2 = defaultMm2PerMac(NODE_TECHNOLOGY['3nm']);
    for (let t = 0; t < 500; t++) {
      const units: MatrixUnit[] = Array.from({ length: 1 + Math.floor(rng() * 3) }, (_, i) => {
        const macsPerCycle: Partial<Record<FormatName, number>> = {};
        for (const f of FORMAT_NAMES) if (rng() < 0.3) macsPerCycle[f] = Math.floor(rng() * 300000) + 1;
        return { name: `u${i}`, count: 1 + Math.floor(rng() * 16), macsPerCycle, tileDim: 128 };
      });
      expect(calcMatrixAreaMm2(units, mm2)).toBe(matrixRef(units, mm2));
      expect(calcBlockScalingAreaMm2(units, 32, 1e-6)).toBe(scalingRef(units, 32, 1e-6));
    }
  });

  test('the compute dies\' cost is dies x calcGoodDieUsd of one die, for dies of every size up to past a wafer', () => {
    const c = loadDesign('b200');
    const tech = { ...NODE_TECHNOLOGY['4nm'], hbmUsdPerGB: 10, interposerUsdPerMm2: undefined, assemblyYieldPerPart: 0.99 } as unknown as Parameters<typeof calcCostUsd>[0]['tech'];
    for (const perDieMm2 of [1, 50.5, 300, 814, 858, 5000, 70000, 80000]) {
      for (const dies of [1, 2, 8]) {
        const cost = calcCostUsd({ perDieMm2, dies, hbmBytes: 192e9, hbmStacks: 8, dramBytes: 0, tech, pkg: c.package });
        expect(cost.diesUsd).toBe(dies * calcGoodDieUsd(perDieMm2, tech));
      }
    }
  });
});
