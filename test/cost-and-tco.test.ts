import { loadDesign } from '../src/chip/load.js';
import { designReasons } from '../src/chip/buildability.js';
import { calcDieYield, calcDiesPerWafer, calcGoodDieUsd } from '../src/chip/cost.js';
import { HBM_TECHNOLOGY, NODE_TECHNOLOGY, PACKAGE_TECHNOLOGY } from '../src/chip/technology.js';
import { evaluate } from '../src/eval/evaluate.js';
import { HOURS_PER_YEAR } from '../src/eval/tco.js';
import { loadWorkload, parseWorkload } from '../src/workload/load.js';
import { designWith, rawDesign } from './helpers/designs.js';

/**
 * Manufacturing cost by area (compute dies, I/O dies, HBM, the interposer package, assembly
 * losses) and the total cost of ownership. Expected values are computed here from the cited
 * figures, not read back from the code, so a wrong constant fails.
 */
const relErr = (a: number, b: number) => Math.abs(a / b - 1);
/** Interposer room between dies and stacks (assumption), and the bond yield per part (assumption). */
const SPACING = 1.15;
const BOND_YIELD = 0.99;

describe('HBM prices by generation', () => {
  test('HBM3E above HBM3 by its 20% launch premium, HBM4 above both by 30% more (TrendForce), at one point in time', () => {
    const usd = (g: keyof typeof HBM_TECHNOLOGY) => HBM_TECHNOLOGY[g].usdPerGB;
    expect(usd('hbm3')).toBe(15);
    expect(usd('hbm3e') / usd('hbm3')).toBeCloseTo(1.2, 12);
    expect(usd('hbm4') / usd('hbm3e')).toBeCloseTo(1.3, 12);
    expect(usd('hbm2e')).toBeLessThan(usd('hbm3'));
  });
});

describe('the package by interposer area, and assembly losses', () => {
  test('CoWoS-S costs ~$750 for the H100\'s interposer and CoWoS-L 47% more for the B200\'s (Silicon Analysts), by the mm2', () => {
    expect(PACKAGE_TECHNOLOGY['cowos-s'].usdPerMm2 * (814 + 6 * 110) * SPACING).toBeCloseTo(750, 9);
    expect(PACKAGE_TECHNOLOGY['cowos-l'].usdPerMm2 * (2 * 800 + 8 * 110) * SPACING).toBeCloseTo(750 * 1.47, 9);
    expect(PACKAGE_TECHNOLOGY['cowos-s'].maxInterposerMm2).toBeCloseTo(3.3 * 858, 9);
    expect(PACKAGE_TECHNOLOGY['cowos-l'].maxInterposerMm2).toBeCloseTo(5.5 * 858, 9);
  });

  test('H100: die at N5 prices and yield, 80 GB of HBM3, a CoWoS-S interposer of die + 5 stacks, divided by 0.99^6', () => {
    const c = loadDesign('h100-sxm');
    const n5 = NODE_TECHNOLOGY['5nm'];
    const die = n5.waferUsd / (calcDiesPerWafer(c.area.perDieMm2) * calcDieYield(c.area.perDieMm2, n5.defectsPerCm2, 2));
    const interposer = (c.area.totalMm2 + 5 * 110) * SPACING;
    const pkg = interposer * PACKAGE_TECHNOLOGY['cowos-s'].usdPerMm2;
    const expected = (die + 80 * 15 + pkg) / BOND_YIELD ** 6;
    expect(c.package.type).toBe('cowos-s');
    expect(relErr(c.package.interposerMm2, interposer)).toBeLessThan(1e-12);
    expect(relErr(c.cost.totalUsd, expected)).toBeLessThan(1e-12);
    expect(relErr(c.cost.assemblyYield, BOND_YIELD ** 6)).toBeLessThan(1e-12);
  });

  test('another HBM stack adds its footprint to the interposer, its PHY to the die, and its bond to the assembly', () => {
    const five = loadDesign('h100-sxm');
    const six = designWith('h100-sxm', (d) => (d.memory.hbm.stacks = 6));
    // The die grows by one 12 mm2 PHY over (1 - 0.3 uncore share).
    expect(six.area.totalMm2 - five.area.totalMm2).toBeCloseTo(12 / 0.7, 9);
    expect(six.package.interposerMm2 - five.package.interposerMm2).toBeCloseTo((110 + 12 / 0.7) * SPACING, 9);
    expect(six.cost.assemblyYield / five.cost.assemblyYield).toBeCloseTo(BOND_YIELD, 12);
  });

  test('an interposer beyond CoWoS-S takes CoWoS-L; beyond 5.5 reticles the design cannot be built', () => {
    const big = designWith('tpu7x', (d) => {
      d.memory.hbm.stacks = 12;
      d.memory.hbm.bytes = '288 GB';
      d.memory.hbm.bytesPerSec = '12 TB/s';
      d.dies = 4;
      d.compute.matrixUnits[0].count *= 4;
    });
    expect(big.package.interposerMm2).toBeGreaterThan(PACKAGE_TECHNOLOGY['cowos-s'].maxInterposerMm2);
    expect(big.package.type).toBe('cowos-l');
    const huge = designWith('tpu7x', (d) => {
      d.memory.hbm.stacks = 16;
      d.memory.hbm.bytes = '384 GB';
      d.memory.hbm.bytesPerSec = '16 TB/s';
      d.dies = 6;
      d.compute.matrixUnits[0].count *= 8;
    });
    expect(huge.package.interposerMm2).toBeGreaterThan(PACKAGE_TECHNOLOGY['cowos-l'].maxInterposerMm2);
    expect(designReasons(huge).join(' ')).toMatch(/interposer of \d+ mm2 .* exceeds the 4719 mm2 of the largest cowos-l \(5\.5 reticles\)/);
  });
});

describe('chiplets and I/O dies: MI300X against B200', () => {
  const mi = loadDesign('mi300x');
  const b200 = loadDesign('b200');

  test('MI300X\'s four N6 I/O dies (~370 mm2) are costed at N7-family prices and yield, and take the Infinity Cache and PHYs off the compute dies', () => {
    const n7 = NODE_TECHNOLOGY['7nm'];
    expect(relErr(mi.cost.ioDiesUsd, 4 * calcGoodDieUsd(370, n7))).toBeLessThan(1e-12);
    expect(mi.area.hbmPhyMm2).toBe(0);
    expect(mi.area.linkPhyMm2).toBe(0);
    // The XCD (held out: nothing was fitted to it) within 25% of its published ~115 mm2.
    expect(relErr(mi.area.perDieMm2, 920 / 8)).toBeLessThan(0.25);
    // The XCDs sit on the I/O dies: the interposer holds the I/O dies and the 8 HBM3 stacks.
    expect(relErr(mi.package.interposerMm2, (4 * 370 + 8 * 110) * SPACING)).toBeLessThan(1e-12);
    expect(mi.package.type).toBe('cowos-s');
    expect(relErr(mi.cost.assemblyYield, BOND_YIELD ** 20)).toBeLessThan(1e-12);
  });

  test('MI300X costs less to make than B200, and for the right reasons: less HBM (HBM3 192 GB vs HBM3E 180 GB) and much cheaper silicon', () => {
    expect(mi.cost.totalUsd).toBeLessThan(b200.cost.totalUsd);
    expect(mi.cost.hbmUsd).toBeLessThan(b200.cost.hbmUsd);
    expect(mi.cost.diesUsd + mi.cost.ioDiesUsd).toBeLessThan(b200.cost.diesUsd);
    // Packaging is no longer a flat fee per die: eight XCDs do not cost eight packages.
    expect(mi.cost.packagingUsd).toBeLessThan(1.5 * b200.cost.packagingUsd);
    // HBM is the largest part of both (Epoch AI: 52-63% of AI-chip component spend, 2024-25).
    for (const c of [mi, b200]) expect(c.cost.hbmUsd / c.cost.totalUsd).toBeGreaterThan(0.5);
  });

  test('I/O die leakage is charged at half the logic rate of its node', () => {
    const without = designWith('mi300x', (d) => delete d.package);
    const withIo = mi;
    const computeStatic = (c: typeof mi) => NODE_TECHNOLOGY['5nm'].staticWPerMm2 * c.area.totalMm2;
    expect(withIo.energy.staticW - computeStatic(withIo)).toBeCloseTo(0.5 * NODE_TECHNOLOGY['7nm'].staticWPerMm2 * 4 * 370, 9);
    expect(without.energy.staticW).toBeCloseTo(computeStatic(without), 9);
  });

  test('an I/O die holding more SRAM than the chip has is refused', () => {
    const d = rawDesign('mi300x');
    d.package.ioDies.sramBytes = '1 GiB';
    expect(() => designWith('mi300x', (x) => Object.assign(x, d))).toThrow(/package\.ioDies\.sramBytes: .* is more than memory\.sram\.bytes/);
  });
});

describe('total cost of ownership (src/eval/tco.ts)', () => {
  // Defaults and their sources (src/workload/deployment.ts, src/chip/package.ts):
  const MARGIN = 0.75; // NVIDIA fiscal 2025 GAAP gross margin
  const SERVER = 4000; // SemiAnalysis DGX H100 BOM without GPUs / 8
  const NETWORK = 0.19; // Epoch AI cluster interconnect share
  const HOST = 0.82; // DGX H100 10.2 kW / 8 GPUs of 700 W
  const DC_PER_W = 10; // Barroso et al.: $9-13 per W of critical power
  const DC_YEARS = 12;
  const YEARS = 5;
  const UTIL = 0.8;
  const KWH = 0.08;
  const PUE = 1.1;
  const w = loadWorkload('llama-3-70b-serve');
  const chip = loadDesign('h100-sxm');
  const m = evaluate(chip, w).metrics;

  test('per chip-hour: price and server over the lifetime with the network share, the building per watt provisioned, electricity busy and idle', () => {
    const price = m.costUsd / (1 - MARGIN);
    const capex = (price + SERVER) / (1 - NETWORK) / (YEARS * HOURS_PER_YEAR);
    const building = (700 * (1 + HOST) * DC_PER_W) / (DC_YEARS * HOURS_PER_YEAR);
    const power = ((UTIL * m.powerW + (1 - UTIL) * chip.energy.staticW) * (1 + HOST) * PUE * KWH) / 1000;
    expect(relErr(chip.tco.chipPriceUsd, price)).toBeLessThan(1e-12);
    expect(relErr(m.tcoUsdPerChipHour, capex + building + power)).toBeLessThan(1e-12);
    expect(relErr(m.tcoUsdPerMTokens, ((m.tcoUsdPerChipHour * 8) / (m.tokensPerSec * UTIL * 3600)) * 1e6)).toBeLessThan(1e-12);
  });

  test('every assumption can be overridden: chip price and server in the design, utilization, lifetime, tariff, PUE and building in the workload', () => {
    const priced = designWith('h100-sxm', (d) => (d.tco = { chipPriceUsd: 25_000, serverUsdPerChip: 8000, networkShare: 0.1, hostPowerRatio: 0.5 }));
    const raw = { extends: 'llama-3-70b-serve', name: 'w', deployment: { utilization: 0.5, lifetimeYears: 4, usdPerKWh: 0.12, pue: 1.3, datacenterUsdPerW: 12, datacenterYears: 15 } };
    const dep = parseWorkload(raw, 'w.json', process.cwd());
    const q = evaluate(priced, dep).metrics;
    const capex = (25_000 + 8000) / 0.9 / (4 * HOURS_PER_YEAR);
    const building = (700 * 1.5 * 12) / (15 * HOURS_PER_YEAR);
    const power = ((0.5 * q.powerW + 0.5 * priced.energy.staticW) * 1.5 * 1.3 * 0.12) / 1000;
    expect(relErr(q.tcoUsdPerChipHour, capex + building + power)).toBeLessThan(1e-12);
    expect(relErr(q.tcoUsdPerMTokens, ((q.tcoUsdPerChipHour * 8) / (q.tokensPerSec * 0.5 * 3600)) * 1e6)).toBeLessThan(1e-12);
  });

  test('Llama-3-70B on 8 H100 at the H100\'s street price: above the manufacturing figure, below the cheapest public H100 rental', () => {
    // Street price $25,000-30,000 (Raymond James, via Epoch AI); H100 SXM rental $1.49-3/GPU-hour (2026 quotes).
    const street = evaluate(designWith('h100-sxm', (d) => (d.tco = { chipPriceUsd: 25_000 })), w).metrics;
    expect(street.tcoUsdPerMTokens).toBeGreaterThan(5 * street.usdPerMTokens);
    expect(street.tcoUsdPerChipHour).toBeGreaterThan(0.7);
    expect(street.tcoUsdPerChipHour).toBeLessThan(1.49);
  });
});
