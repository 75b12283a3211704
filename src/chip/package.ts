import type { AreaBreakdown, ChipTco, CostBreakdown, PackageLayout } from './chip.js';
import type { DesignFile } from './schema.js';
import { INTERPOSER_SPACING, PACKAGE_TECHNOLOGY, type ResolvedTechnology } from './technology.js';

/**
 * The package a design's dies and HBM stacks sit on: the interposer holds the compute dies (unless
 * they are stacked on the I/O dies), the I/O dies and the HBM stacks, with room between them; its
 * type is the design's, or the cheaper CoWoS that makes an interposer that large.
 */
export function packageLayout(d: DesignFile, area: AreaBreakdown, tech: ResolvedTechnology): PackageLayout {
  const io = d.package?.ioDies;
  const computeStacked = io?.computeStacked ?? false;
  const onInterposer = (computeStacked ? 0 : area.totalMm2) + (io ? io.count * io.areaMm2 : 0) + d.memory.hbm.stacks * tech.hbmFootprintMm2;
  const interposerMm2 = onInterposer * INTERPOSER_SPACING;
  const type = d.package?.type ?? (interposerMm2 <= PACKAGE_TECHNOLOGY['cowos-s'].maxInterposerMm2 ? 'cowos-s' : 'cowos-l');
  return {
    type,
    interposerMm2,
    maxInterposerMm2: PACKAGE_TECHNOLOGY[type].maxInterposerMm2,
    ioDies: io ? { count: io.count, areaMm2: io.areaMm2, processNode: io.processNode } : undefined,
    computeStacked,
  };
}

/**
 * What comes with a chip in a data centre, per chip, when the design does not say (docs/technology-sources.md [10]):
 * - grossMargin 0.75: NVIDIA's GAAP gross margin for fiscal 2025 (Form 10-K): the chip's price is its
 *   manufacturing cost / (1 - margin) unless the design gives tco.chipPriceUsd.
 * - serverUsdPerChip $4,000: SemiAnalysis' DGX H100 bill of materials without the GPUs, $32,010 per
 *   8-GPU server (May 2023), as Epoch AI uses it (epoch-research/training-cost-trends).
 * - networkShare 0.19: the cluster-level network's share of a cluster's hardware cost (Epoch AI, same
 *   repository, Cottier et al. 2024, "The rising costs of training frontier AI models").
 * - hostPowerRatio 0.82: DGX H100 draws at most 10.2 kW for eight 700 W GPUs, 1,275 W per GPU, so
 *   the rest of the server adds 0.82 W per GPU watt (NVIDIA DGX H100 datasheet, as in Epoch AI's
 *   chip_to_server_power); TPU hosts add 0.47-0.64 (Jouppi et al., ISCA 2021, table 1).
 */
export const TCO_DEFAULTS = { grossMargin: 0.75, serverUsdPerChip: 4000, networkShare: 0.19, hostPowerRatio: 0.82 } as const;

export function chipTco(d: DesignFile, cost: CostBreakdown): ChipTco {
  const t = d.tco;
  const grossMargin = t?.grossMargin ?? TCO_DEFAULTS.grossMargin;
  const given = t?.chipPriceUsd;
  return {
    chipPriceUsd: given ?? cost.totalUsd / (1 - grossMargin),
    priceFrom: given !== undefined ? 'design' : 'margin',
    grossMargin,
    serverUsdPerChip: t?.serverUsdPerChip ?? TCO_DEFAULTS.serverUsdPerChip,
    networkShare: t?.networkShare ?? TCO_DEFAULTS.networkShare,
    hostPowerRatio: t?.hostPowerRatio ?? TCO_DEFAULTS.hostPowerRatio,
  };
}
