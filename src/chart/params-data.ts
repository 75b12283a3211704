import { aggregateMetric, metricOf } from '../results/metric-ref.js';
import type { PointResult } from '../results/point.js';
import type { ParameterAxis } from '../results/run.js';
import { paramText } from '../text/format.js';
import { chooseScale, metricTitle, workloadNamesOf, type Axis, type ScaleType } from './data.js';

export interface ParamAxis {
  name: string;
  scale: ScaleType | 'index';
  /** Labels at the bottom (0) and top (1) of the axis. */
  lo: string;
  hi: string;
}

export interface ParamRow {
  genome: string;
  axis: string;
  /** 0 at the axis's smallest value, 1 at its largest. */
  value: number;
  label: string;
  color: number;
}

export interface ParamsData {
  axes: ParamAxis[];
  rows: ParamRow[];
  color: Axis;
  designs: number;
}

/** Where a parameter value sits on its axis, 0 to 1: by value (log when the values span decades), or by index for choices. */
function normalizer(p: ParameterAxis): { scale: ParamAxis['scale']; at: (v: unknown) => number } {
  const numeric = !p.categorical && p.values.every((v) => typeof v === 'number');
  const byIndex = (v: unknown) => {
    const i = p.values.findIndex((x) => JSON.stringify(x) === JSON.stringify(v));
    return p.values.length > 1 ? i / (p.values.length - 1) : 0.5;
  };
  if (!numeric) return { scale: 'index', at: byIndex };
  const vs = p.values as number[];
  const scale = chooseScale(vs);
  const f = scale === 'log' ? Math.log : (v: number) => v;
  const [a, b] = [f(Math.min(...vs)), f(Math.max(...vs))];
  return { scale, at: (v) => (b > a ? (f(v as number) - a) / (b - a) : 0.5) };
}

/** Parallel coordinates of the front: one line per design across the space's parameters, coloured by a metric. */
export function paramsData(parameters: ParameterAxis[], front: PointResult[], colorMetric: string): ParamsData {
  const ref = metricOf(colorMetric, workloadNamesOf(front));
  const axes: ParamAxis[] = [];
  const rows: ParamRow[] = [];
  const placed = front.filter((p) => p.metrics);
  for (const p of parameters) {
    const n = normalizer(p);
    const sorted = n.scale === 'index' ? p.values : [...(p.values as number[])].sort((a, b) => a - b);
    axes.push({ name: p.name, scale: n.scale, lo: paramText(sorted[0]), hi: paramText(sorted[sorted.length - 1]) });
    for (const d of placed) rows.push({ genome: d.key, axis: p.name, value: n.at(d.params[p.name]), label: paramText(d.params[p.name]), color: aggregateMetric(d.metrics!, ref) });
  }
  const colors = placed.map((d) => aggregateMetric(d.metrics!, ref));
  return { axes, rows, color: { metric: ref.label, title: metricTitle(ref), scale: chooseScale(colors) }, designs: placed.length };
}
