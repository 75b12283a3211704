import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesign } from '../src/chip/load.js';
import { servingCurveData } from '../src/chart/serving-curve-data.js';
import { servingCurveSpec } from '../src/chart/specs.js';
import { servingCurveChart } from '../src/commands/eval.js';
import { ChipdseError } from '../src/errors.js';
import { evaluate } from '../src/eval/evaluate.js';
import { curveConcurrencies, servingCurve } from '../src/eval/serving-curve.js';
import { formatServingCurve } from '../src/text/serving-curve.js';
import { loadWorkload } from '../src/workload/load.js';
import { runCli } from './helpers/cli.js';

/** The serving curve: throughput per chip against speed per user, across concurrency. */

const h100 = loadDesign('h100-sxm');
const w = loadWorkload('llama-3-70b-serve');
const curve = servingCurve(h100, w);

describe('serving curve (src/eval/serving-curve.ts)', () => {
  test('concurrencies: two per octave from the pipeline depth to the bound, the bound included', () => {
    expect(curveConcurrencies(1, 40)).toEqual([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 40]);
    expect(curveConcurrencies(4, 16)).toEqual([4, 6, 8, 12, 16]);
  });

  test('it runs from one sequence to what fits in memory, through the concurrency "auto" picks', () => {
    const cs = curve.points.map((p) => p.concurrency);
    expect(cs).toEqual([...cs].sort((a, b) => a - b));
    expect(cs[0]).toBe(1);
    expect(cs[cs.length - 1]).toBe(curve.memoryLimit);
    const auto = evaluate(h100, w, { detail: false });
    expect(curve.chosen).toBe(auto.metrics.batch);
    expect(cs).toContain(curve.chosen);
    expect(curve.limitedBy).toBe('tpot');
  });

  test('physics: each user gets slower as concurrency rises; per chip it only gains (at whole tiles of 128 rows and below)', () => {
    const p = curve.points;
    for (let i = 1; i < p.length; i++) expect(p[i].tokensPerSecPerUser).toBeLessThanOrEqual(p[i - 1].tokensPerSecPerUser * (1 + 1e-12));
    // Between whole tiles, a matrix product pads its rows (192 rows run as 256): a dip there is physical.
    const whole = p.filter((x) => x.concurrency <= 128 || x.concurrency % 128 === 0);
    for (let i = 1; i < whole.length; i++) expect(whole[i].tokensPerSecPerChip).toBeGreaterThanOrEqual(whole[i - 1].tokensPerSecPerChip * (1 - 1e-12));
  });

  test('the SLO line: every point up to the chosen one meets the SLOs, every point past it misses one', () => {
    for (const pt of curve.points) expect(pt.feasible).toBe(pt.concurrency <= curve.chosen!);
  });

  test('a training workload or an open loop has no serving curve', () => {
    expect(() => servingCurve(h100, loadWorkload('llama-3-70b-train'))).toThrow(ChipdseError);
    expect(() => servingCurve(h100, { ...loadWorkload('llama-3-8b-serve'), batch: 'auto', serving: { ...loadWorkload('llama-3-8b-serve').serving, arrivalRatePerSec: 5 } })).toThrow(/open loop/);
  });
});

describe('serving curve output', () => {
  test('text: a row per concurrency, the chosen one starred', () => {
    const text = formatServingCurve(curve);
    // The chosen concurrency meets the 50 ms TPOT target and the next one does not (the SLO-line test above).
    const c = curve.chosen!;
    expect(curve.points.find((x) => x.concurrency === c)!.tpotSec).toBeLessThanOrEqual(0.05);
    expect(evaluate(h100, { ...w, batch: c + 1 }, { detail: false }).metrics.tpotSec).toBeGreaterThan(0.05);
    expect(text).toContain(`"auto" picks ${c} (limited by tpot)`);
    expect(text.split('\n').filter((l) => /^\d/.test(l))).toHaveLength(curve.points.length);
    expect(text).toMatch(new RegExp(`\\n${c} \\*`));
  });

  test('chart data: points in concurrency order, the chosen one marked, past-SLO labels thinned to the last', () => {
    const d = servingCurveData(curve);
    expect(d.rows.map((r) => r.concurrency)).toEqual(curve.points.map((p) => p.concurrency));
    expect(d.rows.filter((r) => r.status === 'chosen ("auto")').map((r) => r.concurrency)).toEqual([curve.chosen]);
    const missing = d.rows.filter((r) => r.status === 'misses an SLO');
    expect(missing.length).toBeGreaterThan(1);
    expect(missing.filter((r) => r.label !== '').map((r) => r.concurrency)).toEqual([curve.memoryLimit]);
    // Speeds per user span two decades here: a log axis.
    expect(d.xScale).toBe('log');
    const spec = servingCurveSpec(d, 't', 's') as unknown as { layer: { name: string }[] };
    expect(spec.layer.map((l) => l.name)).toEqual(['curve_line', 'curve_points', 'curve_labels']);
  });

  test('drawn: one mark per point in the SVG, a PNG of some size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chipdse-curve-'));
    try {
      await servingCurveChart(curve, join(dir, 'c.svg'));
      const svg = readFileSync(join(dir, 'c.svg'), 'utf8');
      const marks = svg.split('class="mark-symbol role-mark curve_points_marks"')[1]?.split('</g>')[0] ?? '';
      expect((marks.match(/<path/g) ?? []).length).toBe(curve.points.length);
      await servingCurveChart(curve, join(dir, 'c.png'));
      expect(statSync(join(dir, 'c.png')).size).toBeGreaterThan(20_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('chipdse eval --curve: text and JSON; --chart needs --curve; a training workload is one error line', async () => {
    let r = await runCli(['eval', '--design', 'h100-sxm', '--workload', 'llama-3-8b-serve', '--curve']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/serving curve/);
    r = await runCli(['eval', '--design', 'h100-sxm', '--workload', 'llama-3-8b-serve', '--curve', '--json']);
    const json = JSON.parse(r.stdout);
    expect(json.points.length).toBeGreaterThan(5);
    expect(json.points[0]).toHaveProperty('tokensPerSecPerUser');
    r = await runCli(['eval', '--design', 'h100-sxm', '--workload', 'llama-3-8b-serve', '--chart', 'x.png']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    r = await runCli(['eval', '--design', 'h100-sxm', '--workload', 'llama-3-70b-train', '--curve']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/serving curve needs a serving workload/)]);
  }, 60_000);
});
