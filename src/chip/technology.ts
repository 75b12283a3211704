import { FORMATS, FORMAT_NAMES, type FormatName } from '../precision/formats.js';
import type { HbmGeneration, PackageType, ProcessNode } from './names.js';

/**
 * Per-process-node figures of the energy, area and cost model, each with its source or
 * derivation. A design file may override any of them under `technology`.
 * The full citations are in docs/technology-sources.md; short references here.
 */

/**
 * Arithmetic energy of one multiply-accumulate at 45 nm, pJ.
 * Horowitz, "Computing's energy problem", ISSCC 2014: fp32 mult 3.7, fp16 mult 1.1, int8 mult 0.2,
 * int32 mult 3.1; fp32 add 0.9, fp16 add 0.4, int32 add 0.1, int16 add 0.05 (between int8 0.03
 * and int32 0.1), int8 add 0.03. A multiplier grows with the square of the significand width
 * (same talk), so formats without a table entry scale from the nearest one of their kind:
 *   float: 1.1 * (significand / 11)^2 ; int: 0.2 * (bits / 8)^2.
 * The accumulator is the adder the format accumulates into: fp32 for 16-bit floats, an
 * fp16-class adder for fp8 (Hopper accumulates fp8 products in ~14 bits of mantissa,
 * DeepSeek-V3 report arXiv 2412.19437 sec. 3.3.2), int32 for int8, int16 for 4-bit and narrower.
 */
const MULT_PJ_45: Record<FormatName, number> = {
  fp32: 3.7,
  bf16: 1.1 * (8 / 11) ** 2,
  fp16: 1.1,
  fp8_e4m3: 1.1 * (4 / 11) ** 2,
  fp8_e5m2: 1.1 * (3 / 11) ** 2,
  int8: 0.2,
  fp4: 1.1 * (2 / 11) ** 2,
  int4: 0.2 * (4 / 8) ** 2,
  int2: 0.2 * (2 / 8) ** 2,
  int1: 0.2 * (1 / 8) ** 2,
};
const ACC_PJ_45: Record<FormatName, number> = {
  fp32: 0.9,
  bf16: 0.9,
  fp16: 0.9,
  fp8_e4m3: 0.4,
  fp8_e5m2: 0.4,
  int8: 0.1,
  fp4: 0.05,
  int4: 0.05,
  int2: 0.05,
  int1: 0.05,
};

export function macArithmeticPj45(format: FormatName): number {
  return MULT_PJ_45[format] + ACC_PJ_45[format];
}

/**
 * Arithmetic of one block-scale step at 45 nm: MX scales are E8M0 powers of two (OCP MX spec
 * v1.0), so scaling a block's partial sum is an add of the two 8-bit exponents (int8 add,
 * 0.03 pJ), and the scaled partial sum is added into the fp32 accumulator (0.9 pJ). One step
 * per block of B products, so B MACs share it.
 */
export const BLOCK_SCALE_STEP_PJ_45 = 0.03 + 0.9;

export function blockScalePj45PerMac(blockSize: number): number {
  return blockSize > 0 ? BLOCK_SCALE_STEP_PJ_45 / blockSize : 0;
}

export interface NodeTechnology {
  /** Logic energy relative to 45 nm at nominal voltage. */
  logicEnergyScale: number;
  /** Multiplier on arithmetic energy for the datapath around it (operand registers, array wiring, clock, control). */
  macOverheadFactor: number;
  /** fp32 FLOP on the vector unit, pJ, datapath included. */
  vectorPjPerFlop: number;
  sramPjPerByte: number;
  dramPjPerByte: number;
  linkPjPerBit: number;
  staticWPerMm2: number;
  /** Area of one fp8 MAC (multi-format arrays take the widest format's area); others scale by arithmetic complexity. */
  fp8MacMm2: number;
  vectorMm2PerFlopPerCycle: number;
  sramMm2PerMiB: number;
  linkPhyMm2: number;
  /** Share of the die that is neither arithmetic, SRAM nor PHY: control, NoC, caches' tags, I/O, test. */
  uncoreFraction: number;
  waferUsd: number;
  defectsPerCm2: number;
  clusteringAlpha: number;
  dramUsdPerGB: number;
  /** Supply voltage against clock, as ratios to the nominal point (see VOLTAGE_SCALING). */
  voltageSlopeAbove: number;
  voltageSlopeBelow: number;
  minVoltageRatio: number;
  maxVoltageRatio: number;
}

/** A design's technology figures: its node's, its HBM generation's, its package's, and its own overrides. */
export interface ResolvedTechnology extends NodeTechnology {
  hbmPjPerByte: number;
  hbmUsdPerGB: number;
  hbmPhyMm2: number;
  hbmFootprintMm2: number;
  /** Overrides the package type's rate when given. */
  interposerUsdPerMm2: number | undefined;
  assemblyYieldPerPart: number;
}

/**
 * Supply voltage against clock (DVFS), normalized to the design's nominal clock and voltage:
 *   V / V_nom = 1 + slopeAbove (f / f_nom - 1)        above the nominal clock,
 *             = max(minRatio, 1 - slopeBelow (1 - f / f_nom))   below it,
 * and no clock needing more than maxRatio x V_nom. Dynamic energy per operation of the logic
 * (matrix and vector units, block scaling) goes as V^2, leakage power as V (leakage current held
 * constant: an underestimate above nominal). SRAM arrays, which commonly sit on their own rail, keep
 * their energy. The figures are from one published measured V/f curve, AnandTech's Intel Core 2
 * QX9650 (45 nm, 2007, "Exploring the Limits of 45nm Silicon"): 3.0 GHz at 0.98 V; +0.3 mV/MHz
 * through 3.6 GHz at 1.16 V to 4.0 GHz at 1.28 V ("proportional region"), then a near-exponential
 * rise; 2.4 GHz at 0.90 V; 1.2 GHz at 0.81 V, the lowest voltage the board offered. Normalized:
 * slope above (0.3 mV/MHz x 3000 MHz / 0.98 V) = 0.92, slope below ((0.98 - 0.90) / 0.98 / 0.2) = 0.41,
 * minimum 0.81 / 0.98 = 0.83, maximum 1.28 / 0.98 = 1.3 (the end of the proportional region).
 * That today's accelerator processes follow the same normalized curve is an assumption; override
 * it per design under technology.energy.
 */
export const VOLTAGE_SCALING = { voltageSlopeAbove: 0.92, voltageSlopeBelow: 0.41, minVoltageRatio: 0.83, maxVoltageRatio: 1.3 } as const;

/** Supply voltage over nominal for a clock `ratio` = f / f_nom (uncapped: designs above maxVoltageRatio are flagged, not clamped). */
export function supplyVoltageRatio(ratio: number, t: Pick<NodeTechnology, 'voltageSlopeAbove' | 'voltageSlopeBelow' | 'minVoltageRatio'>): number {
  if (ratio >= 1) return 1 + t.voltageSlopeAbove * (ratio - 1);
  return Math.max(t.minVoltageRatio, 1 - t.voltageSlopeBelow * (1 - ratio));
}

/**
 * Figures per node; full citations and arithmetic in docs/technology-sources.md (sections in brackets).
 * - logicEnergyScale [1]: Stillmaker & Baas 2017 (Integration VLSI 58) HP7 at 0.75 V vs HP45 at 1.0 V
 *   = 0.065; N5 = N7 x 0.70 (TSMC: -30% power iso-speed); "4nm" (4N/N4P) 0.037 (TSMC N4P: -22% vs N5);
 *   N3 0.031 (-15..-30% vs N5/N4); N2 0.023 (TSMC: -25..30% vs N3E); 16nm 0.18 (16FF+ -> N7 -60%).
 * - macOverheadFactor: datapath energy (operand registers, array wiring, clock, control) over the
 *   bare arithmetic. Default 8.8, for systolic arrays: TPU v4 (7 nm) drawing its measured maximum of
 *   192 W (TPU v4 paper, ISCA 2023; shared/reference/chips.md) at its modelled bf16 GEMM rate, after
 *   its modelled static (75 W), HBM and SRAM power. SIMT GPUs deliver operands through register files
 *   and shared memory and override it with 14.6 in their presets: the H100 drawing its 700 W TDP at
 *   the measured 798 TFLOP/s bf16 GEMM (535 W left for the datapath after 104 W static, 39 W HBM and
 *   22 W SRAM; bf16 runs on its fp16-sized array, see chip/build.ts). The A100 then draws 388 W at
 *   its 287 TFLOP/s fp16 GEMM against its 400 W TDP (a check).
 * - sramPjPerByte [4]: large on-chip SRAM ~0.2 pJ/bit at N7, 0.18 at N5, 0.16 at N3 (bank read plus
 *   ~0.056 pJ/bit/mm of wire), x8 bits.
 * - linkPjPerBit [5]: 112G long-reach SerDes 5.5 pJ/bit at N7, 4.5 at N5 (Marvell: -25%); ~4 at N3.
 * - staticWPerMm2 [7]: leakage ~15% of TDP: ~0.10 W/mm2 at N7, 0.13 at N5 and after (assumption).
 * - fp8MacMm2: fitted per node so that the modelled area of the node's reference GPU equals its
 *   published die area with uncoreFraction 0.3: A100 826 mm2 (7nm) -> 0.00092, H100 814 mm2 (5nm)
 *   -> 0.00033, B200 2 x 800 mm2 (4nm) -> 0.00029. The fit absorbs what the model leaves out (FP64
 *   paths, register files, texture units). For comparison, the 28 nm fp8/fp4 PE of arXiv 2604.04507
 *   (0.00396 mm2) scaled by logic density gives 0.00071 / 0.000445 / 0.00042 ([6]). Nodes without a
 *   reference chip scale by TSMC logic density: N16 = N7 x 3.3, N3 = N4 / 1.3, N2 = N3 / 1.15.
 * - sramMm2PerMiB [2]: with periphery, anchored on AMD's 64 MB V-Cache die (41 mm2 at N7):
 *   N7 0.63, N5/N4 0.52, N3 0.50 (SRAM stopped scaling at N3E: bitcell 0.021 um2 as N5).
 * - waferUsd [8]: CSET 2020 (N16 $3,984, N7 $9,346, N5 $16,988); N4 ~$17,000 (derived); N3 ~$20,000
 *   (2022-23 reports); N2 ~$30,000 (2025 reports, secondary).
 * - defectsPerCm2 [8]: N7 0.09, N5/N4 0.07 (TSMC disclosures), N3 0.10 and N2 0.10 (assumptions);
 *   negative-binomial clustering alpha 2.
 * - packaging: by interposer area, see PACKAGE_TECHNOLOGY.
 * - uncoreFraction 0.3: control, NoC, cache tags, I/O and test logic; GPU die photos put the SM
 *   arrays, L2 and PHYs at ~70% of the die (an estimate; it and fp8MacMm2 are fitted together).
 */
export const NODE_TECHNOLOGY: Record<ProcessNode, NodeTechnology> = {
  '16nm': node({ logicEnergyScale: 0.18, sramPjPerByte: 0.3 * 8, linkPjPerBit: 7, staticWPerMm2: 0.07, fp8MacMm2: 0.003, sramMm2PerMiB: 1.5, waferUsd: 3984, defectsPerCm2: 0.05 }),
  '7nm': node({ logicEnergyScale: 0.065, sramPjPerByte: 0.2 * 8, linkPjPerBit: 5.5, staticWPerMm2: 0.1, fp8MacMm2: 0.00092, sramMm2PerMiB: 0.63, waferUsd: 9346, defectsPerCm2: 0.09 }),
  '5nm': node({ logicEnergyScale: 0.046, sramPjPerByte: 0.18 * 8, linkPjPerBit: 4.5, staticWPerMm2: 0.13, fp8MacMm2: 0.00033, sramMm2PerMiB: 0.52, waferUsd: 16988, defectsPerCm2: 0.07 }),
  '4nm': node({ logicEnergyScale: 0.037, sramPjPerByte: 0.17 * 8, linkPjPerBit: 4.5, staticWPerMm2: 0.13, fp8MacMm2: 0.00029, sramMm2PerMiB: 0.52, waferUsd: 17000, defectsPerCm2: 0.07 }),
  '3nm': node({ logicEnergyScale: 0.031, sramPjPerByte: 0.16 * 8, linkPjPerBit: 4, staticWPerMm2: 0.13, fp8MacMm2: 0.00022, sramMm2PerMiB: 0.5, waferUsd: 20000, defectsPerCm2: 0.1 }),
  '2nm': node({ logicEnergyScale: 0.023, sramPjPerByte: 0.15 * 8, linkPjPerBit: 3.5, staticWPerMm2: 0.13, fp8MacMm2: 0.00019, sramMm2PerMiB: 0.48, waferUsd: 30000, defectsPerCm2: 0.1 }),
};

function node(p: Pick<NodeTechnology, 'logicEnergyScale' | 'sramPjPerByte' | 'linkPjPerBit' | 'staticWPerMm2' | 'fp8MacMm2' | 'sramMm2PerMiB' | 'waferUsd' | 'defectsPerCm2'>): NodeTechnology {
  const macOverheadFactor = 8.8;
  return {
    macOverheadFactor,
    // fp32 FMA = 2 FLOPs of (3.7 + 0.9) pJ at 45 nm, with the same datapath overhead as a MAC.
    vectorPjPerFlop: ((3.7 + 0.9) / 2) * p.logicEnergyScale * macOverheadFactor,
    // Host DRAM: Horowitz's 1.3 nJ per 64-bit DRAM access is ~20 pJ/bit, the low end, for DDR plus its link.
    dramPjPerByte: 20 * 8,
    // A fp32 FMA lane of a vector unit is ~3 fp8 MACs of area (multiplier 24^2 vs 4^2 bits, shared control): assumption.
    vectorMm2PerFlopPerCycle: p.fp8MacMm2 * 3,
    // [5]: ~0.3-0.4 mm2 per 112G lane; a link of 4 lanes each way (NVLink4: 2 lanes x 2 directions at 100G) ~1.5 mm2.
    linkPhyMm2: 1.5,
    uncoreFraction: 0.3,
    clusteringAlpha: 2,
    // DDR5 server DRAM ~$3/GB (2025 contract prices, secondary).
    dramUsdPerGB: 3,
    ...VOLTAGE_SCALING,
    ...p,
  };
}

/** Relative arithmetic complexity of a format against fp8 e4m3 (a gate-count proxy for area). */
export function macComplexityVsFp8(format: FormatName): number {
  return macArithmeticPj45(format) / macArithmeticPj45('fp8_e4m3');
}

/** Every format's default pJ/MAC at a node, datapath included. */
export function defaultPjPerMac(t: NodeTechnology): Record<FormatName, number> {
  const out = {} as Record<FormatName, number>;
  for (const f of FORMAT_NAMES) out[f] = macArithmeticPj45(f) * t.logicEnergyScale * t.macOverheadFactor;
  return out;
}

export function defaultMm2PerMac(t: NodeTechnology): Record<FormatName, number> {
  const out = {} as Record<FormatName, number>;
  for (const f of FORMAT_NAMES) out[f] = t.fp8MacMm2 * macComplexityVsFp8(f);
  return out;
}

export { FORMATS };

/**
 * HBM figures per generation (docs/technology-sources.md [3]): device energy HBM2E 6.0 pJ/bit
 * (Micron), HBM3 4.5, HBM3E 4.0 (Samsung 3.9), plus ~0.5 pJ/bit for controller and PHY on the logic
 * die; HBM2 taken as HBM2E and HBM4 as 3.5 + 0.5 (assumptions). Price per GB, at one point in time
 * so the generations compare: HBM3 ~$15 (2024: the H100's 80 GB estimated at ~$1,200-1,400, Silicon
 * Analysts / Raymond James); HBM3E +20% over HBM3 ($18), the premium it launched at, and HBM4 +30%
 * over HBM3E ($23.4), the least TrendForce expects (TrendForce, 22 May 2025); HBM2/2E ~$10
 * (assumption, older parts). PHY area ~12 mm2 per stack (JEDEC bump count), HBM4 ~20 mm2 for its
 * 2048-bit interface (assumption). Interposer footprint of a stack: HBM2/2E 7.75 x 11.87 mm = 92 mm2
 * (the JEDEC HBM2 package outline); HBM3/3E ~11 x 10 mm = 110 mm2 and HBM4 ~130 mm2 (assumptions:
 * larger dies and base dies).
 */
export const HBM_TECHNOLOGY: Record<HbmGeneration, { pjPerByte: number; usdPerGB: number; phyMm2: number; footprintMm2: number }> = {
  hbm2: { pjPerByte: 6.5 * 8, usdPerGB: 10, phyMm2: 12, footprintMm2: 92 },
  hbm2e: { pjPerByte: 6.5 * 8, usdPerGB: 10, phyMm2: 12, footprintMm2: 92 },
  hbm3: { pjPerByte: 5.0 * 8, usdPerGB: 15, phyMm2: 12, footprintMm2: 110 },
  hbm3e: { pjPerByte: 4.5 * 8, usdPerGB: 15 * 1.2, phyMm2: 12, footprintMm2: 110 },
  hbm4: { pjPerByte: 4.0 * 8, usdPerGB: 15 * 1.2 * 1.3, phyMm2: 20, footprintMm2: 130 },
};

/** Interposer area per mm2 of what sits on it: keep-out and routing between dies and stacks (assumption). */
export const INTERPOSER_SPACING = 1.15;

/**
 * Bonds of one die or HBM stack to the interposer that succeed (assumption; foundries do not
 * publish it): a failed bond scraps the package with every die and stack on it, so a package of n
 * parts yields 0.99^n and its cost is divided by that.
 */
export const ASSEMBLY_YIELD_PER_PART = 0.99;

/**
 * 2.5D packages by interposer area (docs/technology-sources.md [5]). Package cost per mm2 of
 * interposer (interposer, substrate, assembly), from Silicon Analysts' cost model (2026, built on
 * Epoch AI, Raymond James and TrendForce; low-to-medium confidence): CoWoS-S, ~$750 for the H100's
 * package over its interposer of (814 mm2 die + 6 HBM3 sites x 110 mm2) x 1.15 = 1,695 mm2; CoWoS-L,
 * +47% for the B200's package over (2 x 800 mm2 + 8 x 110 mm2) x 1.15 = 2,852 mm2. Largest
 * interposers: CoWoS-S 3.3 reticles, CoWoS-L 5.5 reticles (TSMC Technology Symposium 2024, as reported).
 */
export const PACKAGE_TECHNOLOGY: Record<PackageType, { usdPerMm2: number; maxInterposerMm2: number }> = {
  'cowos-s': { usdPerMm2: 750 / ((814 + 6 * 110) * INTERPOSER_SPACING), maxInterposerMm2: 3.3 * 858 },
  'cowos-l': { usdPerMm2: (750 * 1.47) / ((2 * 800 + 8 * 110) * INTERPOSER_SPACING), maxInterposerMm2: 5.5 * 858 },
};
