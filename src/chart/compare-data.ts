import type { Evaluation } from '../results/metrics.js';
import { COMPARE_ROWS } from '../text/compare.js';
import { energyByDesign, type EnergyData } from './energy-data.js';

export interface CompareMetricRow {
  design: string;
  workload: string;
  metric: string;
  value: number;
  text: string;
}

export interface CompareData {
  designs: string[];
  workloads: string[];
  energy: EnergyData;
  metrics: CompareMetricRow[];
}

/** Units of the rows of `chipdse compare`, for the chart's panel titles. */
const COMPARE_UNITS: Record<string, string> = {
  TTFT: 's', 'time per output token': 's', 'step time': 's', 'energy / token': 'J', 'power / chip': 'W', area: 'mm2', 'chip cost': '$', '$ / M tokens': '$',
};

/** Designs side by side: their energy per token by part, and the key metrics of `chipdse compare`. */
export function compareData(evaluations: Evaluation[]): CompareData {
  const designs = [...new Set(evaluations.map((e) => e.design))];
  const workloads = [...new Set(evaluations.map((e) => e.workload))];
  const energy = energyByDesign(designs.map((d) => ({ label: d, metrics: Object.fromEntries(evaluations.filter((e) => e.design === d).map((e) => [e.workload, e.metrics])) })));
  const metrics: CompareMetricRow[] = [];
  for (const c of COMPARE_ROWS) {
    if (c.label === 'batch') continue;
    const vals = evaluations.map((e) => c.get(e.metrics));
    if (c.optional && vals.every((v) => v === 0)) continue;
    const metric = COMPARE_UNITS[c.label] ? `${c.label} (${COMPARE_UNITS[c.label]})` : c.label;
    evaluations.forEach((e, i) => metrics.push({ design: e.design, workload: e.workload, metric, value: vals[i], text: c.show(vals[i]) }));
  }
  return { designs, workloads, energy, metrics };
}
