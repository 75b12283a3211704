import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { ENERGY_PARTS } from '../src/eval/types.js';
import { runSearch } from '../src/search/run.js';
import { buildReport } from '../src/chart/html-report.js';
import { loadRunData } from '../src/chart/run-data.js';

/**
 * `chipdse report` in a real browser: Debian's chromium driven by playwright-core. The page must
 * load from a file with no network, log no errors, and draw one mark per datum in every chart.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const haveChromium = existsSync(CHROMIUM);
const suite = haveChromium ? describe : describe.skip;
if (!haveChromium) console.warn(`report-browser.test.ts SKIPPED: ${CHROMIUM} is not installed (Debian: apt-get install chromium)`);

/** The inline data of the layer named `name` anywhere in a spec (its own, or inherited from a facet around it). */
function layerData(spec: unknown, name: string, inherited?: unknown[]): unknown[] | undefined {
  if (spec === null || typeof spec !== 'object') return undefined;
  const o = spec as Record<string, unknown>;
  const own = (o.data as { values?: unknown[] } | undefined)?.values ?? inherited;
  if (o.name === name) return own;
  for (const v of Object.values(o)) {
    const found = layerData(v, name, own);
    if (found) return found;
  }
  return undefined;
}

suite(`report in headless ${CHROMIUM}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'chipdse-browser-'));
  const db = join(dir, 'runs.db');
  const file = join(dir, 'index.html');
  let context: BrowserContext;
  let expected: Record<string, Record<string, number>>;
  let pointCount = 0;

  beforeAll(async () => {
    await runSearch({ space: 'small', workloads: [], algorithm: 'nsga2', budget: 60, population: 20, seed: 2, workers: 1, db, run: 'b', resume: false });
    const d = await loadRunData(db, 'b');
    const report = buildReport(d);
    writeFileSync(file, report.html);
    const spec = (id: string) => report.charts.find((c) => c.id === id)!.spec;
    const rows = (id: string, name: string) => layerData(spec(id), name)!.length;
    const nParams = Object.keys(d.points[0].params).length;
    const placed = d.points.filter((p) => p.metrics);
    pointCount = placed.length;
    expected = {
      'chart-pareto': {
        evaluated: placed.filter((p) => p.feasible).length - d.front.length,
        infeasible: placed.filter((p) => !p.feasible).length,
        front: d.front.length,
        front_line: 1,
        // Ten reference chips over three layers (on the chart, beyond its edge, infeasible); labels shared by chips on one spot.
        ...Object.fromEntries(['references', 'references_beyond', 'references_infeasible', 'reference_labels_left', 'reference_labels_right', 'reference_labels_center'].map((n) => [n, rows('chart-pareto', n)])),
      },
      'chart-convergence': { hypervolume_line: 1, hypervolume_points: d.generations.length, feasible_line: 1, feasible_points: d.generations.length },
      'chart-params': { param_axes: nParams, param_lines: d.front.length, param_points: nParams * d.front.length, param_lo_labels: nParams, param_hi_labels: nParams },
      'chart-energy': { energy: d.front.reduce((a, p) => a + ENERGY_PARTS.filter((k) => Object.values(p.metrics!)[0].energyBreakdownJ[k] > 0).length, 0) },
      'chart-roofline': { ceilings: rows('chart-roofline', 'ceilings') / 2, compute_labels: rows('chart-roofline', 'compute_labels'), memory_labels: 2, steps: rows('chart-roofline', 'steps') },
      'chart-steps': { energy: rows('chart-steps', 'energy') },
    };
    context = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'profile-')), { executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the page loads offline without console errors and every chart draws its marks', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.body.dataset.rendered !== undefined, null, { timeout: 60_000 });
    expect(await page.evaluate(() => document.body.dataset.rendered)).toBe('true');
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    const drawn = await page.evaluate((want) => {
      const out: Record<string, Record<string, number>> = {};
      for (const [id, names] of Object.entries(want)) {
        out[id] = {};
        for (const name of Object.keys(names)) out[id][name] = document.querySelectorAll(`#${id} g.${name}_marks > *`).length;
      }
      return out;
    }, expected);
    expect(drawn).toEqual(expected);
    const p = expected['chart-pareto'];
    expect(p.references + p.references_beyond + p.references_infeasible).toBe(10);
    expect(p.evaluated + p.infeasible + p.front).toBe(pointCount);
    expect(await page.locator('#front tbody tr').count()).toBe(expected['chart-pareto'].front);
    await page.close();
  }, 60_000);
});
