import type { Evaluation } from '../results/metrics.js';
import { COMPARE_ROWS } from '../text/compare.js';
import { energyByDesign, type EnergyData } from './energy-data.js';

export interface CompareMetricRow {
  design: string;
  workload: string;
  metric: string;
  value: number;
  text: string;
  feasible: boolean;
  /** Why not, when infeasible. */
  reasons: string;
}

export interface CompareData {
  /** Design labels, `(infeasible)` added to a design infeasible on every workload. */
  designs: string[];
  /** Any (design, workload) infeasible: its bars are drawn faded. */
  anyInfeasible: boolean;
  workloads: string[];
  energy: EnergyData;
  metrics: CompareMetricRow[];
}

/** Units of the rows of `chipdse compare`, for the chart's panel titles. */
const COMPARE_UNITS: Record<string, string> = {
  TTFT: 's', 'time per output token': 's', 'step time': 's', 'energy / token': 'J', 'average power / chip': 'W', 'peak power / chip': 'W', area: 'mm2', 'chip cost (manufacturing)': '$', 'manufacturing $ / M tokens': '$', 'TCO $ / chip-hour': '$', 'TCO $ / M tokens': '$',
};

/** Designs side by side: their energy per token by part, and the key metrics of `chipdse compare`. */
export function compareData(evaluations: Evaluation[]): CompareData {
  const names = [...new Set(evaluations.map((e) => e.design))];
  const workloads = [...new Set(evaluations.map((e) => e.workload))];
  const label = new Map(names.map((d) => [d, evaluations.filter((e) => e.design === d).every((e) => !e.feasible) ? `${d} (infeasible)` : d]));
  const designs = names.map((d) => label.get(d)!);
  const energy = energyByDesign(
    names.map((d) => {
      const own = evaluations.filter((e) => e.design === d);
      return { label: label.get(d)!, metrics: Object.fromEntries(own.map((e) => [e.workload, e.metrics])), infeasible: own.filter((e) => !e.feasible).map((e) => e.workload) };
    }),
  );
  const metrics: CompareMetricRow[] = [];
  for (const c of COMPARE_ROWS) {
    if (c.label === 'batch') continue;
    const vals = evaluations.map((e) => c.get(e.metrics));
    if (c.optional && vals.every((v) => v === 0)) continue;
    const metric = COMPARE_UNITS[c.label] ? `${c.label} (${COMPARE_UNITS[c.label]})` : c.label;
    evaluations.forEach((e, i) => metrics.push({ design: label.get(e.design)!, workload: e.workload, metric, value: vals[i], text: c.show(vals[i]), feasible: e.feasible, reasons: e.reasons.join('; ') }));
  }
  return { designs, anyInfeasible: evaluations.some((e) => !e.feasible), workloads, energy, metrics };
}
