import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesign } from '../src/chip/load.js';
import { buildReport } from '../src/chart/html-report.js';
import { loadRunData } from '../src/chart/run-data.js';
import { evaluate } from '../src/eval/evaluate.js';
import { causeOf, diagnose } from '../src/results/diagnosis.js';
import type { PointResult } from '../src/results/point.js';
import { runSearch } from '../src/search/run.js';
import { formatComparison, ratiosToFirst } from '../src/text/compare.js';
import { parseWorkload } from '../src/workload/load.js';
import { runCli } from './helpers/cli.js';

/**
 * Infeasible results are never passed off as results: compare heads them INFEASIBLE and leaves
 * them out of ratios; a run with no feasible design says what rules its designs out and which come
 * closest, in the search summary, `chipdse front` and the report.
 */
const dir = mkdtempSync(join(tmpdir(), 'chipdse-infeasible-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compare', () => {
  // Llama 3 70B on two chips: 16 GB of a TPU v5e cannot hold its share of the weights.
  const w = parseWorkload({ extends: 'llama-3-70b-serve', name: 'tp2', chips: 2, parallelism: { tensor: 2 } }, 'tp2.json');
  const evals = ['tpu-v5e', 'h100-sxm', 'b200'].map((d) => evaluate(loadDesign(d), w));

  test('an infeasible design is headed INFEASIBLE, its numbers in brackets with no ratio, and ratios are to the first feasible design', () => {
    expect(evals.map((e) => e.feasible)).toEqual([false, true, true]);
    const text = formatComparison('tp2', evals);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/tpu-v5e \(INFEASIBLE\)\s+h100-sxm\s+b200/);
    const tokens = lines.find((l) => l.startsWith('tokens/s'))!;
    expect(tokens).toMatch(/\[[\d.]+( k)?\]\s+[\d.]+( k)?\s+[\d.]+( k)? \(x[\d.]+\)$/);
    expect(text).toContain('ratios are to h100-sxm, the first feasible design');
    expect(text).toMatch(/tpu-v5e: needs [\d.]+ GB per chip/);
  });

  test('JSON: no ratio for an infeasible design; the base is the first feasible one', () => {
    const r = ratiosToFirst(evals);
    expect(r[0]).toBeNull();
    expect(r[1]!.tokensPerSec).toBe(1);
    expect(r[2]!.tokensPerSec).toBeCloseTo(evals[2].metrics.tokensPerSec / evals[1].metrics.tokensPerSec, 12);
    expect(ratiosToFirst([evals[0]])).toEqual([null]);
  });
});

describe('a run with no feasible design', () => {
  const space = join(dir, 'tight.json');
  const db = join(dir, 'tight.db');
  writeFileSync(
    space,
    JSON.stringify({
      name: 'tight',
      base: { extends: 'tpu-v6e', tdpW: '300 W' },
      workloads: ['llama-3-8b-serve'],
      parameters: [
        { name: 'mxus', type: 'pow2', path: 'compute.matrixUnits[0].count', min: 1, max: 8 },
        { name: 'hbmStacks', type: 'int', min: 1, max: 4, set: { 'memory.hbm.stacks': 1, 'memory.hbm.bytes': '16 GB', 'memory.hbm.bytesPerSec': '0.82 TB/s' } },
      ],
      constraints: ['fits == true', 'tokensPerSec >= 20000', 'costUsd <= 800'],
      objectives: [{ metric: 'tokensPerSec', goal: 'max' }, { metric: 'costUsd', goal: 'min' }],
    }),
  );

  test('the rules are counted once per design, numbers left out of a reason\'s rule; a constraint says the best any design reaches', () => {
    expect(causeOf('constraint peakPowerW <= 700 violated (peakPowerW = 812.5)')).toBe('constraint peakPowerW <= 700');
    expect(causeOf('w1: constraint fits == true violated (fits = 0)')).toBe('w1: constraint fits == true');
    expect(causeOf('die of 944 mm2 exceeds the 858 mm2 reticle limit')).toBe('die of … mm2 exceeds the … mm2 reticle limit');
    const m = (tokensPerSec: number) => ({ llama: { tokensPerSec } }) as unknown as PointResult['metrics'];
    const p = (key: string, violation: number, reasons: string[], tps: number): PointResult => ({ key, genome: [0], params: { a: key }, feasible: false, violation, reasons, objectives: [0], metrics: m(tps) });
    const d = diagnose({ constraints: ['tokensPerSec >= 100'] }, [
      p('a', 0.5, ['constraint tokensPerSec >= 100 violated (tokensPerSec = 50)'], 50),
      p('b', 0.2, ['constraint tokensPerSec >= 100 violated (tokensPerSec = 80)', 'needs 95.2 GB per chip'], 80),
      p('c', 0.9, ['needs 20.1 GB per chip'], 10),
    ]);
    expect(d.causes.map((c) => [c.cause, c.count, c.share])).toEqual([
      ['constraint tokensPerSec >= 100', 2, 2 / 3],
      ['needs … GB per chip', 2, 2 / 3],
    ]);
    expect(d.causes[0].best).toBe(80);
    expect(d.causes[1].example).toBe('needs 95.2 GB per chip');
    expect(d.closest.map((c) => [c.key, c.values.tokensPerSec])).toEqual([['b', 80], ['a', 50], ['c', 10]]);
  });

  test('search says what rules the designs out and the closest designs; front says the same; exit 0', async () => {
    const s = await runCli(['search', '--space', space, '--algorithm', 'exhaustive', '--db', db, '--run', 't']);
    expect(s.code).toBe(0);
    const out = s.stdout.split('\n');
    expect(out[0]).toMatch(/^t: done, 16 evaluations in 1 generation, front of 0, hypervolume 0 /);
    expect(out[1]).toBe('no feasible design among 16 evaluated; what rules them out, by share of the evaluated designs:');
    expect(out[2]).toMatch(/^ +100\.0% {2}constraint tokensPerSec >= 20000 {2}\(the best design reaches \d+\)$/);
    expect(s.stdout).toMatch(/closest to feasible \(smallest constraint violation, with the constrained metrics\):\ngenome +mxus +hbmStacks +violation +fits +tokensPerSec +costUsd/);
    const f = await runCli(['front', '--run', 't', '--db', db]);
    expect(f.code).toBe(0);
    expect(f.stdout).toContain('t: no feasible design among 16 evaluated');
    const j = JSON.parse((await runCli(['front', '--run', 't', '--db', db, '--json'])).stdout);
    expect(j.front).toEqual([]);
    expect(j.diagnosis.causes[0].cause).toBe('constraint tokensPerSec >= 20000');
  }, 60_000);

  test('the report explains instead of "No feasible design yet", and its Pareto chart has no colour legend to read NaN', async () => {
    await runSearch({ space, workloads: [], algorithm: 'exhaustive', population: 64, seed: 1, workers: 1, db, run: 'lib', resume: false });
    const report = buildReport(await loadRunData(db, 'lib'));
    expect(report.html).not.toContain('No feasible design yet');
    expect(report.html).toContain('<h2>No feasible design: why</h2>');
    expect(report.html).toMatch(/<table id="causes">.*constraint tokensPerSec &gt;= 20000/s);
    expect(report.html).toMatch(/<table id="closest">/);
    expect(report.html).toMatch(/<h2>Reference chips<\/h2>.*<table id="references">.*<td>h100-sxm<\/td><td>yes<\/td>/s);
    const pareto = JSON.stringify(report.charts.find((c) => c.kind === 'pareto')!.spec);
    expect(pareto).not.toMatch(/NaN|null,"title":"tokens/);
    expect(pareto).toContain('no feasible design');
    writeFileSync(join(dir, 'r.html'), report.html);
    expect(readFileSync(join(dir, 'r.html'), 'utf8').length).toBeGreaterThan(1000);
  });
});
