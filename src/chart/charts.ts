/** The charts of a run, by kind: each loads what it needs, computes its data and builds its spec. */
import type { TopLevelSpec } from 'vega-lite';
import { ChipdseError } from '../errors.js';
import { convergenceData, energyByDesign, energyBySteps, paramsData, paretoData, rooflineData } from './data.js';
import { chosenDesign, evaluateRunDesign, frontByFirstObjective, referenceChips, runSpace, runWorkloads, type RunData } from './run-data.js';
import { convergenceSpec, energySpec, paramsSpec, paretoSpec, rooflineSpec } from './specs.js';

export const CHART_KINDS = ['pareto', 'convergence', 'energy', 'roofline', 'params'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

export interface ChartChoices {
  x?: string;
  y?: string;
  color?: string;
  /** The design a roofline or a per-step energy chart shows (default: the front's best on the first objective). */
  genome?: string;
}

type Builder = (runs: RunData[], o: ChartChoices) => TopLevelSpec;

function one(runs: RunData[], kind: string): RunData {
  if (runs.length !== 1) throw new ChipdseError(`a ${kind} chart draws one run (got ${runs.length}); only convergence takes several`);
  return runs[0];
}

export const CHARTS: Record<ChartKind, Builder> = {
  pareto: (runs, o) => {
    const d = one(runs, 'pareto');
    const data = paretoData({ objectives: d.run.objectives, points: d.points, frontKeys: new Set(d.front.map((p) => p.key)), references: referenceChips(runWorkloads(d.run)), x: o.x, y: o.y, color: o.color });
    return paretoSpec(data, `${d.run.name}: designs and Pareto front`);
  },
  convergence: (runs) => convergenceSpec(convergenceData(runs.map((r) => ({ name: r.run.name, generations: r.generations }))), `convergence of ${runs.map((r) => r.run.name).join(', ')}`),
  energy: (runs, o) => {
    const d = one(runs, 'energy');
    if (o.genome !== undefined) {
      const p = chosenDesign(d, o.genome);
      return energySpec(energyBySteps(evaluateRunDesign(d, p).evaluations), `${d.run.name}: energy by step of design ${p.key}`, 'one pass of each phase on one chip; static energy shared among steps by time');
    }
    const front = frontByFirstObjective(d);
    if (front.length === 0) throw new ChipdseError(`run ${d.run.name}: no feasible design yet, nothing to draw`);
    return energySpec(energyByDesign(front.map((p) => ({ label: p.key, metrics: p.metrics! }))), `${d.run.name}: energy per token of the front's designs`, `sorted by ${d.run.objectives[0].metric}, best first`);
  },
  roofline: (runs, o) => {
    const d = one(runs, 'roofline');
    const p = chosenDesign(d, o.genome);
    const { chip, evaluations } = evaluateRunDesign(d, p);
    return rooflineSpec(rooflineData(chip, evaluations), `${d.run.name}: roofline of design ${p.key}`);
  },
  params: (runs, o) => {
    const d = one(runs, 'params');
    if (d.front.length === 0) throw new ChipdseError(`run ${d.run.name}: no feasible design yet, nothing to draw`);
    const data = paramsData(runSpace(d.run).parameters, frontByFirstObjective(d), o.color ?? d.run.objectives[0].metric);
    return paramsSpec(data, `${d.run.name}: parameters of the front`);
  },
};

export function chartKind(kind: string): ChartKind {
  if ((CHART_KINDS as readonly string[]).includes(kind)) return kind as ChartKind;
  throw new ChipdseError(`unknown chart kind "${kind}" (expected one of ${CHART_KINDS.join(', ')})`);
}
