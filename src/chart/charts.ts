/** The charts of a run, by kind: each reads what the run stores, computes its data and builds its spec. */
import type { TopLevelSpec } from 'vega-lite';
import { ChipdseError } from '../errors.js';
import { convergenceData } from './convergence-data.js';
import { energyByDesign, energyBySteps } from './energy-data.js';
import { paramsData } from './params-data.js';
import { designLabels, paretoData } from './pareto-data.js';
import type { PointResult } from '../results/point.js';
import { paramText } from '../text/format.js';
import { rooflineData } from './roofline-data.js';
import { chosenDesign, frontByFirstObjective, storedDetail, versionMark, type RunData } from './run-data.js';
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

/** A run's name as a chart's title shows it: marked with its chipdse version when another one stored it. */
const named = (d: RunData) => `${d.run.name}${versionMark(d.run)}`;

export const CHARTS: Record<ChartKind, Builder> = {
  pareto: (runs, o) => {
    const d = one(runs, 'pareto');
    const data = paretoData({ objectives: d.run.objectives, points: d.points, frontKeys: new Set(d.front.map((p) => p.key)), references: d.references ?? [], x: o.x, y: o.y, color: o.color });
    const notes = d.references === undefined ? ['no reference chips stored with this run (an older chipdse stored it)'] : [];
    return paretoSpec(data, `${named(d)}: designs and Pareto front`, notes);
  },
  convergence: (runs) =>
    convergenceSpec(convergenceData(runs.map((r) => ({ name: r.run.name, generations: r.generations, toolVersion: r.run.toolVersion }))), `convergence of ${runs.map((r) => r.run.name).join(', ')}`),
  energy: (runs, o) => {
    const d = one(runs, 'energy');
    if (o.genome !== undefined) {
      const p = chosenDesign(d, o.genome);
      return energySpec(energyBySteps(storedDetail(d, p).evaluations), `${named(d)}: energy by step of one design`, `${designName(d, p)}; one pass of each phase on one chip; static energy shared among steps by time`);
    }
    const front = frontByFirstObjective(d);
    if (front.length === 0) throw new ChipdseError(`run ${d.run.name}: no feasible design yet, nothing to draw`);
    const labels = designLabels(front);
    return energySpec(energyByDesign(front.map((p) => ({ label: labels[p.key], metrics: p.metrics! }))), `${named(d)}: energy per token of the front's designs`, `sorted by ${d.run.objectives[0].metric}, best first; each design named by the parameters that vary on the front`);
  },
  roofline: (runs, o) => {
    const d = one(runs, 'roofline');
    const p = chosenDesign(d, o.genome);
    const detail = storedDetail(d, p);
    return rooflineSpec(rooflineData(detail.chip, detail.evaluations), `${named(d)}: roofline of one design`, designName(d, p));
  },
  params: (runs, o) => {
    const d = one(runs, 'params');
    if (d.front.length === 0) throw new ChipdseError(`run ${d.run.name}: no feasible design yet, nothing to draw`);
    if (!d.run.parameters) throw new ChipdseError(`run ${d.run.name}: stored without its parameter axes (by an older chipdse), so its parameters chart cannot be drawn; a new run stores them`);
    const data = paramsData(d.run.parameters, frontByFirstObjective(d), o.color ?? d.run.objectives[0].metric);
    return paramsSpec(data, `${named(d)}: parameters of the front`);
  },
};

/** A design of a run as a chart names it: its parameters (all of them: it stands alone), then its genome. */
function designName(d: RunData, p: PointResult): string {
  const params = Object.entries(p.params).map(([k, v]) => `${k} ${paramText(v)}`).join(', ');
  return `${params || 'design'} (genome ${p.key}${d.front.some((f) => f.key === p.key) ? ', on the front' : ''})`;
}

export function chartKind(kind: string): ChartKind {
  if ((CHART_KINDS as readonly string[]).includes(kind)) return kind as ChartKind;
  throw new ChipdseError(`unknown chart kind "${kind}" (expected one of ${CHART_KINDS.join(', ')})`);
}
