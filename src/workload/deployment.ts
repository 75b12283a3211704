import { z } from 'zod';
import { fraction, positive } from '../io/schema-helpers.js';

/**
 * Where and how the chips run, for the total cost of ownership (src/eval/tco.ts). Defaults, with
 * their sources (docs/technology-sources.md [10]):
 * - utilization 0.8: share of the time the system serves (or trains) at its modelled rate; the
 *   figure SemiAnalysis' AI data-centre energy example uses (as quoted in Epoch AI's
 *   training-cost-trends, energy.py). An assumption: a busy, well-loaded fleet.
 * - lifetimeYears 5: servers depreciated over 5-6 years by hyperscalers (Microsoft, Alphabet, Meta
 *   10-K filings 2022-2024); Epoch AI uses 5 for AI servers from 2023.
 * - usdPerKWh 0.08: US industrial average 2024 (EIA Electric Power Monthly, table 5.6.A, ~8.1 c/kWh).
 * - pue 1.1: Google fleet-wide trailing-twelve-month PUE 2023 (Google Environmental Report 2024);
 *   colocation runs 1.25-1.6 (SemiAnalysis, via Epoch AI).
 * - datacenterUsdPerW 10 and datacenterYears 12: building a data centre costs $9-13 per watt of
 *   critical power, depreciated over 10-15 years (Barroso, Hölzle, Ranganathan, "The Datacenter as
 *   a Computer", 3rd ed. 2018, chapter 6).
 */
export const DEPLOYMENT_DEFAULTS = { utilization: 0.8, lifetimeYears: 5, usdPerKWh: 0.08, pue: 1.1, datacenterUsdPerW: 10, datacenterYears: 12 } as const;

export const deploymentSchema = z
  .strictObject({
    utilization: fraction('share of the time the chips run the workload at its modelled rate (default 0.8)').default(DEPLOYMENT_DEFAULTS.utilization),
    lifetimeYears: positive(30, 'years the chips, servers and network are depreciated over (default 5)').default(DEPLOYMENT_DEFAULTS.lifetimeYears),
    usdPerKWh: z.number().min(0).max(10).default(DEPLOYMENT_DEFAULTS.usdPerKWh).meta({ description: 'electricity price (default $0.08/kWh)' }),
    pue: z.number().min(1).max(5).default(DEPLOYMENT_DEFAULTS.pue).meta({ description: 'power usage effectiveness: facility power over IT power (default 1.1)' }),
    datacenterUsdPerW: z.number().min(0).max(1000).default(DEPLOYMENT_DEFAULTS.datacenterUsdPerW).meta({ description: 'data-centre building cost per watt of IT power provisioned (default $10/W)' }),
    datacenterYears: positive(100, 'years the building is depreciated over (default 12)').default(DEPLOYMENT_DEFAULTS.datacenterYears),
  })
  .default(DEPLOYMENT_DEFAULTS)
  .meta({ description: 'where and how the chips run, for the total cost of ownership' });

export type Deployment = z.output<typeof deploymentSchema>;
