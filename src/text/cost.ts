import type { Chip } from '../chip/chip.js';
import { percent, usd } from './format.js';

/** How a chip's manufacturing cost and price come about, in two lines for `chipdse eval`. */
export function formatChipCost(chip: Chip): string {
  const c = chip.cost;
  const p = chip.package;
  const parts = [
    `${chip.dies > 1 ? `${chip.dies} compute dies` : 'compute die'} ${usd(c.diesUsd)}`,
    ...(p.ioDies ? [`${p.ioDies.count} I/O dies ${usd(c.ioDiesUsd)}`] : []),
    `HBM ${usd(c.hbmUsd)}`,
    `package ${usd(c.packagingUsd)} (${p.type}, ${p.interposerMm2.toFixed(0)} mm2 interposer)`,
    `assembly losses ${usd(c.assemblyLossUsd)} (yield ${percent(c.assemblyYield)})`,
    ...(c.dramUsd > 0 ? [`DRAM ${usd(c.dramUsd)}`] : []),
  ];
  const t = chip.tco;
  const price = t.priceFrom === 'design' ? 'as the design gives it' : `manufacturing cost / (1 - ${t.grossMargin} gross margin)`;
  return [`manufacturing cost ${usd(c.totalUsd)}: ${parts.join(', ')}`, `price ${usd(t.chipPriceUsd)} (${price}); with ${usd(t.serverUsdPerChip)} of server and a ${percent(t.networkShare)} network share per chip`].join('\n');
}
