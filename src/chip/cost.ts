import type { CostBreakdown, PackageLayout } from './chip.js';
import { NODE_TECHNOLOGY, PACKAGE_TECHNOLOGY, type ResolvedTechnology } from './technology.js';

/** 300 mm wafers. */
export const WAFER_DIAMETER_MM = 300;
/** Largest die a lithography reticle exposes (26 x 33 mm). */
export const RETICLE_LIMIT_MM2 = 858;

/** Gross dies per wafer, with the usual edge-loss term: pi r^2 / A - pi d / sqrt(2 A). */
export function calcDiesPerWafer(dieMm2: number): number {
  const r = WAFER_DIAMETER_MM / 2;
  return Math.max(0, Math.floor((Math.PI * r * r) / dieMm2 - (Math.PI * WAFER_DIAMETER_MM) / Math.sqrt(2 * dieMm2)));
}

/** Negative-binomial yield (Stapper): Y = (1 + A D0 / alpha)^-alpha, A in cm2. */
export function calcDieYield(dieMm2: number, defectsPerCm2: number, alpha: number): number {
  return (1 + ((dieMm2 / 100) * defectsPerCm2) / alpha) ** -alpha;
}

/**
 * Cost of one good die: a wafer over the good dies it gives. A die too big for any whole copy on a
 * wafer is infeasible (reticle); its cost counts at least one wafer per good die, so it stays a
 * finite, very large number.
 */
export function calcGoodDieUsd(dieMm2: number, t: { waferUsd: number; defectsPerCm2: number; clusteringAlpha: number }): number {
  return goodDieUsd(calcDiesPerWafer(dieMm2), calcDieYield(dieMm2, t.defectsPerCm2, t.clusteringAlpha), t.waferUsd);
}

/** calcGoodDieUsd from the die's dies per wafer and yield, when the caller has them already. */
function goodDieUsd(diesPerWafer: number, dieYield: number, waferUsd: number): number {
  const goodDies = Math.max(1, diesPerWafer) * dieYield;
  return waferUsd / Math.max(goodDies, 1e-9);
}

/** Powers of the last assembly yield per part, by the number of parts (a design has a few dozen at most): `**` costs more than a chip's other arithmetic. */
let assemblyBase = NaN;
let assemblyPowers: number[] = [];

/** perPart ** parts, kept by the number of parts for the last perPart asked for. */
export function assemblyYieldOf(perPart: number, parts: number): number {
  if (!(parts >= 0 && parts < 256 && Number.isInteger(parts))) return perPart ** parts;
  if (!Object.is(perPart, assemblyBase)) {
    assemblyBase = perPart;
    assemblyPowers = [];
  }
  const kept = assemblyPowers[parts];
  return kept !== undefined ? kept : (assemblyPowers[parts] = perPart ** parts);
}

/**
 * Manufacturing cost of a chip: compute dies and I/O dies (each at its node's wafer price and
 * yield), HBM by the GB, the package by interposer area, all divided by the assembly yield (a
 * failed bond scraps the package with everything on it), plus DRAM on the board.
 */
export function calcCostUsd(p: {
  perDieMm2: number;
  dies: number;
  hbmBytes: number;
  hbmStacks: number;
  dramBytes: number;
  tech: ResolvedTechnology;
  pkg: PackageLayout;
}): CostBreakdown {
  const diesPerWafer = calcDiesPerWafer(p.perDieMm2);
  const dieYield = calcDieYield(p.perDieMm2, p.tech.defectsPerCm2, p.tech.clusteringAlpha);
  const diesUsd = p.dies * goodDieUsd(diesPerWafer, dieYield, p.tech.waferUsd);
  const io = p.pkg.ioDies;
  const ioDiesUsd = io ? io.count * calcGoodDieUsd(io.areaMm2, NODE_TECHNOLOGY[io.processNode]) : 0;
  const hbmUsd = (p.hbmBytes / 1e9) * p.tech.hbmUsdPerGB;
  const dramUsd = (p.dramBytes / 1e9) * p.tech.dramUsdPerGB;
  const packagingUsd = p.pkg.interposerMm2 * (p.tech.interposerUsdPerMm2 ?? PACKAGE_TECHNOLOGY[p.pkg.type].usdPerMm2);
  const assemblyYield = assemblyYieldOf(p.tech.assemblyYieldPerPart, p.dies + (io?.count ?? 0) + p.hbmStacks);
  const inPackage = diesUsd + ioDiesUsd + hbmUsd + packagingUsd;
  const assemblyLossUsd = inPackage / assemblyYield - inPackage;
  return { diesPerWafer, dieYield, diesUsd, ioDiesUsd, hbmUsd, dramUsd, packagingUsd, assemblyYield, assemblyLossUsd, totalUsd: inPackage + assemblyLossUsd + dramUsd };
}
