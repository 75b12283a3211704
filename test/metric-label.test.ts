import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHARTS } from '../src/chart/charts.js';
import { loadRunData } from '../src/chart/run-data.js';
import { ChipdseError } from '../src/errors.js';
import { exportCsv } from '../src/results/export.js';
import { metricLabel, metricOf, parseMetricLabel } from '../src/results/metric-ref.js';
import { METRIC_NAMES } from '../src/results/metrics.js';
import { runSearch } from '../src/search/run.js';
import { loadSpace } from '../src/search/space.js';
import { openRun } from '../src/store/open.js';
import { ROOT } from './helpers/cli.js';

/**
 * One parser reads `WORKLOAD:metric` labels wherever they appear (space files, chart axes,
 * export columns). It splits at the last colon: no metric name holds one, while a workload's
 * name may (its "name" field is any string), so the first colon would cut such a name short.
 */

const dir = mkdtempSync(join(tmpdir(), 'chipdse-metric-label-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseMetricLabel', () => {
  test('a metric name, or WORKLOAD:metric split at the last colon', () => {
    expect(parseMetricLabel('tokensPerSec')).toEqual({ name: 'tokensPerSec', workload: undefined, label: 'tokensPerSec' });
    expect(parseMetricLabel('energyBreakdownJ.hbm')).toEqual({ name: 'energyBreakdownJ.hbm', workload: undefined, label: 'energyBreakdownJ.hbm' });
    expect(parseMetricLabel('llama-3-8b-serve:costUsd')).toEqual({ name: 'costUsd', workload: 'llama-3-8b-serve', label: 'llama-3-8b-serve:costUsd' });
    expect(parseMetricLabel('team:8b:serve:energyBreakdownJ.static')).toEqual({ name: 'energyBreakdownJ.static', workload: 'team:8b:serve', label: 'team:8b:serve:energyBreakdownJ.static' });
  });

  test('no metric after the last colon, or no workload before it: not a label', () => {
    for (const bad of ['speed', 'w:speed', 'tokensPerSec:w', ':tokensPerSec', 'w:', '', 'w:tokensPerSec ']) expect([bad, parseMetricLabel(bad)]).toEqual([bad, undefined]);
  });

  test('metricLabel is its inverse, for every metric and workload names with colons', () => {
    for (const m of METRIC_NAMES) {
      for (const w of [undefined, 'w', 'a:b', 'x:y:z-1']) expect(parseMetricLabel(metricLabel(m, w))).toEqual({ name: m, workload: w, label: metricLabel(m, w) });
    }
  });

  test('metricOf: an unknown metric, or a workload not in the run, is a one-line error naming what there is', () => {
    expect(() => metricOf('speed', ['a:b'])).toThrow(ChipdseError);
    expect(() => metricOf('a:tokensPerSec', ['a:b'])).toThrow(/metric "a:tokensPerSec": no workload "a" in this run \(a:b\)/);
    expect(metricOf('a:b:tokensPerSec', ['a:b'])).toMatchObject({ name: 'tokensPerSec', workload: 'a:b' });
  });
});

describe('a workload whose name holds a colon', () => {
  const workload = join(dir, 'team-8b.json');
  const space = join(dir, 'space.json');
  beforeAll(() => {
    const w = JSON.parse(readFileSync(join(ROOT, 'workloads/llama-3-8b-serve.json'), 'utf8'));
    writeFileSync(workload, JSON.stringify({ ...w, $schema: undefined, name: 'team:8b-serve' }));
    const s = JSON.parse(readFileSync(join(ROOT, 'designs/spaces/small.json'), 'utf8'));
    s.base = join(ROOT, 'designs/tpu-v6e.json');
    s.workloads = [workload, 'llama-3-8b-decode'];
    s.objectives = [{ metric: 'team:8b-serve:tokensPerSec', goal: 'max' }, { metric: 'costUsd', goal: 'min' }];
    s.constraints = ['team:8b-serve:areaMm2 <= 858'];
    delete s.reference;
    writeFileSync(space, JSON.stringify(s));
  });

  test('a space names its metric as an objective and in a constraint', () => {
    const sp = loadSpace(space);
    expect(sp.objectives[0].metric).toEqual({ name: 'tokensPerSec', workload: 'team:8b-serve', label: 'team:8b-serve:tokensPerSec' });
    expect(sp.constraints[0].metric).toMatchObject({ name: 'areaMm2', workload: 'team:8b-serve' });
  });

  test('a search optimizes it, its export columns read back as labels, and a chart takes them as axes', async () => {
    const db = 'memory:colon-workload';
    const s = await runSearch({ space, workloads: [], algorithm: 'nsga2', budget: 40, population: 20, seed: 1, workers: 1, db, run: 'c', resume: false, referenceChips: ['h100-sxm'] });
    expect(s.frontSize).toBeGreaterThan(0);
    const { store, run } = await openRun(db, 'c');
    const points = await store.loadEvaluations(run.id);
    const csv = exportCsv(run, points, new Set(), await store.loadGenerationsByGenome(run.id));
    await store.close();
    const header = csv.split('\n')[0].split(',');
    expect(header).toContain('max:team:8b-serve:tokensPerSec');
    const metricColumns = header.filter((h) => h.startsWith('team:8b-serve:') || h.startsWith('llama-3-8b-decode:'));
    expect(metricColumns).toHaveLength(2 * METRIC_NAMES.length);
    for (const h of metricColumns) expect(parseMetricLabel(h)?.workload).toBe(h.startsWith('team') ? 'team:8b-serve' : 'llama-3-8b-decode');
    const d = await loadRunData(db, 'c');
    const spec = CHARTS.pareto([d], { x: 'team:8b-serve:tokensPerSec', y: 'llama-3-8b-decode:tpotSec' }) as unknown as { layer: { encoding: { x: { title: string } } }[] };
    expect(spec.layer[0].encoding.x.title).toBe('team:8b-serve: tokens/s');
  }, 60_000);
});
