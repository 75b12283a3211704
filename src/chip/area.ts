import { FORMATS, type FormatName } from '../precision/formats.js';
import type { AreaBreakdown, MatrixUnit } from './chip.js';
import type { ResolvedTechnology } from './technology.js';
import { BLOCK_SCALE_STEP_PJ_45, macArithmeticPj45 } from './technology.js';

/**
 * A unit that computes several formats shares one array: its area is that of its widest
 * use (max over formats of MACs x mm2 per MAC), plus 5% per extra format for the operand
 * muxing and alignment logic. The 5% is a modelling assumption, stated, not a measurement.
 */
export const MULTI_FORMAT_OVERHEAD = 0.05;

/**
 * One block-scale step (8-bit exponent add + fp32 accumulate) costs about this many fp8 MACs of area
 * (by arithmetic complexity). The E4M3 scale of NVFP4 needs small multipliers instead of the adder;
 * that difference is not modelled in area (it is in energy, technology.ts).
 */
export const SCALE_STEP_VS_FP8 = BLOCK_SCALE_STEP_PJ_45.e8m0 / macArithmeticPj45('fp8_e4m3');

/** SEC-DED (72,64) Hamming code: 8 check bits per 64 data bits. */
export const ECC_OVERHEAD = 8 / 64;

/** A unit's widest use: the largest over its formats of MACs per cycle x mm2 per MAC (by a loop of Math.max, the number Math.max over all of them gives). */
export function widestUseMm2(macsPerCycle: Partial<Record<FormatName, number>>, mm2PerMac: Record<FormatName, number>): number {
  let widest = -Infinity;
  for (const k in macsPerCycle) {
    const f = k as FormatName;
    widest = Math.max(widest, (macsPerCycle[f] ?? 0) * mm2PerMac[f]);
  }
  return widest;
}

/** The area factor of a unit computing `formats` formats on one array (MULTI_FORMAT_OVERHEAD per extra format). */
export function formatAreaFactor(formats: number): number {
  return 1 + MULTI_FORMAT_OVERHEAD * (formats - 1);
}

/** A unit's widest narrow (<= 8-bit) MACs per cycle; undefined where it has no narrow format. */
export function narrowMacsOf(macsPerCycle: Partial<Record<FormatName, number>>): number | undefined {
  let widest = -Infinity;
  let narrow = 0;
  for (const k in macsPerCycle) {
    const f = k as FormatName;
    if (FORMATS[f].bits > 8) continue;
    widest = Math.max(widest, macsPerCycle[f] ?? 0);
    narrow++;
  }
  return narrow > 0 ? widest : undefined;
}

export function calcMatrixAreaMm2(units: MatrixUnit[], mm2PerMac: Record<FormatName, number>): number {
  let total = 0;
  for (const u of units) {
    total += u.count * widestUseMm2(u.macsPerCycle, mm2PerMac) * formatAreaFactor(Object.keys(u.macsPerCycle).length);
  }
  return total;
}

/** Scale units: one scale step per block of the narrowest (<= 8-bit) lanes. */
export function calcBlockScalingAreaMm2(units: MatrixUnit[], minBlockSize: number, fp8MacMm2: number): number {
  let lanes = 0;
  for (const u of units) {
    const narrow = narrowMacsOf(u.macsPerCycle);
    if (narrow !== undefined) lanes += u.count * narrow;
  }
  return (lanes / minBlockSize) * SCALE_STEP_VS_FP8 * fp8MacMm2;
}

/** What I/O dies hold instead of the compute dies (see the design's package.ioDies). */
export interface IoDieContents {
  sramBytes: number;
  hbmPhys: boolean;
  linkPhys: boolean;
}

export interface AreaInputs {
  units: MatrixUnit[];
  mm2PerMac: Record<FormatName, number>;
  blockScalingMinBlock: number | undefined;
  vectorFlopsPerCycle: number;
  sramBytes: number;
  ecc: boolean;
  hbmStacks: number;
  linksPerChip: number;
  dies: number;
  tech: ResolvedTechnology;
  /** Moved off the compute dies onto I/O dies, when the package has them. */
  io?: IoDieContents;
}

/** The compute dies' area: arithmetic, SRAM and PHYs they hold, over (1 - uncore share). I/O dies are counted apart, by their published area. */
export function calcAreaMm2(a: AreaInputs): AreaBreakdown {
  const matrixMm2 = calcMatrixAreaMm2(a.units, a.mm2PerMac);
  const blockScalingMm2 = a.blockScalingMinBlock ? calcBlockScalingAreaMm2(a.units, a.blockScalingMinBlock, a.tech.fp8MacMm2) : 0;
  return areaWith(a, matrixMm2, blockScalingMm2);
}

/** calcAreaMm2 with the matrix units' and block scaling's areas given (a chip build works them out from its unit's profile). */
export function areaWith(a: Omit<AreaInputs, 'units' | 'mm2PerMac' | 'blockScalingMinBlock'>, matrixMm2: number, blockScalingMm2: number): AreaBreakdown {
  const vectorMm2 = a.vectorFlopsPerCycle * a.tech.vectorMm2PerFlopPerCycle;
  const sramBytes = Math.max(0, a.sramBytes - (a.io?.sramBytes ?? 0));
  const sramMm2 = (sramBytes / 2 ** 20) * a.tech.sramMm2PerMiB * (a.ecc ? 1 + ECC_OVERHEAD : 1);
  const hbmPhyMm2 = a.io?.hbmPhys ? 0 : a.hbmStacks * a.tech.hbmPhyMm2;
  const linkPhyMm2 = a.io?.linkPhys ? 0 : a.linksPerChip * a.tech.linkPhyMm2;
  const core = matrixMm2 + blockScalingMm2 + vectorMm2 + sramMm2 + hbmPhyMm2 + linkPhyMm2;
  const totalMm2 = core / (1 - a.tech.uncoreFraction);
  return {
    matrixMm2,
    blockScalingMm2,
    vectorMm2,
    sramMm2,
    hbmPhyMm2,
    linkPhyMm2,
    uncoreMm2: totalMm2 - core,
    totalMm2,
    perDieMm2: totalMm2 / a.dies,
  };
}
