import { ChipdseError } from '../errors.js';
import type { ReferenceResult } from '../results/design-detail.js';
import { aggregateMetric, metricOf, type MetricRef } from '../results/metric-ref.js';
import type { PointResult } from '../results/point.js';
import type { ObjectiveSpec } from '../results/run.js';
import { paramText } from '../text/format.js';
import { chooseScale, metricTitle, paddedDomain, workloadNamesOf, type Axis } from './data.js';

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
  /** Where it is drawn: its value, or the edge of the axis when its value lies beyond (see `beyond`). */
  x: number;
  y: number;
  /** Its values. */
  valueX: number;
  valueY: number;
  color: number | null;
  feasible: boolean;
  reasons: string[];
  /** An arrow pointing where the chip lies when it is beyond the axes ('' when it is on the chart). */
  beyond: string;
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
  /** Per design key, its parameters that vary among the drawn designs (`mxus 8, sramMiB 64`): how a chart names a design. */
  labels: Record<string, string>;
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

/**
 * The chart's data. Axes are the searched designs' range: reference chips never stretch it (a chip
 * beyond an axis is drawn on its edge with an arrow). Infeasible designs and reference chips are
 * marked as such; the colour scale follows the feasible designs.
 */
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
  const finiteXY = (q: { x: number; y: number }) => Number.isFinite(q.x) && Number.isFinite(q.y);
  // Scales follow the designs: the feasible ones if any, else all placed; infeasible points at 0 must not force a linear axis.
  const feasible = all.filter((a) => a.p.feasible && finiteXY(a.pt)).map((a) => a.pt);
  const basis = feasible.length > 0 ? feasible : all.filter((a) => finiteXY(a.pt)).map((a) => a.pt);
  const axis = (r: MetricRef, vs: number[]): Axis => ({ metric: r.label, title: metricTitle(r), scale: chooseScale(vs) });
  const x = axis(refs.x, basis.map((p) => p.x));
  const y = axis(refs.y, basis.map((p) => p.y));
  const colors = feasible.map((p) => p.color).filter((c): c is number => c !== null && Number.isFinite(c));
  const color = refs.color && colors.length > 0 ? axis(refs.color, colors) : null;
  const fits = (p: { x: number; y: number }) => finiteXY(p) && (x.scale === 'linear' || p.x > 0) && (y.scale === 'linear' || p.y > 0);
  const drawable = all.filter((a) => fits(a.pt));
  x.domain = paddedDomain(drawable.map((a) => a.pt.x), x.scale);
  y.domain = paddedDomain(drawable.map((a) => a.pt.y), y.scale);
  const front = drawable.filter((a) => inp.frontKeys.has(a.p.key)).map((a) => a.pt).sort((a, b) => a.x - b.x || a.y - b.y);
  const axesAreObjectives = inp.objectives.length === 2 && refs.x.label !== refs.y.label && new Set([refs.x.label, refs.y.label, ...inp.objectives.map((o) => o.metric)]).size === 2;
  const references = inp.references
    .map((r) => referencePoint(r, read(r.metrics, refs.x), read(r.metrics, refs.y), refs.color ? read(r.metrics, refs.color) : null, x, y))
    // A reference chip whose metric could not be computed (stored as null) has no place on the chart.
    .filter((r): r is ReferencePoint => r !== undefined);
  return {
    x, y, color,
    evaluated: drawable.filter((a) => a.p.feasible && !inp.frontKeys.has(a.p.key)).map((a) => a.pt),
    infeasible: drawable.filter((a) => !a.p.feasible).map((a) => a.pt),
    front,
    connected: axesAreObjectives && front.length > 1,
    references,
    unplaced: inp.points.length - drawable.length,
    params: Object.keys(inp.points[0]?.params ?? {}),
    labels: designLabels(drawable.map((a) => a.p)),
  };
}

/** A reference chip placed on the axes: clamped to their edge, with an arrow, when its value lies beyond. */
function referencePoint(r: ReferenceResult, vx: number, vy: number, color: number | null, x: Axis, y: Axis): ReferencePoint | undefined {
  const usable = (v: number, a: Axis) => Number.isFinite(v) && (a.scale === 'linear' || v > 0);
  if (!usable(vx, x) || !usable(vy, y)) return undefined;
  const clamp = (v: number, d: [number, number] | undefined) => (d ? Math.min(Math.max(v, d[0]), d[1]) : v);
  const side = (v: number, d: [number, number] | undefined) => (!d ? 0 : v < d[0] ? -1 : v > d[1] ? 1 : 0);
  const sx = side(vx, x.domain);
  const sy = side(vy, y.domain);
  const arrows: Record<string, string> = { '1,0': '\u2192', '-1,0': '\u2190', '0,1': '\u2191', '0,-1': '\u2193', '1,1': '\u2197', '-1,1': '\u2196', '1,-1': '\u2198', '-1,-1': '\u2199' };
  return { name: r.name, x: clamp(vx, x.domain), y: clamp(vy, y.domain), valueX: vx, valueY: vy, color, feasible: r.feasible, reasons: r.reasons, beyond: arrows[`${sx},${sy}`] ?? '' };
}

/** Each design named by the parameters that vary among `points` (`mxus 8, sramMiB 64`), not by its genome. */
export function designLabels(points: Pick<PointResult, 'key' | 'params'>[]): Record<string, string> {
  const names = Object.keys(points[0]?.params ?? {});
  const varying = names.filter((n) => new Set(points.map((p) => paramText(p.params[n]))).size > 1);
  const shown = varying.length > 0 ? varying : names;
  return Object.fromEntries(points.map((p) => [p.key, shown.map((n) => `${n} ${paramText(p.params[n])}`).join(', ')]));
}
