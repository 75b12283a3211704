import { loadDesign, listDesignPresets } from '../src/chip/load.js';
import { designReasons } from '../src/chip/buildability.js';
import { calcDieYield, calcDiesPerWafer } from '../src/chip/cost.js';

/** Published dense peak rates, TFLOP/s or TOP/s (shared/reference/chips.md, vendor datasheets and Google Cloud TPU docs). */
const PEAKS: Record<string, Record<string, number>> = {
  'a100-sxm': { bf16: 312, int8: 624, int4: 1248 },
  'h100-sxm': { bf16: 989, fp8_e4m3: 1979, int8: 1979 },
  'h200-sxm': { bf16: 989, fp8_e4m3: 1979 },
  b200: { bf16: 2250, fp8_e4m3: 4500, fp4: 9000 },
  mi300x: { bf16: 1307, fp8_e4m3: 2615 },
  'tpu-v4': { bf16: 275, int8: 275 },
  'tpu-v5e': { bf16: 197, int8: 393, int4: 788 },
  'tpu-v5p': { bf16: 459, int8: 918, int4: 1840 },
  'tpu-v6e': { bf16: 918, int8: 1836, int4: 3680 },
  tpu7x: { bf16: 2307, fp8_e4m3: 4614 },
};

/** Published HBM capacity (GB) and bandwidth (TB/s), same sources. */
const HBM: Record<string, [number, number]> = {
  'a100-sxm': [80, 2.039],
  'h100-sxm': [80, 3.35],
  'h200-sxm': [141, 4.8],
  b200: [180, 8.0],
  mi300x: [192, 5.3],
  'tpu-v4': [34.36, 1.2],
  'tpu-v5e': [16, 0.819],
  'tpu-v5p': [102, 2.765],
  'tpu-v6e': [32, 1.64],
  tpu7x: [206, 7.37],
};

describe('presets', () => {
  test('all ten required presets exist', () => {
    expect(listDesignPresets()).toEqual(expect.arrayContaining(Object.keys(PEAKS)));
  });

  test.each(Object.entries(PEAKS))('%s peak rates match the published figures within 1%', (name, peaks) => {
    const chip = loadDesign(name);
    for (const [f, tflops] of Object.entries(peaks)) {
      const modelled = (2 * (chip.peakMacsPerSec[f as keyof typeof chip.peakMacsPerSec] ?? 0)) / 1e12;
      expect(Math.abs(modelled / tflops - 1)).toBeLessThan(0.01);
    }
    const [gb, tbs] = HBM[name];
    expect(Math.abs(chip.hbmBytes / 1e9 / gb - 1)).toBeLessThan(0.02);
    expect(Math.abs(chip.hbmBytesPerSec / 1e12 / tbs - 1)).toBeLessThan(0.01);
    expect(chip.notes.length).toBeGreaterThan(100);
  });

  test('every preset is buildable: within the reticle, HBM stacks and power limits', () => {
    for (const name of listDesignPresets()) expect([name, designReasons(loadDesign(name))]).toEqual([name, []]);
  });

  test('modelled die area of the GPUs the area model was fitted on is within 5% of the published area', () => {
    for (const [name, mm2] of [['a100-sxm', 826], ['h100-sxm', 814], ['b200', 1600]] as const) {
      const chip = loadDesign(name);
      expect(Math.abs(chip.area.totalMm2 / mm2 - 1)).toBeLessThan(0.05);
    }
    // H200 is the H100 die with a sixth HBM stack: held out from the fit.
    expect(Math.abs(loadDesign('h200-sxm').area.totalMm2 / 814 - 1)).toBeLessThan(0.05);
  });

  test('yield falls with die area and defect density; dies per wafer falls with area', () => {
    expect(calcDieYield(800, 0.07, 2)).toBeLessThan(calcDieYield(400, 0.07, 2));
    expect(calcDieYield(400, 0.1, 2)).toBeLessThan(calcDieYield(400, 0.07, 2));
    expect(calcDieYield(814, 0.07, 2)).toBeCloseTo(0.61, 2);
    expect(calcDiesPerWafer(814)).toBeLessThan(calcDiesPerWafer(400));
    // 300 mm wafer, 814 mm2 die: ~63 candidates (pi 150^2/814 - pi 300/sqrt(1628)).
    expect(calcDiesPerWafer(814)).toBe(63);
  });
});
