/**
 * What a token costs. Two figures (sources of the defaults: src/workload/deployment.ts and
 * src/chip/package.ts; docs/technology-sources.md [10]):
 *
 * - Manufacturing $ per M tokens (`usdPerMTokens`): the chip's manufacturing cost spread over its
 *   lifetime, plus the electricity it draws at its average power times PUE, at full utilization.
 *   A floor for comparing chips: it leaves out what the buyer pays over cost, the servers, the
 *   network, the building and idle time.
 * - Total cost of ownership per chip-hour and per M tokens (`tcoUsdPerChipHour`,
 *   `tcoUsdPerMTokens`): the chip's price (manufacturing cost / (1 - gross margin), or a given
 *   price) and its share of the server, with the network a fixed share of that capital, all
 *   depreciated straight over the lifetime; the data-centre building per watt provisioned (the
 *   chip's TDP, or its peak power, plus its host's power), depreciated over the building's life;
 *   and electricity: the chip at its average power while busy and at its static power while idle,
 *   plus its host, times PUE. Tokens are those of the busy share of the time (utilization).
 *   Left out: financing, staff, software, the seller's margin on servers and networks.
 */
import type { Chip } from '../chip/chip.js';
import { DEPLOYMENT_DEFAULTS, type Deployment } from '../workload/deployment.js';

export const HOURS_PER_YEAR = 365 * 24;
const SECONDS_PER_YEAR = HOURS_PER_YEAR * 3600;

/** Dollars per second one chip costs at manufacturing cost and average power, under a deployment's lifetime, PUE and tariff. */
export function usdPerChipSecond(chipCostUsd: number, powerW: number, d: Pick<Deployment, 'lifetimeYears' | 'pue' | 'usdPerKWh'> = DEPLOYMENT_DEFAULTS): number {
  return chipCostUsd / (d.lifetimeYears * SECONDS_PER_YEAR) + ((powerW * d.pue) / 3.6e6) * d.usdPerKWh;
}

/** The total cost of ownership of one chip per hour, by part. */
export interface TcoPerChipHour {
  /** Chip, server share and network, depreciated over the lifetime. */
  capexUsd: number;
  /** The building, per watt provisioned. */
  datacenterUsd: number;
  electricityUsd: number;
  totalUsd: number;
}

export function tcoPerChipHour(chip: Chip, d: Deployment, powerW: number, peakPowerW: number): TcoPerChipHour {
  const t = chip.tco;
  const hostRatio = 1 + t.hostPowerRatio;
  const capexUsd = (t.chipPriceUsd + t.serverUsdPerChip) / (1 - t.networkShare) / (d.lifetimeYears * HOURS_PER_YEAR);
  const provisionedW = (chip.tdpW ?? peakPowerW) * hostRatio;
  const datacenterUsd = (provisionedW * d.datacenterUsdPerW) / (d.datacenterYears * HOURS_PER_YEAR);
  const meanChipW = d.utilization * powerW + (1 - d.utilization) * chip.energy.staticW;
  const electricityUsd = ((meanChipW * hostRatio * d.pue) / 1000) * d.usdPerKWh;
  return { capexUsd, datacenterUsd, electricityUsd, totalUsd: capexUsd + datacenterUsd + electricityUsd };
}

/** Dollars per million tokens of a system of `chips` chips producing `tokensPerSec` while busy, at `usdPerChipHour` each. */
export function usdPerMTokensAt(usdPerChipHour: number, chips: number, tokensPerSec: number, utilization: number): number {
  const tokensPerHour = tokensPerSec * utilization * 3600;
  return tokensPerHour > 0 ? ((usdPerChipHour * chips) / tokensPerHour) * 1e6 : 0;
}
