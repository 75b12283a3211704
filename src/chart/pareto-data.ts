import { ChipdseError } from '../errors.js';
import type { ReferenceResult } from '../results/design-detail.js';
import { aggregateMetric, metricOf, type MetricRef } from '../results/metric-ref.js';
import type { PointResult } from '../results/point.js';
import type { ObjectiveSpec } from '../results/run.js';
import { paramText } from '../text/format.js';
import { chooseScale, metricTitle, workloadNamesOf, type Axis } from './data.js';

export interface ParetoPoint {
  genome: string;
  x: number;
  y: number;
  color: number | null;
  params: Record<string, string>;
  reasons: string[];
}

export interface ReferencePoint {
  name: string;
  x: number;
  y: number;
  color: number | null;
  feasible: boolean;
}

export interface ParetoData {
  x: Axis;
  y: Axis;
  color: Axis | null;
  /** Feasible evaluations off the front. */
  evaluated: ParetoPoint[];
  infeasible: ParetoPoint[];
  /** Sorted by x: the order in which it is connected. */
  front: ParetoPoint[];
  /** True when the run has two objectives and they are the axes: then the front is a staircase worth joining. */
  connected: boolean;
  references: ReferencePoint[];
  /** Evaluations that cannot be placed: invalid designs (no metrics), or a non-positive value on a log axis. */
  unplaced: number;
  params: string[];
}

export interface ParetoInput {
  objectives: ObjectiveSpec[];
  points: PointResult[];
  frontKeys: Set<string>;
  /** Known chips scored on the same workloads by the same model (stored with the run). */
  references: ReferenceResult[];
  x?: string;
  y?: string;
  color?: string;
}

/** The axes: given metrics, else the first two objectives, and the third objective (if any) as colour. */
function paretoAxes(inp: ParetoInput, workloads: string[]): { x: MetricRef; y: MetricRef; color: MetricRef | null } {
  const obj = inp.objectives.map((o) => o.metric);
  const xl = inp.x ?? obj[0];
  const yl = inp.y ?? obj.find((m) => m !== xl) ?? obj[1];
  if (!xl || !yl) throw new ChipdseError('a Pareto chart needs two metrics: give --x and --y (the run has one objective)');
  const cl = inp.color ?? obj.find((m) => m !== xl && m !== yl);
  return { x: metricOf(xl, workloads), y: metricOf(yl, workloads), color: cl ? metricOf(cl, workloads) : null };
}

export function paretoData(inp: ParetoInput): ParetoData {
  const workloads = workloadNamesOf(inp.points);
  const refs = paretoAxes(inp, workloads);
  const read = aggregateMetric;
  const placed = inp.points.filter((p) => p.metrics);
  const pointOf = (p: PointResult): ParetoPoint => ({
    genome: p.key,
    x: read(p.metrics!, refs.x),
    y: read(p.metrics!, refs.y),
    color: refs.color ? read(p.metrics!, refs.color) : null,
    params: Object.fromEntries(Object.entries(p.params).map(([k, v]) => [k, paramText(v)])),
    reasons: p.reasons,
  });
  const all = placed.map((p) => ({ p, pt: pointOf(p) }));
  const references: ReferencePoint[] = inp.references.map((r) => ({
    name: r.name, feasible: r.feasible, x: read(r.metrics, refs.x), y: read(r.metrics, refs.y), color: refs.color ? read(r.metrics, refs.color) : null,
  }));
  // Scales follow the designs that matter (feasible ones and the references); infeasible points at 0 must not force a linear axis.
  const shown = [...all.filter((a) => a.p.feasible).map((a) => a.pt), ...references];
  const axis = (r: MetricRef, vs: number[]): Axis => ({ metric: r.label, title: metricTitle(r), scale: chooseScale(vs) });
  const x = axis(refs.x, shown.map((p) => p.x));
  const y = axis(refs.y, shown.map((p) => p.y));
  const color = refs.color ? axis(refs.color, shown.map((p) => p.color as number)) : null;
  const fits = (p: { x: number; y: number }) => (x.scale === 'linear' || p.x > 0) && (y.scale === 'linear' || p.y > 0);
  const drawable = all.filter((a) => fits(a.pt));
  const front = drawable.filter((a) => inp.frontKeys.has(a.p.key)).map((a) => a.pt).sort((a, b) => a.x - b.x || a.y - b.y);
  const axesAreObjectives = inp.objectives.length === 2 && refs.x.label !== refs.y.label && new Set([refs.x.label, refs.y.label, ...inp.objectives.map((o) => o.metric)]).size === 2;
  // A reference chip whose metric could not be computed (stored as null) has no place on the chart.
  const finite = (p: ReferencePoint) => Number.isFinite(p.x) && Number.isFinite(p.y);
  return {
    x, y, color,
    evaluated: drawable.filter((a) => a.p.feasible && !inp.frontKeys.has(a.p.key)).map((a) => a.pt),
    infeasible: drawable.filter((a) => !a.p.feasible).map((a) => a.pt),
    front,
    connected: axesAreObjectives && front.length > 1,
    references: references.filter((r) => finite(r) && fits(r)),
    unplaced: inp.points.length - drawable.length,
    params: Object.keys(inp.points[0]?.params ?? {}),
  };
}
