/**
 * Cost of ownership per chip, for $ per million tokens.
 * - Amortization over 5 years: hyperscalers depreciate servers over 5-6 years (Microsoft,
 *   Alphabet and Meta 10-K filings, 2022-2024); the shorter end, as accelerators age fast.
 * - Electricity $0.08/kWh: US industrial average 2024 (EIA Electric Power Monthly, table 5.6.A, ~8.1 c/kWh).
 * - PUE 1.10: Google fleet-wide trailing-twelve-month PUE 2023 (Google Environmental Report 2024).
 * Only the chip package is counted (its manufacturing cost from the cost model), not hosts or networks.
 */
export const AMORTIZATION_YEARS = 5;
export const USD_PER_KWH = 0.08;
export const PUE = 1.1;
const SECONDS_PER_YEAR = 365 * 24 * 3600;

/** Dollars per second one chip costs to own and run at `powerW`. */
export function usdPerChipSecond(chipCostUsd: number, powerW: number): number {
  return chipCostUsd / (AMORTIZATION_YEARS * SECONDS_PER_YEAR) + ((powerW * PUE) / 3.6e6) * USD_PER_KWH;
}
