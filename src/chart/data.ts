/**
 * The data behind every chart, as pure functions of stored runs, evaluations and chips: no I/O,
 * no vega. `specs.ts` turns these into vega-lite; `render.ts` draws them.
 */
import type { Chip } from '../chip/chip.js';
import { ChipdseError } from '../errors.js';
import { ENERGY_PARTS, METRIC_NAMES, metricValue, totalEnergy, type Bound, type Evaluation, type MetricName, type Metrics, type PhaseCost } from '../eval/types.js';
import type { FormatName } from '../precision/formats.js';
import { COMPARE_ROWS } from '../report/compare-text.js';
import { aggregateMetric, type PointResult } from '../search/problem.js';
import type { MetricRef } from '../search/space.js';
import type { GenerationStats } from '../store/sqlite.js';

export type ScaleType = 'linear' | 'log';
export type EnergyPart = (typeof ENERGY_PARTS)[number];

/** A log axis once the values span more than this ratio (two decades). */
export const LOG_SPAN = 100;

/** Log when every value is positive and the largest is more than LOG_SPAN times the smallest. */
export function chooseScale(values: number[]): ScaleType {
  const vs = values.filter((v) => Number.isFinite(v));
  if (vs.length < 2 || vs.some((v) => v <= 0)) return 'linear';
  return Math.max(...vs) / Math.min(...vs) > LOG_SPAN ? 'log' : 'linear';
}

const METRIC_TITLES: Partial<Record<MetricName, string>> = {
  tokensPerSec: 'tokens/s', latencySec: 'request latency (s)', ttftSec: 'TTFT (s)', tpotSec: 'time per output token (s)',
  stepTimeSec: 'step time (s)', mfu: 'MFU', energyJPerToken: 'energy per token (J)', powerW: 'power per chip (W)',
  areaMm2: 'area (mm2)', costUsd: 'chip cost ($)', tokensPerSecPerW: 'tokens/s per W', usdPerMTokens: '$ per M tokens',
  hbmUsedBytes: 'HBM used (bytes)', memoryBytesPerChip: 'memory per chip (bytes)', quantizationSnrDb: 'weight SQNR (dB)',
};

/** A metric by name (`tokensPerSec`) or of one workload (`llama-3-8b-serve:tokensPerSec`). */
export function resolveMetric(label: string, workloads: string[]): MetricRef {
  const known = METRIC_NAMES as readonly string[];
  if (known.includes(label)) return { name: label as MetricName, workload: undefined, label };
  const colon = label.lastIndexOf(':');
  const [w, m] = [label.slice(0, colon), label.slice(colon + 1)];
  if (colon > 0 && known.includes(m) && workloads.includes(w)) return { name: m as MetricName, workload: w, label };
  if (colon > 0 && known.includes(m)) throw new ChipdseError(`metric "${label}": no workload "${w}" in this run (${workloads.join(', ')})`);
  throw new ChipdseError(`unknown metric "${label}" (expected one of ${METRIC_NAMES.join(', ')}, or WORKLOAD:metric)`);
}

export function metricTitle(ref: MetricRef): string {
  const t = METRIC_TITLES[ref.name] ?? ref.name;
  return ref.workload ? `${ref.workload}: ${t}` : t;
}

/** How a parameter value reads in a table or tooltip (a format set reads as its names). */
export function paramText(v: unknown): string {
  if (v !== null && typeof v === 'object') return Object.keys(v).join('+');
  return String(v);
}

export interface Axis {
  metric: string;
  title: string;
  scale: ScaleType;
}

// ---------------------------------------------------------------- pareto

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

export interface ReferenceChip {
  name: string;
  feasible: boolean;
  /** Metrics per workload name, as a run stores them. */
  metrics: Record<string, Metrics>;
}

export interface ParetoInput {
  objectives: { metric: string; goal: 'min' | 'max' }[];
  points: PointResult[];
  frontKeys: Set<string>;
  references: ReferenceChip[];
  x?: string;
  y?: string;
  color?: string;
}

/** A metric as the search aggregates it; with one workload simply its value (exp(log v) is not always v). */
function readMetric(metrics: Record<string, Metrics>, ref: MetricRef): number {
  const names = Object.keys(metrics);
  return ref.workload === undefined && names.length === 1 ? metricValue(metrics[names[0]], ref.name) : aggregateMetric(metrics, ref);
}

export function workloadNamesOf(points: PointResult[]): string[] {
  return Object.keys(points.find((p) => p.metrics)?.metrics ?? {});
}

/** The axes: given metrics, else the first two objectives, and the third objective (if any) as colour. */
function paretoAxes(inp: ParetoInput, workloads: string[]): { x: MetricRef; y: MetricRef; color: MetricRef | null } {
  const obj = inp.objectives.map((o) => o.metric);
  const xl = inp.x ?? obj[0];
  const yl = inp.y ?? obj.find((m) => m !== xl) ?? obj[1];
  if (!xl || !yl) throw new ChipdseError('a Pareto chart needs two metrics: give --x and --y (the run has one objective)');
  const cl = inp.color ?? obj.find((m) => m !== xl && m !== yl);
  return { x: resolveMetric(xl, workloads), y: resolveMetric(yl, workloads), color: cl ? resolveMetric(cl, workloads) : null };
}

export function paretoData(inp: ParetoInput): ParetoData {
  const workloads = workloadNamesOf(inp.points);
  const refs = paretoAxes(inp, workloads);
  const read = readMetric;
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
  return {
    x, y, color,
    evaluated: drawable.filter((a) => a.p.feasible && !inp.frontKeys.has(a.p.key)).map((a) => a.pt),
    infeasible: drawable.filter((a) => !a.p.feasible).map((a) => a.pt),
    front,
    connected: axesAreObjectives && front.length > 1,
    references: references.filter(fits),
    unplaced: inp.points.length - drawable.length,
    params: Object.keys(inp.points[0]?.params ?? {}),
  };
}

// ---------------------------------------------------------------- convergence

export interface ConvergenceRow extends GenerationStats {
  run: string;
}

export interface ConvergenceData {
  runs: string[];
  rows: ConvergenceRow[];
  hypervolumeScale: ScaleType;
}

/** Hypervolume and feasible share per generation, one series per run. */
export function convergenceData(runs: { name: string; generations: GenerationStats[] }[]): ConvergenceData {
  const rows = runs.flatMap((r) => r.generations.map((g) => ({ run: r.name, ...g })));
  return { runs: runs.map((r) => r.name), rows, hypervolumeScale: chooseScale(rows.map((r) => r.hypervolume)) };
}

// ---------------------------------------------------------------- energy

export interface EnergyRow {
  /** The bar: a design, or a step of a phase. */
  group: string;
  /** The panel the bar is drawn in: a workload, or a workload's phase. */
  panel: string;
  part: EnergyPart;
  energyJ: number;
  /** The bar's total (all parts), for tooltips. */
  totalJ: number;
}

export interface EnergyData {
  by: 'design' | 'step';
  /** What one bar's height means. */
  unit: string;
  /** Bars in drawing order (per panel for steps). */
  groups: string[];
  panels: string[];
  /** Zero parts are left out: they draw nothing. */
  rows: EnergyRow[];
}

/** Energy per token by part, one bar per design and workload. */
export function energyByDesign(designs: { label: string; metrics: Record<string, Metrics> }[]): EnergyData {
  const rows: EnergyRow[] = [];
  const panels = new Set<string>();
  for (const d of designs) {
    for (const [w, m] of Object.entries(d.metrics)) {
      panels.add(w);
      const totalJ = totalEnergy(m.energyBreakdownJ);
      for (const part of ENERGY_PARTS) if (m.energyBreakdownJ[part] > 0) rows.push({ group: d.label, panel: w, part, energyJ: m.energyBreakdownJ[part], totalJ });
    }
  }
  return { by: 'design', unit: 'energy per token (J)', groups: designs.map((d) => d.label), panels: [...panels], rows };
}

/** A workload's phases, with a mix's components' phases under their own workload names. */
function phasesOf(e: Evaluation): { workload: string; phase: PhaseCost }[] {
  if (e.components && e.components.length > 0) return e.components.flatMap((c) => phasesOf(c.evaluation));
  return e.phases.map((phase) => ({ workload: e.workload, phase }));
}

/**
 * Energy of one pass of each phase (of each workload) on one chip, one bar per step. Steps carry dynamic energy;
 * the phase's static energy (static power over its time) is shared among its steps by their
 * time, so a panel's bars add up to the phase's energy.
 */
export function energyBySteps(evaluations: Evaluation[]): EnergyData {
  const rows: EnergyRow[] = [];
  const groups: string[] = [];
  const phases = evaluations.flatMap(phasesOf);
  const multi = new Set(phases.map((p) => p.workload)).size > 1;
  const panels = phases.map(({ workload, phase }) => (multi ? `${workload} ${phase.phase}` : phase.phase));
  phases.forEach(({ phase }, pi) => {
    const stepSec = phase.steps.reduce((a, s) => a + s.timeSec, 0);
    phase.steps.forEach((s, i) => {
      const group = `${i + 1}. ${s.name}`;
      groups.push(group);
      const parts = { ...s.energyJ, static: stepSec > 0 ? (phase.energyJ.static * s.timeSec) / stepSec : 0 };
      const totalJ = totalEnergy(parts);
      for (const part of ENERGY_PARTS) if (parts[part] > 0) rows.push({ group, panel: panels[pi], part, energyJ: parts[part], totalJ });
    });
  });
  return { by: 'step', unit: 'energy per pass on one chip (J)', groups: [...new Set(groups)], panels, rows };
}

// ---------------------------------------------------------------- roofline

export interface ComputeCeiling {
  label: string;
  formats: FormatName[];
  flopsPerSec: number;
}

export interface MemoryCeiling {
  level: 'HBM' | 'SRAM' | 'DRAM';
  bytesPerSec: number;
}

export interface RooflineStep {
  label: string;
  workload: string;
  phase: string;
  kind: string;
  boundBy: Bound;
  computeFormat: string;
  arithmeticIntensity: number;
  flopsPerSec: number;
  timeSec: number;
}

/** A ceiling drawn as a segment from (ai0, flops0) to (ai1, flops1). */
export interface RooflineSegment {
  ceiling: string;
  kind: 'compute' | 'memory';
  ai: number;
  flopsPerSec: number;
}

export interface RooflineData {
  design: string;
  compute: ComputeCeiling[];
  memory: MemoryCeiling[];
  segments: RooflineSegment[];
  steps: RooflineStep[];
  /** Steps with no FLOPs or no off-chip traffic (collectives, SRAM-resident work): no place on a roofline. */
  omitted: number;
  aiRange: [number, number];
  xScale: ScaleType;
  yScale: ScaleType;
}

/**
 * Compute ceilings: the matrix peak of each format at the chip's matrix efficiency, formats of
 * equal rate merged; the vector unit's peak. Memory ceilings: HBM at the memory efficiency, SRAM
 * and the DRAM tier at their peaks (as the step model charges them).
 */
export function rooflineCeilings(chip: Chip): { compute: ComputeCeiling[]; memory: MemoryCeiling[] } {
  const byRate = new Map<number, FormatName[]>();
  for (const [f, macs] of Object.entries(chip.peakMacsPerSec) as [FormatName, number][]) {
    const flops = 2 * macs * chip.efficiency.matrix;
    byRate.set(flops, [...(byRate.get(flops) ?? []), f]);
  }
  const compute = [...byRate.entries()].sort((a, b) => b[0] - a[0]).map(([flopsPerSec, formats]) => ({ label: formats.join('/'), formats, flopsPerSec }));
  if (chip.vectorFlopsPerSec > 0) compute.push({ label: 'vector', formats: [], flopsPerSec: chip.vectorFlopsPerSec });
  const memory: MemoryCeiling[] = [
    { level: 'SRAM', bytesPerSec: chip.sramBytesPerSec },
    { level: 'HBM', bytesPerSec: chip.hbmBytesPerSec * chip.efficiency.memory },
  ];
  if (chip.dramBytesPerSec > 0) memory.push({ level: 'DRAM', bytesPerSec: chip.dramBytesPerSec });
  return { compute, memory };
}

const decadeBelow = (x: number) => 10 ** Math.floor(Math.log10(x));
const decadeAbove = (x: number) => 10 ** Math.ceil(Math.log10(x));

/** A design's ceilings, with the steps of its evaluations placed by arithmetic intensity and achieved FLOP/s. */
export function rooflineData(chip: Chip, evaluations: Evaluation[]): RooflineData {
  const { compute, memory } = rooflineCeilings(chip);
  const steps: RooflineStep[] = [];
  let omitted = 0;
  for (const e of evaluations) {
    for (const { workload, phase } of phasesOf(e)) {
      for (const s of phase.steps) {
        const flops = 2 * s.macs + s.vectorFlops;
        if (!(flops > 0 && s.timeSec > 0 && s.arithmeticIntensity > 0 && Number.isFinite(s.arithmeticIntensity))) {
          omitted++;
          continue;
        }
        const label = `${evaluations.length > 1 ? `${workload} ` : ''}${phase.phase}: ${s.name}`;
        steps.push({ label, workload, phase: phase.phase, kind: s.kind, boundBy: s.boundBy, computeFormat: s.computeFormat ?? '-', arithmeticIntensity: s.arithmeticIntensity, flopsPerSec: flops / s.timeSec, timeSec: s.timeSec });
      }
    }
  }
  const top = Math.max(...compute.map((c) => c.flopsPerSec));
  const hbm = memory.find((m) => m.level === 'HBM')!.bytesPerSec;
  const ridges = [...compute.map((c) => c.flopsPerSec / hbm), ...memory.map((m) => top / m.bytesPerSec)];
  const ais = [...steps.map((s) => s.arithmeticIntensity), ...ridges];
  const aiRange: [number, number] = [decadeBelow(Math.min(...ais) / 2), decadeAbove(Math.max(...ais) * 2)];
  const [lo, hi] = aiRange;
  const segments: RooflineSegment[] = [];
  for (const c of compute) {
    const from = Math.max(lo, c.flopsPerSec / hbm);
    segments.push({ ceiling: c.label, kind: 'compute', ai: from, flopsPerSec: c.flopsPerSec }, { ceiling: c.label, kind: 'compute', ai: hi, flopsPerSec: c.flopsPerSec });
  }
  for (const m of memory) {
    const to = Math.min(hi, top / m.bytesPerSec);
    segments.push({ ceiling: m.level, kind: 'memory', ai: lo, flopsPerSec: m.bytesPerSec * lo }, { ceiling: m.level, kind: 'memory', ai: to, flopsPerSec: m.bytesPerSec * to });
  }
  return {
    design: chip.name, compute, memory, segments, steps, omitted, aiRange,
    xScale: chooseScale([lo, hi]),
    yScale: chooseScale([...segments.map((s) => s.flopsPerSec), ...steps.map((s) => s.flopsPerSec)]),
  };
}

// ---------------------------------------------------------------- parameters

export interface SpaceParameter {
  name: string;
  categorical: boolean;
  values: unknown[];
}

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
function normalizer(p: SpaceParameter): { scale: ParamAxis['scale']; at: (v: unknown) => number } {
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
export function paramsData(parameters: SpaceParameter[], front: PointResult[], colorMetric: string): ParamsData {
  const ref = resolveMetric(colorMetric, workloadNamesOf(front));
  const axes: ParamAxis[] = [];
  const rows: ParamRow[] = [];
  const placed = front.filter((p) => p.metrics);
  for (const p of parameters) {
    const n = normalizer(p);
    const sorted = n.scale === 'index' ? p.values : [...(p.values as number[])].sort((a, b) => a - b);
    axes.push({ name: p.name, scale: n.scale, lo: paramText(sorted[0]), hi: paramText(sorted[sorted.length - 1]) });
    for (const d of placed) rows.push({ genome: d.key, axis: p.name, value: n.at(d.params[p.name]), label: paramText(d.params[p.name]), color: readMetric(d.metrics!, ref) });
  }
  const colors = placed.map((d) => readMetric(d.metrics!, ref));
  return { axes, rows, color: { metric: ref.label, title: metricTitle(ref), scale: chooseScale(colors) }, designs: placed.length };
}

// ---------------------------------------------------------------- compare

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
