import type { CostBreakdown } from './chip.js';
import type { ResolvedTechnology } from './technology.js';

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

export function calcCostUsd(p: {
  perDieMm2: number;
  dies: number;
  hbmBytes: number;
  hbmStacks: number;
  dramBytes: number;
  tech: ResolvedTechnology;
}): CostBreakdown {
  const diesPerWafer = calcDiesPerWafer(p.perDieMm2);
  const dieYield = calcDieYield(p.perDieMm2, p.tech.defectsPerCm2, p.tech.clusteringAlpha);
  // A die too big for any whole copy on a wafer is infeasible (reticle); its cost is counted as at
  // least one wafer per good die, so it stays a finite, very large number.
  const goodDies = Math.max(1, diesPerWafer) * dieYield;
  const diesUsd = (p.dies * p.tech.waferUsd) / Math.max(goodDies, 1e-9);
  const hbmUsd = (p.hbmBytes / 1e9) * p.tech.hbmUsdPerGB;
  const dramUsd = (p.dramBytes / 1e9) * p.tech.dramUsdPerGB;
  const packagingUsd = p.dies * p.tech.packagingUsdPerDie + p.hbmStacks * p.tech.packagingUsdPerHbmStack;
  return { diesPerWafer, dieYield, diesUsd, hbmUsd, dramUsd, packagingUsd, totalUsd: diesUsd + hbmUsd + dramUsd + packagingUsd };
}
