import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type TopLevelSpec } from 'vega-lite';
import { listDesignPresets, loadDesign } from '../src/chip/load.js';
import { ChipdseError } from '../src/errors.js';
import { evaluate } from '../src/eval/evaluate.js';
import { ENERGY_PARTS, METRIC_NAMES, totalEnergy, type Metrics } from '../src/eval/types.js';
import { loadWorkload, parseWorkload } from '../src/workload/load.js';
import type { PointResult } from '../src/results/point.js';
import { chipCeilings } from '../src/results/design-detail.js';
import { metricOf } from '../src/results/metric-ref.js';
import { runSearch } from '../src/search/run.js';
import { chooseScale } from '../src/chart/data.js';
import { compareData } from '../src/chart/compare-data.js';
import { convergenceData } from '../src/chart/convergence-data.js';
import { energyByDesign, energyBySteps } from '../src/chart/energy-data.js';
import { paramsData } from '../src/chart/params-data.js';
import { designLabels, paretoData } from '../src/chart/pareto-data.js';
import { labelBox, overlaps, placeLabels } from '../src/chart/labels.js';
import { rooflineCeilings, rooflineData } from '../src/chart/roofline-data.js';
import { compareSpec, convergenceSpec, energySpec, paramsSpec, paretoSpec, rooflineSpec, wrap } from '../src/chart/specs.js';
import { chartFormat, renderPng, renderSvg } from '../src/chart/render.js';
import { CHARTS, CHART_KINDS } from '../src/chart/charts.js';
import { chartCommand } from '../src/commands/chart.js';
import { compareChart } from '../src/commands/compare.js';
import { reportCommand } from '../src/commands/report.js';
import { chosenDesign, loadRunData, storedDetail } from '../src/chart/run-data.js';

const dir = mkdtempSync(join(tmpdir(), 'chipdse-chart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Metrics with every numeric field zero except those given. */
function metrics(m: Partial<Metrics>): Metrics {
  const zeros = Object.fromEntries(METRIC_NAMES.filter((n) => !n.includes('.')).map((n) => [n, 0]));
  return { ...zeros, batch: 1, fits: true, boundBy: 'compute', energyBreakdownJ: { compute: 0, sram: 0, hbm: 0, interconnect: 0, static: 0 }, ...m } as Metrics;
}

const W = 'w1';
function point(key: string, feasible: boolean, m: Partial<Metrics> | null, params: Record<string, unknown> = { a: 1 }): PointResult {
  return { key, genome: key.split('.').map(Number), params, feasible, violation: feasible ? 0 : 1, reasons: feasible ? [] : ['too big'], objectives: [], metrics: m ? { [W]: metrics(m) } : null };
}

const OBJECTIVES = [{ metric: 'tokensPerSec', goal: 'max' as const }, { metric: 'costUsd', goal: 'min' as const }];

/** Compiles a spec, collecting vega-lite's warnings and errors instead of printing them. */
function compileQuietly(spec: TopLevelSpec): { warnings: unknown[][]; errors: unknown[][] } {
  const warnings: unknown[][] = [];
  const errors: unknown[][] = [];
  const logger = {
    level(this: unknown) { return this; },
    warn(...a: unknown[]) { warnings.push(a); return this; },
    info(this: unknown) { return this; },
    debug(this: unknown) { return this; },
    error(...a: unknown[]) { errors.push(a); return this; },
  };
  const out = compile(spec, { logger: logger as never });
  expect(out.spec).toBeDefined();
  return { warnings, errors };
}

/** Marks drawn by the layer `name`: the path/text/line children of its mark groups in an SVG. */
function svgMarks(svg: string, name: string): number {
  let n = 0;
  // A layer without data is an empty, self-closing group.
  for (const m of svg.matchAll(new RegExp(`<g class="mark-\\w+ role-mark ${name}_marks"[^>]*?(?:/>|>(.*?)</g>)`, 'gs'))) n += ((m[1] ?? '').match(/<(path|text|line)\b/g) ?? []).length;
  return n;
}

describe('chart data (pure)', () => {
  test('log scale when positive values span more than 100x, linear otherwise', () => {
    expect(chooseScale([1, 50, 100])).toBe('linear');
    expect(chooseScale([1, 50, 101])).toBe('log');
    expect(chooseScale([0, 5, 1000])).toBe('linear');
    expect(chooseScale([-1, 1000])).toBe('linear');
    expect(chooseScale([7])).toBe('linear');
  });

  test('pareto: the front is connected in objective order, infeasible designs flagged, invalid ones unplaced', () => {
    const points = [
      point('0', true, { tokensPerSec: 3000, costUsd: 3000 }),
      point('1', true, { tokensPerSec: 10, costUsd: 1000 }),
      point('2', true, { tokensPerSec: 1000, costUsd: 2000 }),
      point('3', true, { tokensPerSec: 500, costUsd: 2500 }),
      point('4', false, { tokensPerSec: 4000, costUsd: 9000 }),
      point('5', false, null),
    ];
    const d = paretoData({ objectives: OBJECTIVES, points, frontKeys: new Set(['0', '1', '2']), references: [{ name: 'ref', feasible: true, reasons: [], metrics: { [W]: metrics({ tokensPerSec: 2000, costUsd: 4000 }) } }] });
    expect(d.front.map((p) => p.genome)).toEqual(['1', '2', '0']);
    expect(d.front.map((p) => p.x)).toEqual([10, 1000, 3000]);
    expect(d.connected).toBe(true);
    expect(d.evaluated.map((p) => p.genome)).toEqual(['3']);
    expect(d.infeasible.map((p) => p.genome)).toEqual(['4']);
    expect(d.infeasible[0].reasons).toEqual(['too big']);
    expect(d.unplaced).toBe(1);
    expect(d.references).toEqual([{ name: 'ref', feasible: true, reasons: [], x: 2000, y: 4000, valueX: 2000, valueY: 4000, color: null, beyond: '' }]);
    // tokens/s spans 10..3000 (300x) among the feasible designs: log; cost 1000..3000: linear.
    expect(d.x).toMatchObject({ metric: 'tokensPerSec', title: 'tokens/s', scale: 'log' });
    expect(d.y.scale).toBe('linear');
    // The axes span the designs (infeasible ones too, 10..4000 tokens/s, $1000..9000), with a margin; not the reference chips.
    expect(d.x.domain![0]).toBeLessThan(10);
    expect(d.x.domain![1]).toBeGreaterThan(4000);
    expect(d.x.domain![1]).toBeLessThan(8000);
    expect(d.y.domain![1]).toBeGreaterThan(9000);
    expect(d.color).toBeNull();
    expect(d.front[0].params).toEqual({ a: '1' });
  });

  test('pareto: a reference chip beyond the designs does not stretch the axes: it sits on their edge with an arrow, and an infeasible one says so', () => {
    const points = [point('0', true, { tokensPerSec: 100, costUsd: 1000 }), point('1', true, { tokensPerSec: 200, costUsd: 2000 })];
    const refs = [
      { name: 'far', feasible: true, reasons: [], metrics: { [W]: metrics({ tokensPerSec: 1e5, costUsd: 1500 }) } },
      { name: 'corner', feasible: true, reasons: [], metrics: { [W]: metrics({ tokensPerSec: 1e5, costUsd: 1e5 }) } },
      { name: 'bad', feasible: false, reasons: ['does not fit'], metrics: { [W]: metrics({ tokensPerSec: 150, costUsd: 1500 }) } },
    ];
    const d = paretoData({ objectives: OBJECTIVES, points, frontKeys: new Set(['0', '1']), references: refs });
    expect(d.x.domain![1]).toBeLessThan(300);
    const [far, corner, bad] = d.references;
    expect([far.x, far.y, far.valueX, far.beyond]).toEqual([d.x.domain![1], 1500, 1e5, '\u2192']);
    expect([corner.x, corner.y, corner.beyond]).toEqual([d.x.domain![1], d.y.domain![1], '\u2197']);
    expect([bad.feasible, bad.reasons, bad.beyond]).toEqual([false, ['does not fit'], '']);
    // Designs are named by the parameters that vary among them.
    expect(designLabels([{ key: '0.1', params: { a: 1, b: 'x' } }, { key: '1.1', params: { a: 2, b: 'x' } }])).toEqual({ '0.1': 'a 1', '1.1': 'a 2' });
  });

  test('labels placed next to points do not overlap one another and stay in the plot', () => {
    const anchors = Array.from({ length: 8 }, (_, i) => ({ px: 300 + (i % 2) * 4, py: 150 + i * 3, text: `label number ${i}` }));
    const placed = placeLabels(anchors, { width: 560, height: 360 });
    const boxes = placed.map((p, i) => labelBox(anchors[i], p, 10));
    for (let i = 0; i < boxes.length; i++) for (let j = 0; j < i; j++) expect([i, j, overlaps(boxes[i], boxes[j])]).toEqual([i, j, false]);
    for (const b of boxes) expect(b.x0 >= 0 && b.x1 <= 560 && b.y0 >= 0 && b.y1 <= 360).toBe(true);
  });

  test('pareto: other axes are not joined; a colour metric; zero values of infeasible designs do not force a linear axis but go unplaced', () => {
    const points = [
      point('0', true, { tokensPerSec: 3000, costUsd: 3000, areaMm2: 800, powerW: 300 }),
      point('1', true, { tokensPerSec: 10, costUsd: 1000, areaMm2: 100, powerW: 100 }),
      point('2', false, { tokensPerSec: 0, costUsd: 500, areaMm2: 50, powerW: 10 }),
    ];
    const d = paretoData({ objectives: OBJECTIVES, points, frontKeys: new Set(['0', '1']), references: [], x: 'tokensPerSec', y: 'areaMm2', color: `${W}:powerW` });
    expect(d.connected).toBe(false);
    expect(d.x.scale).toBe('log');
    expect(d.unplaced).toBe(1);
    expect(d.infeasible).toEqual([]);
    expect(d.color).toEqual({ metric: `${W}:powerW`, title: `${W}: average power per chip (W)`, scale: 'linear' });
    expect(d.front.map((p) => p.color)).toEqual([100, 300]);
  });

  test('unknown metrics and workloads are refused with the names that exist', () => {
    expect(() => metricOf('speed', [W])).toThrow(ChipdseError);
    expect(() => metricOf('speed', [W])).toThrow(/unknown metric "speed".*tokensPerSec/);
    expect(() => metricOf('other:tokensPerSec', [W])).toThrow(/no workload "other"/);
    expect(metricOf(`${W}:mfu`, [W])).toEqual({ name: 'mfu', workload: W, label: `${W}:mfu` });
  });

  test('roofline: compute ceilings are 2 x peak MACs x the GEMM lane\'s efficiency per format, memory ceilings the bandwidths the step model uses', () => {
    const chip = loadDesign('h100-sxm');
    const { compute, memory } = rooflineCeilings(chipCeilings(chip));
    const lane = { bf16: 'bf16', fp16: 'bf16', fp8_e4m3: 'fp8', fp8_e5m2: 'fp8', int8: 'int8' } as const;
    for (const [f, macs] of Object.entries(chip.peakMacsPerSec)) {
      const c = compute.find((x) => (x.formats as string[]).includes(f))!;
      expect(c.flopsPerSec).toBeCloseTo(2 * macs * chip.kernels.gemm[lane[f as keyof typeof lane]].efficiency, -6);
    }
    // fp8 and bf16 have ceilings of their own (each lane's fitted main-loop efficiency, on an H100 within 0.1% of
    // each other: fp8 GEMMs reach less of their peak, 65-76% measured, through the lane's launch, waves and
    // operand traffic, which a ceiling does not draw).
    const flopsOf = (f: string) => compute.find((x) => (x.formats as string[]).includes(f))!.flopsPerSec;
    expect(flopsOf('fp8_e4m3') / (2 * chip.peakMacsPerSec.fp8_e4m3!)).toBeCloseTo(chip.kernels.gemm.fp8.efficiency, 9);
    expect(flopsOf('bf16') / (2 * chip.peakMacsPerSec.bf16!)).toBeCloseTo(chip.kernels.gemm.bf16.efficiency, 9);
    // A run stored before the kernel laws has one matrix efficiency: every format at it.
    const { matrixByFormat: _drop, ...old } = chipCeilings(chip).efficiency;
    for (const c of rooflineCeilings({ ...chipCeilings(chip), efficiency: old }).compute.filter((x) => x.formats.length > 0)) {
      expect(c.flopsPerSec).toBeCloseTo(2 * chip.peakMacsPerSec[c.formats[0]]! * chip.efficiency.matrix, -6);
    }
    // The summary matrix efficiency is the bf16 GEMM lane's main-loop efficiency of the kernel laws
    // (H100's own fitted level): above the 798 TFLOP/s a measured 8192^3 GEMM reaches (chips.md), below peak.
    expect(chip.efficiency.matrix).toBe(chip.kernels.gemm.bf16.efficiency);
    const bf16 = compute.find((c) => c.formats.includes('bf16'))!.flopsPerSec / 1e12;
    expect(bf16).toBeGreaterThan(798);
    expect(bf16).toBeLessThan(989.5);
    expect(compute.find((c) => c.label === 'vector')!.flopsPerSec).toBe(chip.vectorFlopsPerSec);
    expect(memory.find((m) => m.level === 'HBM')!.bytesPerSec).toBeCloseTo(3.35e12 * chip.kernels.elementwise.hbmEfficiency, -6);
    expect(memory.find((m) => m.level === 'SRAM')!.bytesPerSec).toBe(chip.sramBytesPerSec);
    expect(memory.some((m) => m.level === 'DRAM')).toBe(false);
  });

  test('roofline: steps sit at their arithmetic intensity and achieved FLOP/s, under every roof', () => {
    const chip = loadDesign('h100-sxm');
    const e = evaluate(chip, loadWorkload('llama-3-8b-serve'));
    const d = rooflineData(chip, [e]);
    const all = e.phases.flatMap((p) => p.steps.map((x) => ({ ...x, label: `${p.phase}: ${x.name}` })));
    expect(d.steps.length + d.omitted).toBe(all.length);
    expect(d.steps.length).toBeGreaterThan(5);
    const top = Math.max(...d.compute.map((c) => c.flopsPerSec));
    const hbm = d.memory.find((m) => m.level === 'HBM')!.bytesPerSec;
    for (const s of d.steps) {
      const src = all.find((x) => x.label === s.label)!;
      expect(s.flopsPerSec / ((2 * src.macs + src.vectorFlops) / src.timeSec)).toBeCloseTo(1, 12);
      expect(s.arithmeticIntensity).toBe(src.arithmeticIntensity);
      expect(s.flopsPerSec).toBeLessThanOrEqual(top * (1 + 1e-9));
      expect(s.flopsPerSec).toBeLessThanOrEqual(s.arithmeticIntensity * hbm * (1 + 1e-9));
      expect(s.arithmeticIntensity).toBeGreaterThanOrEqual(d.aiRange[0]);
      expect(s.arithmeticIntensity).toBeLessThanOrEqual(d.aiRange[1]);
    }
    expect(d.xScale).toBe('log');
  });

  test('energy: each design\'s stack adds up to its energy per token; each phase\'s step stacks add up to the phase\'s energy', () => {
    const e = evaluate(loadDesign('h100-sxm'), loadWorkload('llama-3-8b-serve'));
    const byDesign = energyByDesign([{ label: 'h100', metrics: { [e.workload]: e.metrics } }]);
    expect(byDesign.rows.reduce((a, r) => a + r.energyJ, 0)).toBeCloseTo(e.metrics.energyJPerToken, 12);
    expect(byDesign.rows.every((r) => r.energyJ > 0)).toBe(true);
    const bySteps = energyBySteps([e]);
    expect(bySteps.panels).toEqual(e.phases.map((p) => p.phase));
    for (const p of e.phases) {
      const sum = bySteps.rows.filter((r) => r.panel === p.phase).reduce((a, r) => a + r.energyJ, 0);
      expect(sum / totalEnergy(p.energyJ)).toBeCloseTo(1, 12);
    }
    const hand = energyByDesign([{ label: 'x', metrics: { [W]: metrics({ energyBreakdownJ: { compute: 1, sram: 0.5, hbm: 2, interconnect: 0, static: 0.25 } }) } }]);
    expect(hand.rows.map((r) => [r.part, r.energyJ])).toEqual([['compute', 1], ['sram', 0.5], ['hbm', 2], ['static', 0.25]]);
    expect(hand.rows.every((r) => r.totalJ === 3.75)).toBe(true);
  });

  test('params: each axis normalized to 0..1, log where the values span decades, choices by index', () => {
    const parameters = [
      { name: 'units', categorical: false, values: [1, 2, 4, 8, 16, 32, 64, 128, 256] },
      { name: 'stacks', categorical: false, values: [1, 2, 3, 4, 5, 6, 7, 8] },
      { name: 'formats', categorical: true, values: [{ bf16: 1 }, { bf16: 1, fp8: 2 }] },
    ];
    const front = [point('0', true, { tokensPerSec: 100 }, { units: 16, stacks: 3, formats: { bf16: 1, fp8: 2 } }), point('1', true, { tokensPerSec: 200 }, { units: 256, stacks: 1, formats: { bf16: 1 } })];
    const d = paramsData(parameters, front, 'tokensPerSec');
    const at = (g: string, a: string) => d.rows.find((r) => r.genome === g && r.axis === a)!;
    expect(at('0', 'units').value).toBeCloseTo(0.5, 12);
    expect(at('0', 'stacks').value).toBeCloseTo(2 / 7, 12);
    expect(at('0', 'formats').value).toBe(1);
    expect(at('0', 'formats').label).toBe('bf16+fp8');
    expect(at('1', 'units').value).toBe(1);
    expect(at('1', 'stacks').value).toBe(0);
    expect(at('1', 'units').color).toBe(200);
    expect(d.axes.map((a) => [a.name, a.scale, a.lo, a.hi])).toEqual([['units', 'log', '1', '256'], ['stacks', 'linear', '1', '8'], ['formats', 'index', 'bf16', 'bf16+fp8']]);
  });

  test('convergence: one series per run', () => {
    const g = (generation: number, hypervolume: number) => ({ generation, evaluations: 10 * (generation + 1), feasibleShare: 0.5, frontSize: 3, hypervolume });
    const d = convergenceData([{ name: 'a', generations: [g(0, 1), g(1, 2)] }, { name: 'b', generations: [g(0, 1), g(1, 500)] }]);
    expect(d.runs).toEqual(['a', 'b']);
    expect(d.rows.map((r) => `${r.run}${r.generation}`)).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(d.hypervolumeScale).toBe('log');
  });
});

describe('chart specs compile with vega-lite, without warnings', () => {
  const chip = loadDesign('h100-sxm');
  const w = loadWorkload('llama-3-8b-serve');
  const e = evaluate(chip, w);
  const points = [point('0', true, { tokensPerSec: 3000, costUsd: 3000 }), point('1', true, { tokensPerSec: 10, costUsd: 1000 }), point('2', false, { tokensPerSec: 1, costUsd: 1 })];
  const specs: [string, TopLevelSpec][] = [
    ['pareto', paretoSpec(paretoData({ objectives: OBJECTIVES, points, frontKeys: new Set(['0', '1']), references: [] }), 't')],
    ['pareto with colour', paretoSpec(paretoData({ objectives: OBJECTIVES, points, frontKeys: new Set(['0']), references: [], color: 'areaMm2' }), 't')],
    ['convergence', convergenceSpec(convergenceData([{ name: 'a', generations: [{ generation: 0, evaluations: 1, feasibleShare: 1, frontSize: 1, hypervolume: 1 }] }]), 't')],
    ['energy by design', energySpec(energyByDesign([{ label: 'a', metrics: { [w.name]: e.metrics } }]), 't')],
    ['energy by design, two workloads', energySpec(energyByDesign([{ label: 'a', metrics: { [w.name]: e.metrics, other: e.metrics } }]), 't')],
    ['energy by step', energySpec(energyBySteps([e]), 't')],
    ['roofline', rooflineSpec(rooflineData(chip, [e]), 't')],
    ['params', paramsSpec(paramsData([{ name: 'a', categorical: false, values: [1, 2] }], [points[0], points[1]], 'costUsd'), 't')],
    ['compare', compareSpec(compareData([e, evaluate(loadDesign('b200'), w)]), 't')],
  ];
  test.each(specs)('%s', (_name, spec) => {
    const { warnings, errors } = compileQuietly(spec);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('subtitles are wrapped into short lines', () => {
    const lines = wrap('80 designs drawn (13 infeasible, red x); front of 11 outlined and joined; diamonds: reference chips');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(64);
    expect(lines.join(' ')).toBe('80 designs drawn (13 infeasible, red x); front of 11 outlined and joined; diamonds: reference chips');
  });
});

describe('charts of a stored run', () => {
  const db = join(dir, 'runs.db');
  beforeAll(async () => {
    // Plain offspring (no surrogate).
    await runSearch({ space: 'small', workloads: [], algorithm: 'nsga2', budget: 60, population: 20, seed: 3, workers: 1, db, run: 'c', resume: false, surrogate: false, now: () => 'T' });
    await runSearch({ space: 'small', workloads: [], algorithm: 'random', budget: 40, population: 20, seed: 4, workers: 1, db, run: 'd', resume: false, now: () => 'T' });
  }, 60_000);

  test('SVG: one mark per evaluation, front point and reference chip; more than 1 KB', async () => {
    const out = join(dir, 'pareto.svg');
    await chartCommand({ run: 'c', db, kind: 'pareto', out });
    const svg = readFileSync(out, 'utf8');
    expect(svg.length).toBeGreaterThan(1024);
    const d = await loadRunData(db, 'c');
    expect(svgMarks(svg, 'evaluated') + svgMarks(svg, 'infeasible') + svgMarks(svg, 'front')).toBe(d.points.length);
    expect(svgMarks(svg, 'front')).toBe(d.front.length);
    expect(svgMarks(svg, 'front_line')).toBe(1);
    expect(svgMarks(svg, 'infeasible')).toBe(d.points.filter((p) => !p.feasible).length);
    // One reference chip per design preset: on the chart, or on its edge when beyond it; labels shared by chips drawn on one spot.
    expect(svgMarks(svg, 'references') + svgMarks(svg, 'references_beyond') + svgMarks(svg, 'references_infeasible')).toBe(listDesignPresets().length);
    const labels = ['left', 'right', 'center'].reduce((a, k) => a + svgMarks(svg, `reference_labels_${k}`), 0);
    expect(labels).toBeGreaterThan(0);
    expect(labels).toBeLessThanOrEqual(listDesignPresets().length);
    expect(svg).toMatch(/>tpu-v6e<\/text>/);
  });

  test('SVG of every kind: the marks its data asks for', async () => {
    const d = await loadRunData(db, 'c');
    // The roofline's design (the front's first): one ceiling per matrix rate and the vector unit, SRAM and HBM (no DRAM tier in small).
    const ceilings = rooflineCeilings(storedDetail(d, chosenDesign(d, undefined)).chip);
    expect(ceilings.memory.map((m) => m.level)).toEqual(['SRAM', 'HBM']);
    expect(ceilings.compute.at(-1)!.label).toBe('vector');
    const counts: Record<string, [string, number][]> = {
      convergence: [['hypervolume_points', d.generations.length], ['feasible_points', d.generations.length], ['hypervolume_line', 1]],
      energy: [['energy', d.front.reduce((a, p) => a + ENERGY_PARTS.filter((k) => p.metrics!['llama-3-8b-serve'].energyBreakdownJ[k] > 0).length, 0)]],
      params: [['param_lines', d.front.length], ['param_points', 5 * d.front.length], ['param_lo_labels', 5]],
      roofline: [['ceilings', ceilings.compute.length + ceilings.memory.length], ['compute_labels', ceilings.compute.length], ['memory_labels', ceilings.memory.length]],
    };
    for (const [kind, expected] of Object.entries(counts)) {
      const out = join(dir, `${kind}.svg`);
      await chartCommand({ run: 'c', db, kind, out });
      const svg = readFileSync(out, 'utf8');
      expect(svg.length).toBeGreaterThan(1024);
      for (const [name, n] of expected) expect([kind, name, svgMarks(svg, name)]).toEqual([kind, name, n]);
    }
  }, 60_000);

  test('PNG: the PNG signature and a nontrivial image', async () => {
    const out = join(dir, 'roofline.png');
    await chartCommand({ run: 'c', db, kind: 'roofline', out });
    const png = readFileSync(out);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(20_000);
    expect(png.readUInt32BE(16)).toBeGreaterThan(800);
  });

  test('HTML: self-contained (libraries inlined, no http(s) script)', async () => {
    const out = join(dir, 'p.html');
    await chartCommand({ run: 'c', db, kind: 'pareto', out, x: 'areaMm2', y: 'energyJPerToken', color: 'tokensPerSec' });
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link[^>]*href=["']?https?:/i);
    expect(html).toContain('vegaEmbed(');
    expect(html.length).toBeGreaterThan(500_000);
  });

  test('convergence takes several runs; the other kinds one', async () => {
    const out = join(dir, 'conv.svg');
    await chartCommand({ run: ['c', 'd'], db, kind: 'convergence', out });
    const svg = readFileSync(out, 'utf8');
    expect(svgMarks(svg, 'hypervolume_line')).toBe(2);
    expect(svgMarks(svg, 'hypervolume_points')).toBe((await loadRunData(db, 'c')).generations.length + (await loadRunData(db, 'd')).generations.length);
    await expect(chartCommand({ run: ['c', 'd'], db, kind: 'pareto', out })).rejects.toThrow(/one run/);
  });

  test('energy by step and roofline of a chosen design', async () => {
    const d = await loadRunData(db, 'c');
    const genome = d.front[d.front.length - 1].key;
    const out = join(dir, 'steps.svg');
    await chartCommand({ run: 'c', db, kind: 'energy', genome, out });
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('decode');
    expect(svgMarks(svg, 'energy')).toBeGreaterThan(20);
    await expect(chartCommand({ run: 'c', db, kind: 'roofline', genome: '9.9.9.9.9', out })).rejects.toThrow(/no evaluated design "9.9.9.9.9"/);
  });

  test('expected failures are ChipdseErrors with one clear line', async () => {
    const out = join(dir, 'x.svg');
    const cases: [Parameters<typeof chartCommand>[0], RegExp][] = [
      [{ run: 'nope', db, kind: 'pareto', out }, /no run named "nope" \(runs: c, d\)/],
      [{ run: 'c', db: join(dir, 'missing.db'), kind: 'pareto', out }, /no such database/],
      [{ run: 'c', db, kind: 'pie', out }, /unknown chart kind "pie"/],
      [{ run: 'c', db, kind: 'pareto', x: 'speed', out }, /unknown metric "speed"/],
      [{ run: 'c', db, kind: 'pareto', out: join(dir, 'x.pdf') }, /\.svg, \.png or \.html/],
    ];
    for (const [o, msg] of cases) {
      const err = await chartCommand(o).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChipdseError);
      expect((err as Error).message).toMatch(msg);
    }
    writeFileSync(join(dir, 'a-file'), 'x');
    const err = await chartCommand({ run: 'c', db, kind: 'pareto', out: join(dir, 'a-file', 'x.svg') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChipdseError);
    expect((err as Error).message).toMatch(/cannot write/);
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
    expect(() => chartFormat('a.SVG')).not.toThrow();
  });

  test('report: one page with the settings, the front as a table and six charts', async () => {
    const r = await reportCommand({ run: 'c', db, out: join(dir, 'report') });
    expect(r.file).toBe(join(dir, 'report', 'index.html'));
    expect(r.charts).toBe(6);
    expect(r.skipped).toEqual([]);
    const html = readFileSync(r.file, 'utf8');
    const d = await loadRunData(db, 'c');
    expect(html).toContain('<table id="settings">');
    expect((html.match(/<table id="front">.*?<\/table>/s)?.[0].match(/<tr>/g) ?? []).length).toBe(d.front.length + 1);
    for (const id of ['pareto', 'convergence', 'params', 'energy', 'roofline', 'steps']) expect(html).toContain(`<div id="chart-${id}" class="chart">`);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
  });

  test('every chart kind has a builder', () => {
    expect(Object.keys(CHARTS).sort()).toEqual([...CHART_KINDS].sort());
  });
});

describe('compare --chart', () => {
  test('energy bars and key metrics of the compared designs, as PNG and SVG', async () => {
    const w = loadWorkload('llama-3-8b-serve');
    const evals = ['h100-sxm', 'b200', 'tpu-v6e'].map((d) => evaluate(loadDesign(d), w));
    const svgFile = join(dir, 'cmp.svg');
    await compareChart(evals, svgFile);
    const svg = readFileSync(svgFile, 'utf8');
    const parts = evals.reduce((a, e) => a + ENERGY_PARTS.filter((k) => e.metrics.energyBreakdownJ[k] > 0).length, 0);
    expect(svgMarks(svg, 'energy')).toBe(parts);
    expect(svgMarks(svg, 'metric_bars')).toBe(compareData(evals).metrics.length);
    await compareChart(evals, join(dir, 'cmp.png'));
    expect(statSync(join(dir, 'cmp.png')).size).toBeGreaterThan(20_000);
    await expect(compareChart(evals, join(dir, 'cmp.jpg'))).rejects.toThrow(ChipdseError);
  }, 60_000);

  test('no empty panels: one x-axis per metric panel; an infeasible design is named so and its bars faded', async () => {
    const w = parseWorkload({ extends: 'llama-3-70b-serve', name: 'tp2', chips: 2, parallelism: { tensor: 2 } }, 'tp2.json');
    const evals = ['tpu-v5e', 'h100-sxm', 'b200'].map((d) => evaluate(loadDesign(d), w));
    expect(evals.map((e) => e.feasible)).toEqual([false, true, true]);
    const data = compareData(evals);
    expect(data.designs).toEqual(['tpu-v5e (infeasible)', 'h100-sxm', 'b200']);
    expect(data.metrics.filter((m) => !m.feasible).every((m) => m.design === 'tpu-v5e (infeasible)' && m.reasons.length > 0)).toBe(true);
    expect(data.energy.rows.filter((r) => r.infeasible).every((r) => r.group === 'tpu-v5e (infeasible)')).toBe(true);
    const svgFile = join(dir, 'cmp-infeasible.svg');
    await compareChart(evals, svgFile);
    const svg = readFileSync(svgFile, 'utf8');
    const panels = new Set(data.metrics.map((m) => m.metric)).size;
    expect((svg.match(/aria-label="X-axis for a discrete scale with 3 values/g) ?? []).length).toBe(panels);
    expect(svg).toContain('faded bars with a dashed red outline: infeasible');
  });

  test('renderSvg and renderPng take any spec', async () => {
    const spec = { data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } } as TopLevelSpec;
    expect(await renderSvg(spec)).toMatch(/^<svg/);
    expect((await renderPng(spec)).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('CLI', () => {
  const ROOT = fileURLToPath(new URL('..', import.meta.url));
  const chipdse = (...args: string[]) => spawnSync(process.execPath, ['bin/chipdse.js', ...args], { cwd: ROOT, encoding: 'utf8' });
  const db = join(dir, 'cli.db');
  beforeAll(async () => {
    await runSearch({ space: 'small', workloads: [], algorithm: 'nsga2', budget: 40, population: 20, seed: 1, workers: 1, db, run: 'r', resume: false });
  }, 60_000);

  test('chart, report and compare --chart write their files; bad input exits 1 or 2 with one line', () => {
    const svg = join(dir, 'cli', 'p.svg');
    let r = chipdse('chart', '--run', 'r', '--db', db, '--kind', 'pareto', '--out', svg);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(svg);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
    r = chipdse('report', '--run', 'r', '--db', db, '--out', join(dir, 'cli', 'rep'));
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'cli', 'rep', 'index.html'))).toBe(true);
    const png = join(dir, 'cli', 'cmp.png');
    r = chipdse('compare', '--designs', 'h100-sxm', 'b200', '--workload', 'llama-3-8b-serve', '--chart', png);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('workload llama-3-8b-serve');
    expect(statSync(png).size).toBeGreaterThan(10_000);
    r = chipdse('chart', '--run', 'nope', '--db', db, '--kind', 'pareto', '--out', svg);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^chipdse: .*no run named "nope" \(runs: r\)$/);
    r = chipdse('chart', '--run', 'r', '--db', db, '--kind', 'pie', '--out', svg);
    expect(r.status).toBe(2);
    r = chipdse('chart', '--run', 'r', '--db', db, '--kind', 'pareto', '--out', join(dir, 'x.gif'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^chipdse: .*\.svg, \.png or \.html/);
  }, 60_000);
});
