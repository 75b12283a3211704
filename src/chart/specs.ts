/**
 * vega-lite specs built from the chart data of `data.ts`. Every mark layer carries a `name`, so a
 * rendered chart's marks can be found (and counted) as `g.<name>_marks`.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ENERGY_PARTS } from '../results/metrics.js';
import type { CompareData } from './compare-data.js';
import type { ConvergenceData } from './convergence-data.js';
import type { ScaleType } from './data.js';
import type { EnergyData } from './energy-data.js';
import type { ParamsData } from './params-data.js';
import type { ParetoData, ParetoPoint } from './pareto-data.js';
import type { RooflineData } from './roofline-data.js';
import type { ServingCurveData } from './serving-curve-data.js';

type Obj = Record<string, unknown>;

const WIDTH = 560;
const HEIGHT = 360;
const NUMBER = '.4~g';

/** One font for SVG, PNG (resvg maps it to a system font) and the browser. */
export const CHART_CONFIG = {
  font: 'DejaVu Sans, Verdana, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  title: { fontSize: 14, subtitleColor: '#555', anchor: 'start' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleLimit: 260 },
};

const ENERGY_COLORS = ['#4c78a8', '#72b7b2', '#f58518', '#e45756', '#9d9d9d'];
const BOUND_DOMAIN = ['compute', 'memory', 'interconnect', 'power'];
const BOUND_COLORS = ['#4c78a8', '#f58518', '#e45756', '#b279a2'];

/**
 * Subtitle lines of at most `width` characters, broken after "; " or a space. Headless vega has
 * no canvas to measure text and estimates generously, so a long line would widen the chart.
 */
export function wrap(text: string, width = 64): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/(?<=;) | (?=\()/)) {
    const parts = word.length > width ? word.split(' ') : [word];
    for (const w of parts) {
      if (line && line.length + 1 + w.length > width) {
        lines.push(line);
        line = w;
      } else line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function top(title: string, subtitle: string | undefined, body: Obj): TopLevelSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: subtitle ? { text: title, subtitle: wrap(subtitle) } : title, config: CHART_CONFIG, ...body } as unknown as TopLevelSpec;
}

function scale(type: ScaleType, extra: Obj = {}): Obj {
  return type === 'log' ? { type: 'log', ...extra } : { zero: false, ...extra };
}

const quant = (field: string, title: string, s: ScaleType, extra: Obj = {}): Obj => ({ field, type: 'quantitative', title, scale: scale(s), ...extra });

/** Field names vega-lite reads literally (dots and brackets would be paths). */
export const paramField = (name: string) => `p_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;

// ---------------------------------------------------------------- pareto

function paretoRows(points: ParetoPoint[]): Obj[] {
  return points.map((p) => ({
    genome: p.genome, x: p.x, y: p.y, color: p.color, reasons: p.reasons.join('; '),
    ...Object.fromEntries(Object.entries(p.params).map(([k, v]) => [paramField(k), v])),
  }));
}

/** `notes`: what else the reader must know (the run's model version, reference chips not stored), appended to the subtitle. */
export function paretoSpec(d: ParetoData, title: string, notes: string[] = []): TopLevelSpec {
  const x = quant('x', d.x.title, d.x.scale);
  const y = quant('y', d.y.title, d.y.scale);
  const color = d.color ? { field: 'color', type: 'quantitative', title: d.color.title, scale: scale(d.color.scale, { scheme: 'viridis' }), legend: { gradientOpacity: 1 } } : undefined;
  const tip = (extra: Obj[] = []) => [
    { field: 'genome', title: 'design' },
    { field: 'x', title: d.x.title, format: NUMBER },
    { field: 'y', title: d.y.title, format: NUMBER },
    ...(d.color ? [{ field: 'color', title: d.color.title, format: NUMBER }] : []),
    ...d.params.map((p) => ({ field: paramField(p), title: p })),
    ...extra,
  ];
  const layers: Obj[] = [
    { name: 'evaluated', data: { values: paretoRows(d.evaluated) }, mark: { type: 'point', filled: true, size: 30, opacity: 0.25, ...(color ? {} : { color: '#888' }) }, encoding: { x, y, ...(color ? { color } : {}), tooltip: tip() } },
    { name: 'infeasible', data: { values: paretoRows(d.infeasible) }, mark: { type: 'point', shape: 'cross', filled: true, size: 30, opacity: 0.35, color: '#d62728' }, encoding: { x, y, tooltip: tip([{ field: 'reasons', title: 'infeasible' }]) } },
  ];
  if (d.connected) {
    layers.push({ name: 'front_line', data: { values: paretoRows(d.front).map((r, i) => ({ ...r, order: i })) }, mark: { type: 'line', color: '#1f3b73', strokeWidth: 1.5, interpolate: 'linear' }, encoding: { x, y, order: { field: 'order', type: 'quantitative' } } });
  }
  layers.push(
    { name: 'front', data: { values: paretoRows(d.front) }, mark: { type: 'point', filled: true, size: 80, stroke: '#1f3b73', strokeWidth: 1, opacity: 1, ...(color ? {} : { color: '#4c78a8' }) }, encoding: { x, y, ...(color ? { color } : {}), tooltip: tip() } },
    { name: 'references', data: { values: d.references }, mark: { type: 'point', shape: 'diamond', filled: true, size: 90, color: '#222' }, encoding: { x, y, tooltip: [{ field: 'name', title: 'reference chip' }, { field: 'x', title: d.x.title, format: NUMBER }, { field: 'y', title: d.y.title, format: NUMBER }, { field: 'feasible' }] } },
    { name: 'reference_labels', data: { values: d.references }, mark: { type: 'text', align: 'left', dx: 7, dy: -5, fontSize: 10, color: '#222' }, encoding: { x, y, text: { field: 'name' } } },
  );
  const n = d.evaluated.length + d.front.length + d.infeasible.length;
  const subtitle = [`${n} designs drawn (${d.infeasible.length} infeasible, red x${d.unplaced ? `; ${d.unplaced} not placed` : ''}); front of ${d.front.length} outlined${d.connected ? ' and joined' : ''}${d.references.length ? '; diamonds: reference chips' : ''}`, ...notes].join('; ');
  return top(title, subtitle, { width: WIDTH, height: HEIGHT, layer: layers });
}

// ---------------------------------------------------------------- convergence

export function convergenceSpec(d: ConvergenceData, title: string): TopLevelSpec {
  const values = d.rows;
  const x = { field: 'generation', type: 'quantitative', title: 'generation', axis: { tickMinStep: 1 } };
  const color = { field: 'run', type: 'nominal', title: 'run', scale: { domain: d.runs } };
  const tooltip = [{ field: 'run' }, { field: 'generation' }, { field: 'evaluations' }, { field: 'hypervolume', format: NUMBER }, { field: 'feasibleShare', title: 'feasible share', format: '.1%' }, { field: 'frontSize', title: 'front size' }];
  const panel = (name: string, field: string, ytitle: string, y: Obj) => ({
    width: WIDTH, height: 200, data: { values },
    layer: [
      { name: `${name}_line`, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y: { field, title: ytitle, ...y }, color } },
      { name: `${name}_points`, mark: { type: 'point', filled: true, size: 30 }, encoding: { x, y: { field, title: ytitle, ...y }, color, tooltip } },
    ],
  });
  const versions = d.versions ? `; runs of chipdse ${d.versions.join(' and ')}: their hypervolumes come from different models` : '';
  return top(title, `${d.runs.length} run${d.runs.length > 1 ? 's' : ''}; hypervolume of the front found so far, against each run's reference point${versions}`, {
    vconcat: [
      panel('hypervolume', 'hypervolume', 'hypervolume', { type: 'quantitative', scale: scale(d.hypervolumeScale) }),
      panel('feasible', 'feasibleShare', 'feasible share of evaluations', { type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' } }),
    ],
  });
}

// ---------------------------------------------------------------- energy

export function energySpec(d: EnergyData, title: string, subtitle?: string): TopLevelSpec {
  const color = { field: 'part', type: 'nominal', title: 'energy', scale: { domain: [...ENERGY_PARTS], range: ENERGY_COLORS }, sort: [...ENERGY_PARTS] };
  const order = { field: 'partIndex', type: 'quantitative' };
  const values = d.rows.map((r) => ({ ...r, partIndex: ENERGY_PARTS.indexOf(r.part), share: r.totalJ > 0 ? r.energyJ / r.totalJ : 0 }));
  const tooltip = [{ field: 'group', title: d.by }, { field: 'panel', title: d.by === 'design' ? 'workload' : 'phase' }, { field: 'part' }, { field: 'energyJ', title: 'J', format: NUMBER }, { field: 'share', format: '.1%' }, { field: 'totalJ', title: 'total J', format: NUMBER }];
  const energy = { field: 'energyJ', type: 'quantitative', aggregate: 'sum', title: d.unit, stack: 'zero' };
  const group = { field: 'group', type: 'nominal', sort: d.groups };
  const unit =
    d.by === 'design'
      ? { name: 'energy', mark: { type: 'bar' }, encoding: { x: { ...group, title: 'design', axis: { labelAngle: -40, labelLimit: 140 } }, y: energy, color, order, tooltip } }
      : { name: 'energy', mark: { type: 'bar' }, encoding: { y: { ...group, title: null, axis: { labelLimit: 220 } }, x: energy, color, order, tooltip } };
  const size = d.by === 'design' ? { width: Math.max(160, Math.min(WIDTH, 28 * d.groups.length)), height: 260 } : { width: 360, height: { step: 14 } };
  if (d.panels.length <= 1) return top(title, subtitle ?? d.panels[0], { data: { values }, ...size, ...unit });
  const facet = d.by === 'design' ? { column: { field: 'panel', type: 'nominal', title: null, sort: d.panels } } : { row: { field: 'panel', type: 'nominal', title: null, sort: d.panels, header: { labelAngle: 0, labelAlign: 'left' } } };
  return top(title, subtitle, {
    data: { values },
    facet,
    spec: { ...size, ...unit },
    resolve: { scale: d.by === 'design' ? { y: 'independent' } : { y: 'independent', x: 'independent' } },
  });
}

// ---------------------------------------------------------------- roofline

const siRate = (x: number, unit: string) => {
  const p = [[1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M']] as const;
  for (const [v, s] of p) if (x >= v) return `${Number((x / v).toPrecision(3))} ${s}${unit}`;
  return `${Number(x.toPrecision(3))} ${unit}`;
};

export function rooflineSpec(d: RooflineData, title: string): TopLevelSpec {
  const x = { field: 'ai', type: 'quantitative', title: 'arithmetic intensity (FLOP per HBM/DRAM byte)', scale: { ...scale(d.xScale), domain: d.aiRange, nice: false } };
  const y = { field: 'flopsPerSec', type: 'quantitative', title: 'FLOP/s (integer formats: op/s)', axis: { format: '~s' }, scale: scale(d.yScale) };
  const [lo, hi] = d.aiRange;
  const computeLabels = d.compute.map((c) => ({ text: `${c.label} ${siRate(c.flopsPerSec, 'FLOP/s')}`, ai: hi, flopsPerSec: c.flopsPerSec }));
  const memoryLabels = d.memory.map((m) => ({ text: `${m.level} ${siRate(m.bytesPerSec, 'B/s')}`, ai: lo * 1.15, flopsPerSec: m.bytesPerSec * lo * 1.15 }));
  const label = (name: string, values: Obj[], align: string) => ({ name, data: { values }, mark: { type: 'text', align, dx: align === 'right' ? -4 : 0, dy: -6, fontSize: 10, color: '#444', clip: true }, encoding: { x, y, text: { field: 'text' } } });
  const steps = d.steps.map((s) => ({ ...s, ai: s.arithmeticIntensity }));
  const layers = [
    { name: 'ceilings', data: { values: d.segments }, mark: { type: 'line', color: '#666', strokeWidth: 1.2, clip: true }, encoding: { x, y, detail: { field: 'ceiling' }, strokeDash: { field: 'kind', type: 'nominal', title: 'ceiling', scale: { domain: ['compute', 'memory'], range: [[1, 0], [5, 3]] } } } },
    label('compute_labels', computeLabels, 'right'),
    label('memory_labels', memoryLabels, 'left'),
    {
      name: 'steps', data: { values: steps }, mark: { type: 'point', filled: true, size: 60, opacity: 0.85, stroke: '#222', strokeWidth: 0.5 },
      encoding: {
        x, y,
        color: { field: 'boundBy', type: 'nominal', title: 'bound by', scale: { domain: BOUND_DOMAIN, range: BOUND_COLORS } },
        shape: { field: 'phase', type: 'nominal', title: 'phase' },
        tooltip: [{ field: 'label', title: 'step' }, { field: 'kind' }, { field: 'computeFormat', title: 'format' }, { field: 'boundBy', title: 'bound by' }, { field: 'ai', title: 'FLOP/byte', format: NUMBER }, { field: 'flopsPerSec', title: 'FLOP/s', format: '.4~s' }, { field: 'timeSec', title: 'time (s)', format: NUMBER }],
      },
    },
  ];
  const subtitle = `${d.design}: ${d.steps.length} steps placed${d.omitted ? `, ${d.omitted} without FLOPs or off-chip traffic left out` : ''}; solid: compute ceilings (matrix efficiency applied), dashed: memory`;
  return top(title, subtitle, { width: WIDTH, height: HEIGHT, layer: layers });
}

// ---------------------------------------------------------------- parameters

export function paramsSpec(d: ParamsData, title: string): TopLevelSpec {
  const axes = d.axes.map((a) => a.name);
  const x = { field: 'axis', type: 'nominal', sort: axes, title: null, scale: { type: 'point', padding: 0.25 }, axis: { orient: 'bottom', labelAngle: 0, domain: false, ticks: false, labelPadding: 18, labelFontWeight: 'bold' } };
  const y = { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, axis: null };
  const color = { field: 'color', type: 'quantitative', title: d.color.title, scale: scale(d.color.scale, { scheme: 'viridis' }), legend: { gradientOpacity: 1 } };
  const ends = (name: string, value: number, dy: number, text: (a: ParamsData['axes'][number]) => string) => ({
    name, data: { values: d.axes.map((a) => ({ axis: a.name, value, text: text(a) })) }, mark: { type: 'text', fontSize: 10, color: '#444', dy }, encoding: { x, y, text: { field: 'text' } },
  });
  const tooltip = [{ field: 'genome', title: 'design' }, { field: 'axis', title: 'parameter' }, { field: 'label', title: 'value' }, { field: 'color', title: d.color.title, format: NUMBER }];
  return top(title, `${d.designs} designs of the front; each axis runs from the space's smallest to its largest value${d.axes.some((a) => a.scale === 'log') ? ' (log where values span decades)' : ''}`, {
    width: Math.max(300, 110 * axes.length), height: 300,
    layer: [
      { name: 'param_axes', data: { values: d.axes.map((a) => ({ axis: a.name, value: 0, value2: 1 })) }, mark: { type: 'rule', color: '#bbb' }, encoding: { x, y, y2: { field: 'value2' } } },
      { name: 'param_lines', data: { values: d.rows }, mark: { type: 'line', strokeWidth: 1.5, opacity: 0.75 }, encoding: { x, y, color, detail: { field: 'genome' }, tooltip } },
      { name: 'param_points', data: { values: d.rows }, mark: { type: 'point', filled: true, size: 25 }, encoding: { x, y, color, tooltip } },
      ends('param_lo_labels', 0, 12, (a) => a.lo),
      ends('param_hi_labels', 1, -8, (a) => a.hi),
    ],
  });
}

// ---------------------------------------------------------------- compare

export function compareSpec(d: CompareData, title: string): TopLevelSpec {
  const energy = energySpec(d.energy, 'energy per token by part') as unknown as Obj;
  const { $schema: _s, config: _c, ...energyBody } = energy;
  const multi = d.workloads.length > 1;
  const metrics = {
    title: 'key metrics',
    data: { values: d.metrics },
    facet: { field: 'metric', type: 'nominal', title: null, sort: [...new Set(d.metrics.map((m) => m.metric))] },
    columns: 4,
    spec: {
      name: 'metric_bars', width: Math.max(120, 36 * d.designs.length * (multi ? d.workloads.length : 1)), height: 120,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'design', type: 'nominal', sort: d.designs, title: null, axis: { labelAngle: -40 } },
        ...(multi ? { xOffset: { field: 'workload', type: 'nominal' } } : {}),
        y: { field: 'value', type: 'quantitative', title: null },
        color: multi ? { field: 'workload', type: 'nominal' } : { field: 'design', type: 'nominal', sort: d.designs, legend: null },
        tooltip: [{ field: 'design' }, { field: 'workload' }, { field: 'metric' }, { field: 'text', title: 'value' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  return top(title, `${d.designs.join(', ')} on ${d.workloads.join(', ')}`, { vconcat: [energyBody, metrics], resolve: { scale: { color: 'independent' } } });
}

// ---------------------------------------------------------------- serving curve

/** Throughput per chip against output tokens per second per user, joined in concurrency order, each point labelled with its concurrency. */
export function servingCurveSpec(d: ServingCurveData, title: string, subtitle: string): TopLevelSpec {
  const x = quant('perUser', 'output tokens/s per user (1 / TPOT)', d.xScale);
  const y = quant('perChip', 'tokens/s per chip', d.yScale);
  const tooltip = [
    { field: 'concurrency' },
    { field: 'perUser', title: 'tokens/s per user', format: NUMBER },
    { field: 'perChip', title: 'tokens/s per chip', format: NUMBER },
    { field: 'ttftSec', title: 'TTFT (s)', format: NUMBER },
    { field: 'tpotSec', title: 'TPOT (s)', format: NUMBER },
    { field: 'status' },
  ];
  const color = { field: 'status', type: 'nominal', title: null, scale: { domain: ['meets the SLOs', 'misses an SLO', 'chosen ("auto")'], range: ['#4c78a8', '#e45756', '#111'] } };
  return top(title, subtitle, {
    width: WIDTH,
    height: HEIGHT,
    data: { values: d.rows },
    layer: [
      { name: 'curve_line', mark: { type: 'line', color: '#9ab', strokeWidth: 1.5 }, encoding: { x, y, order: { field: 'order', type: 'quantitative' } } },
      { name: 'curve_points', mark: { type: 'point', filled: true, size: 70, opacity: 1 }, encoding: { x, y, color, shape: { field: 'status', type: 'nominal', title: null, scale: { domain: ['meets the SLOs', 'misses an SLO', 'chosen ("auto")'], range: ['circle', 'cross', 'diamond'] } }, tooltip } },
      { name: 'curve_labels', mark: { type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 10, color: '#333' }, encoding: { x, y, text: { field: 'label' } } },
    ],
  });
}
