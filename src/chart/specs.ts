/**
 * vega-lite specs built from the chart data of `data.ts`. Every mark layer carries a `name`, so a
 * rendered chart's marks can be found (and counted) as `g.<name>_marks`.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ENERGY_PARTS } from '../results/metrics.js';
import type { CompareData } from './compare-data.js';
import type { ConvergenceData } from './convergence-data.js';
import type { Axis, ScaleType } from './data.js';
import type { EnergyData } from './energy-data.js';
import type { ParamsData } from './params-data.js';
import type { ParetoData, ParetoPoint, ReferencePoint } from './pareto-data.js';
import { placeLabels } from './labels.js';
import type { RooflineData } from './roofline-data.js';
import type { ServingCurveData, ServingCurveRow } from './serving-curve-data.js';

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

/** How visible an infeasible design's marks are: there, but not to be read as a result. */
const INFEASIBLE_OPACITY = 0.3;
const INFEASIBLE_COLOR = '#d62728';

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

function paretoRows(points: ParetoPoint[], labels: Record<string, string>): Obj[] {
  return points.map((p) => ({
    genome: p.genome, label: labels[p.genome] ?? p.genome, x: p.x, y: p.y, color: p.color, reasons: p.reasons.join('; '),
    ...Object.fromEntries(Object.entries(p.params).map(([k, v]) => [paramField(k), v])),
  }));
}

/** Pixel position of a value on an axis of `length` pixels (0 at the domain's low end). */
function pixelOf(a: Axis, length: number): (v: number) => number {
  const [lo, hi] = a.domain ?? [0, 1];
  const f = a.scale === 'log' ? Math.log10 : (v: number) => v;
  return (v) => ((f(v) - f(lo)) / (f(hi) - f(lo) || 1)) * length;
}

/** The value at a pixel position (the inverse of pixelOf). */
function valueAt(a: Axis, length: number): (px: number) => number {
  const [lo, hi] = a.domain ?? [0, 1];
  if (a.scale === 'log') return (px) => 10 ** (Math.log10(lo) + (px / length) * (Math.log10(hi) - Math.log10(lo)));
  return (px) => lo + (px / length) * (hi - lo);
}

/** Arrows that point right: written after the name, the others before it. */
const RIGHTWARD = new Set(['\u2192', '\u2197', '\u2198']);

/** The reference chips' labels, placed clear of each other and of the front, as data positions in three alignments. */
function referenceLabels(d: ParetoData): Record<'left' | 'right' | 'center', Obj[]> {
  const px = pixelOf(d.x, WIDTH);
  const py = (v: number) => HEIGHT - pixelOf(d.y, HEIGHT)(v);
  // Chips drawn on (nearly) the same spot, as several beyond one corner are, share one label.
  const groups: { px: number; py: number; refs: ReferencePoint[] }[] = [];
  for (const r of d.references) {
    const at = { px: px(r.x), py: py(r.y) };
    const g = groups.find((q) => Math.hypot(q.px - at.px, q.py - at.py) < 6 && q.refs[0].beyond === r.beyond);
    if (g) g.refs.push(r);
    else groups.push({ ...at, refs: [r] });
  }
  const text = (refs: ReferencePoint[]) => {
    const names = refs.map((r) => `${r.name}${r.feasible ? '' : ' (infeasible)'}`).join(', ');
    const arrow = refs[0].beyond;
    return !arrow ? names : RIGHTWARD.has(arrow) ? `${names} ${arrow}` : `${arrow} ${names}`;
  };
  const anchors = groups.map((g) => ({ px: g.px, py: g.py, text: text(g.refs) }));
  const avoid = [...d.front.map((p) => ({ px: px(p.x), py: py(p.y) })), ...groups];
  const placed = placeLabels(anchors, { width: WIDTH, height: HEIGHT }, 10, avoid);
  const out: Record<'left' | 'right' | 'center', Obj[]> = { left: [], right: [], center: [] };
  const vx = valueAt(d.x, WIDTH);
  const vy = valueAt(d.y, HEIGHT);
  placed.forEach((p, i) => out[p.align].push({ text: anchors[i].text, x: vx(anchors[i].px + p.dx), y: vy(HEIGHT - (anchors[i].py + p.dy)) }));
  return out;
}

/** `notes`: what else the reader must know (the run's model version, reference chips not stored), appended to the subtitle. */
export function paretoSpec(d: ParetoData, title: string, notes: string[] = []): TopLevelSpec {
  const axisScale = (a: Axis) => scale(a.scale, a.domain ? { domain: a.domain, nice: false } : {});
  const x = { field: 'x', type: 'quantitative', title: d.x.title, scale: axisScale(d.x) };
  const y = { field: 'y', type: 'quantitative', title: d.y.title, scale: axisScale(d.y) };
  const color = d.color ? { field: 'color', type: 'quantitative', title: d.color.title, scale: scale(d.color.scale, { scheme: 'viridis' }), legend: { gradientOpacity: 1 } } : undefined;
  const tip = (extra: Obj[] = []) => [
    { field: 'label', title: 'design' },
    { field: 'genome' },
    { field: 'x', title: d.x.title, format: NUMBER },
    { field: 'y', title: d.y.title, format: NUMBER },
    ...(d.color ? [{ field: 'color', title: d.color.title, format: NUMBER }] : []),
    ...d.params.map((p) => ({ field: paramField(p), title: p })),
    ...extra,
  ];
  const rows = (pts: ParetoPoint[]) => paretoRows(pts, d.labels);
  const layers: Obj[] = [
    { name: 'evaluated', data: { values: rows(d.evaluated) }, mark: { type: 'point', filled: true, size: 30, opacity: 0.25, clip: true, ...(color ? {} : { color: '#888' }) }, encoding: { x, y, ...(color ? { color } : {}), tooltip: tip() } },
    { name: 'infeasible', data: { values: rows(d.infeasible) }, mark: { type: 'point', shape: 'cross', filled: true, size: 30, opacity: 0.35, color: INFEASIBLE_COLOR, clip: true }, encoding: { x, y, tooltip: tip([{ field: 'reasons', title: 'infeasible' }]) } },
  ];
  if (d.connected) {
    layers.push({ name: 'front_line', data: { values: rows(d.front).map((r, i) => ({ ...r, order: i })) }, mark: { type: 'line', color: '#1f3b73', strokeWidth: 1.5, interpolate: 'linear' }, encoding: { x, y, order: { field: 'order', type: 'quantitative' } } });
  }
  const refRows = d.references.map((r) => ({ ...r, reasons: r.reasons.join('; '), status: r.feasible ? 'feasible' : 'infeasible' }));
  const refTip = [{ field: 'name', title: 'reference chip' }, { field: 'valueX', title: d.x.title, format: NUMBER }, { field: 'valueY', title: d.y.title, format: NUMBER }, { field: 'status' }, { field: 'reasons', title: 'why infeasible' }];
  const refLayer = (name: string, values: Obj[], mark: Obj) => ({ name, data: { values }, mark: { type: 'point', shape: 'diamond', size: 90, ...mark }, encoding: { x, y, tooltip: refTip } });
  const labels = referenceLabels(d);
  layers.push(
    { name: 'front', data: { values: rows(d.front) }, mark: { type: 'point', filled: true, size: 80, stroke: '#1f3b73', strokeWidth: 1, opacity: 1, ...(color ? {} : { color: '#4c78a8' }) }, encoding: { x, y, ...(color ? { color } : {}), tooltip: tip() } },
    refLayer('references', refRows.filter((r) => r.feasible && !r.beyond), { filled: true, color: '#222' }),
    refLayer('references_beyond', refRows.filter((r) => r.feasible && r.beyond), { filled: false, color: '#222', strokeWidth: 1.5 }),
    refLayer('references_infeasible', refRows.filter((r) => !r.feasible), { filled: false, color: INFEASIBLE_COLOR, strokeWidth: 2 }),
    ...(['left', 'right', 'center'] as const).map((align) => ({ name: `reference_labels_${align}`, data: { values: labels[align] }, mark: { type: 'text', align, baseline: 'middle', fontSize: 10, color: '#222' }, encoding: { x, y, text: { field: 'text' } } })),
  );
  const n = d.evaluated.length + d.front.length + d.infeasible.length;
  const beyond = d.references.filter((r) => r.beyond).length;
  const infeasibleRefs = d.references.filter((r) => !r.feasible).length;
  const refsNote = d.references.length ? `; diamonds: reference chips${beyond ? ` (hollow with an arrow: beyond the axes, drawn at their edge)` : ''}${infeasibleRefs ? `; red hollow diamonds: infeasible reference chips` : ''}` : '';
  const front = d.front.length ? `front of ${d.front.length} outlined${d.connected ? ' and joined' : ''}` : 'no feasible design (chipdse front --run says why)';
  const subtitle = [`${n} designs drawn (${d.infeasible.length} infeasible, red x${d.unplaced ? `; ${d.unplaced} not placed` : ''}); ${front}${refsNote}`, ...notes].join('; ');
  return top(title, subtitle, { width: WIDTH, height: HEIGHT, layer: layers });
}

// ---------------------------------------------------------------- convergence

export function convergenceSpec(d: ConvergenceData, title: string): TopLevelSpec {
  const values = d.rows;
  // By designs evaluated, not by generation: runs of different populations (random search's 64, NSGA-II's 8) compare at equal cost.
  const x = { field: 'evaluations', type: 'quantitative', title: 'designs evaluated', axis: { tickMinStep: 1 } };
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
  return top(title, `${d.runs.length} run${d.runs.length > 1 ? 's' : ''}; hypervolume of the front found so far (against each run's reference point) by designs evaluated, a point per generation${versions}`, {
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
  const values = d.rows.map((r) => ({ ...r, infeasible: r.infeasible ?? false, partIndex: ENERGY_PARTS.indexOf(r.part), share: r.totalJ > 0 ? r.energyJ / r.totalJ : 0 }));
  // An infeasible design's bar is not a result: drawn faded.
  // (`detail` keeps the flag through the stacking aggregate.)
  const faded = d.rows.some((r) => r.infeasible) ? { detail: { field: 'infeasible' }, opacity: { condition: { test: 'datum.infeasible', value: INFEASIBLE_OPACITY }, value: 1 } } : {};
  const tooltip = [{ field: 'group', title: d.by }, { field: 'panel', title: d.by === 'design' ? 'workload' : 'phase' }, { field: 'part' }, { field: 'energyJ', title: 'J', format: NUMBER }, { field: 'share', format: '.1%' }, { field: 'totalJ', title: 'total J', format: NUMBER }];
  const energy = { field: 'energyJ', type: 'quantitative', aggregate: 'sum', title: d.unit, stack: 'zero' };
  const group = { field: 'group', type: 'nominal', sort: d.groups };
  // Long bar names (steps, designs named by their parameters) read across, down the side; short ones under the bars.
  const across = d.by === 'step' || d.groups.some((g) => g.length > 14);
  const unit = across
    ? { name: 'energy', mark: { type: 'bar' }, encoding: { y: { ...group, title: null, axis: { labelLimit: 640 } }, x: energy, color, order, tooltip, ...faded } }
    : { name: 'energy', mark: { type: 'bar' }, encoding: { x: { ...group, title: 'design', axis: { labelAngle: -40, labelLimit: 180 } }, y: energy, color, order, tooltip, ...faded } };
  const size = across ? { width: 360, height: { step: d.by === 'design' ? 18 : 14 } } : { width: Math.max(160, Math.min(WIDTH, 28 * d.groups.length)), height: 260 };
  if (d.panels.length <= 1) return top(title, subtitle ?? d.panels[0], { data: { values }, ...size, ...unit });
  // Designs side by side per workload (one list of designs down the side); steps one phase under another.
  const facet = d.by === 'design' ? { column: { field: 'panel', type: 'nominal', title: null, sort: d.panels } } : { row: { field: 'panel', type: 'nominal', title: null, sort: d.panels, header: { labelAngle: 0, labelAlign: 'left' } } };
  return top(title, subtitle, {
    data: { values },
    facet,
    spec: { ...size, ...unit },
    resolve: { scale: d.by === 'design' ? (across ? { x: 'independent' } : { y: 'independent' }) : { y: 'independent', x: 'independent' } },
  });
}

// ---------------------------------------------------------------- roofline

const siRate = (x: number, unit: string) => {
  const p = [[1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M']] as const;
  for (const [v, s] of p) if (x >= v) return `${Number((x / v).toPrecision(3))} ${s}${unit}`;
  return `${Number(x.toPrecision(3))} ${unit}`;
};

export function rooflineSpec(d: RooflineData, title: string, design?: string): TopLevelSpec {
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
  const subtitle = `${design ?? d.design}: ${d.steps.length} steps placed${d.omitted ? `, ${d.omitted} without FLOPs or off-chip traffic left out` : ''}; solid: compute ceilings (matrix efficiency applied), dashed: memory`;
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
    resolve: { legend: { color: 'independent' } },
    layer: [
      { name: 'param_axes', data: { values: d.axes.map((a) => ({ axis: a.name, value: 0, value2: 1 })) }, mark: { type: 'rule', color: '#bbb' }, encoding: { x, y, y2: { field: 'value2' } } },
      // The lines' colour has no legend of its own: one legend over fill and stroke would be drawn as symbols, not a gradient.
      { name: 'param_lines', data: { values: d.rows }, mark: { type: 'line', strokeWidth: 1.5, opacity: 0.75 }, encoding: { x, y, color: { ...color, legend: null }, detail: { field: 'genome' }, tooltip } },
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
  const faded = d.anyInfeasible ? { opacity: { condition: { test: '!datum.feasible', value: INFEASIBLE_OPACITY }, value: 1 }, stroke: { condition: { test: '!datum.feasible', value: INFEASIBLE_COLOR }, value: null } } : {};
  const metrics = {
    title: 'key metrics',
    data: { values: d.metrics },
    facet: { field: 'metric', type: 'nominal', title: null, sort: [...new Set(d.metrics.map((m) => m.metric))], header: { labelFontSize: 11 } },
    columns: 4,
    spec: {
      name: 'metric_bars', width: Math.max(120, 36 * d.designs.length * (multi ? d.workloads.length : 1)), height: 110,
      mark: { type: 'bar', strokeWidth: 1.5, strokeDash: [3, 2] },
      encoding: {
        x: { field: 'design', type: 'nominal', sort: d.designs, title: null, axis: { labelAngle: -40, labelLimit: 180 } },
        ...(multi ? { xOffset: { field: 'workload', type: 'nominal' } } : {}),
        y: { field: 'value', type: 'quantitative', title: null },
        color: multi ? { field: 'workload', type: 'nominal' } : { field: 'design', type: 'nominal', sort: d.designs, legend: null },
        ...faded,
        tooltip: [{ field: 'design' }, { field: 'workload' }, { field: 'metric' }, { field: 'text', title: 'value' }, ...(d.anyInfeasible ? [{ field: 'reasons', title: 'infeasible' }] : [])],
      },
    },
    // Each panel its own axes: a grid row that is not full draws no empty axes.
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
  };
  const note = d.anyInfeasible ? '; faded bars with a dashed red outline: infeasible (not results to compare)' : '';
  return top(title, `${d.designs.join(', ')} on ${d.workloads.join(', ')}${note}`, { vconcat: [energyBody, metrics], resolve: { scale: { color: 'independent' } } });
}

// ---------------------------------------------------------------- serving curve

/** Throughput per chip against output tokens per second per user, joined in concurrency order, each point labelled with its concurrency. */
const CHOSEN: ServingCurveRow['status'] = 'chosen ("auto")';

export function servingCurveSpec(d: ServingCurveData, title: string, subtitle: string): TopLevelSpec {
  // A log axis rounded out to whole decades leaves most of the plot empty (3-131 tokens/s drawn over 1-1,000): the data's own span, padded.
  const x = { ...quant('perUser', 'output tokens/s per user (1 / TPOT)', d.xScale), scale: scale(d.xScale, d.xScale === 'log' ? { nice: false, padding: 16 } : {}) };
  const y = quant('perChip', 'tokens/s per chip', d.yScale);
  const tooltip = [
    { field: 'concurrency' },
    { field: 'perUser', title: 'tokens/s per user', format: NUMBER },
    { field: 'perChip', title: 'tokens/s per chip', format: NUMBER },
    { field: 'ttftSec', title: 'TTFT (s)', format: NUMBER },
    { field: 'tpotSec', title: 'TPOT (s)', format: NUMBER },
    { field: 'status' },
  ];
  const color = { field: 'status', type: 'nominal', title: null, scale: { domain: ['meets the SLOs', 'misses an SLO', CHOSEN], range: ['#4c78a8', '#e45756', '#111'] } };
  return top(title, subtitle, {
    width: WIDTH,
    height: HEIGHT,
    data: { values: d.rows },
    layer: [
      { name: 'curve_line', mark: { type: 'line', color: '#9ab', strokeWidth: 1.5 }, encoding: { x, y, order: { field: 'order', type: 'quantitative' } } },
      // The chosen point is drawn last (order), so a neighbour one sequence away cannot hide it.
      {
        name: 'curve_points',
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        transform: [{ calculate: `datum.status === '${CHOSEN}' ? 1 : 0`, as: 'onTop' }],
        encoding: { x, y, color, shape: { field: 'status', type: 'nominal', title: null, scale: { domain: ['meets the SLOs', 'misses an SLO', CHOSEN], range: ['circle', 'cross', 'diamond'] } }, order: { field: 'onTop', type: 'quantitative' }, tooltip },
      },
      { name: 'curve_labels', mark: { type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 10, color: '#333' }, encoding: { x, y, text: { field: 'label' } } },
    ],
  });
}
