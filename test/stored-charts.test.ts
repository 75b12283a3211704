import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CHARTS } from '../src/chart/charts.js';
import { buildReport } from '../src/chart/html-report.js';
import { loadRunData } from '../src/chart/run-data.js';
import { storeDetails } from '../src/commands/detail.js';
import { ChipdseError } from '../src/errors.js';
import { runSearch } from '../src/search/run.js';
import { SCHEMA_VERSION } from '../src/store/sqlite-schema.js';
import { TOOL_VERSION } from '../src/version.js';
import { runRows } from './helpers/cli.js';
import { downgradeToSchema4 } from './helpers/packed.js';

/**
 * Charts draw what a run stored, as the model that scored it: the reference chips and the full
 * evaluations stored with the run, never an evaluation by this build. A run stored by another
 * version is marked, and a run stored before schema 2 still opens.
 */

const dir = mkdtempSync(join(tmpdir(), 'chipdse-stored-charts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const search = (db: string, run: string, seed = 3) => runSearch({ space: 'small', workloads: [], algorithm: 'nsga2', budget: 40, population: 20, seed, workers: 1, db, run, resume: false, now: () => 'T' });

function sql(db: string, statements: string): void {
  const d = new Database(db);
  d.exec(statements);
  d.close();
}

/** Every string in a spec (titles, labels; the subtitle's wrapped lines joined again), for finding what a chart says. */
function text(spec: unknown): string {
  const title = (spec as { title?: { subtitle?: string[] } }).title;
  return JSON.stringify(spec) + (title?.subtitle ? `\n${title.subtitle.join(' ')}` : '');
}

describe('a chart shows the stored numbers, not a new evaluation', () => {
  const db = join(dir, 'stored.db');
  beforeAll(() => search(db, 'r'), 60_000);

  test('the Pareto chart places each reference chip at its stored metrics', async () => {
    sql(db, `UPDATE reference_chips SET metrics_json = json_set(metrics_json, '$."llama-3-8b-serve".tokensPerSec', 123456) WHERE name = 'tpu-v6e'`);
    const d = await loadRunData(db, 'r');
    expect(d.references).toHaveLength(12); // every shipped preset, gb200 and b300 included
    const spec = CHARTS.pareto([d], {}) as unknown as { layer: { name: string; data: { values: { name: string; x: number; valueX: number; beyond: string }[] } }[] };
    const refs = spec.layer.filter((l) => l.name.startsWith('references')).flatMap((l) => l.data.values);
    // Far beyond the searched designs: drawn on the axis's edge, with its stored value in the tooltip.
    const v6e = refs.find((r) => r.name === 'tpu-v6e')!;
    expect(v6e.valueX).toBe(123456);
    expect(v6e.beyond).toMatch(/[\u2192\u2197\u2198]/);
    expect(v6e.x).toBeLessThan(123456);
  });

  test('a design off the front has no detail until chipdse detail stores it; an invalid design has none to store', async () => {
    const d = await loadRunData(db, 'r');
    const off = d.points.find((p) => p.metrics && !d.details.has(p.key))!;
    expect(() => CHARTS.energy([d], { genome: off.key })).toThrow(`run r: design ${off.key} has no stored per-step detail (a run stores it for the designs of its final front); store it with: chipdse detail --run r --genome ${off.key} --db ${db}`);
    await storeDetails({ db, run: 'r', genomes: [off.key] });
    expect(text(CHARTS.energy([await loadRunData(db, 'r')], { genome: off.key }))).toContain(`(genome ${off.key})`);
    const invalid = { ...d.points[0], key: '9.9.9.9.9', genome: [9, 9, 9, 9, 9], feasible: false, metrics: null };
    expect(() => CHARTS.roofline([{ ...d, points: [...d.points, invalid] }], { genome: invalid.key })).toThrow('run r: design 9.9.9.9.9 has no stored per-step detail: it is an invalid design, with no evaluation to draw');
  });

  test('the roofline draws the stored chip and steps: its ceilings follow the stored peaks', async () => {
    const d = await loadRunData(db, 'r');
    const best = [...d.front].sort((a, b) => a.objectives[0] - b.objectives[0])[0].key;
    expect(d.details.has(best)).toBe(true);
    sql(db, `UPDATE design_details SET chip_json = json_set(chip_json, '$.peakMacsPerSec', json('{"bf16": 1e15}'), '$.efficiency.matrix', 0.5, '$.efficiency.matrixByFormat', json('{"bf16": 0.5}')) WHERE genome = '${best}'`);
    const spec = CHARTS.roofline([await loadRunData(db, 'r')], {}) as unknown as { layer: { name: string; data: { values: { text: string }[] } }[] };
    const ceilings = spec.layer.find((l) => l.name === 'compute_labels')!.data.values.map((v) => v.text);
    expect(ceilings).toContain('bf16 1 PFLOP/s');
    expect(ceilings.some((t) => t.includes('int8'))).toBe(false);
  });
});

describe('model versions', () => {
  const db = join(dir, 'versions.db');
  beforeAll(async () => {
    await search(db, 'old', 1);
    await search(db, 'new', 2);
    sql(db, "UPDATE runs SET tool_version = '0.0.1' WHERE name = 'old'");
  }, 60_000);

  test('a run stored by another version is marked in every chart title and in the report', async () => {
    const old = await loadRunData(db, 'old');
    const mark = `old (chipdse 0.0.1; this is ${TOOL_VERSION})`;
    for (const kind of ['pareto', 'energy', 'roofline', 'params'] as const) expect([kind, text(CHARTS[kind]([old], {})).includes(mark)]).toEqual([kind, true]);
    expect(buildReport(old).html).toContain('Stored by chipdse 0.0.1:');
    const current = await loadRunData(db, 'new');
    expect(text(CHARTS.pareto([current], {}))).not.toContain('chipdse');
    expect(buildReport(current).html).not.toContain('Stored by chipdse');
  });

  test('a convergence chart of runs of two versions names each series with its version', async () => {
    const spec = text(CHARTS.convergence([await loadRunData(db, 'old'), await loadRunData(db, 'new')], {}));
    expect(spec).toContain('old (chipdse 0.0.1)');
    expect(spec).toContain(`new (chipdse ${TOOL_VERSION})`);
    expect(spec).toContain('their hypervolumes come from different models');
    const same = text(CHARTS.convergence([await loadRunData(db, 'new'), await loadRunData(db, 'new')], {}));
    expect(same).not.toContain('(chipdse');
  });

  test('detail is not computed for a run of another version (it would be this model, not the run\'s)', async () => {
    const old = await loadRunData(db, 'old');
    const offFront = old.points.find((p) => p.metrics && !old.details.has(p.key))!;
    expect(() => CHARTS.roofline([old], { genome: offFront.key })).toThrow(new RegExp(`design ${offFront.key} has no stored per-step detail \\(a run stores it for the designs of its final front\\); it would take chipdse 0\\.0\\.1's model`));
    await expect(storeDetails({ db, run: 'old', genomes: [old.points[0].key] })).rejects.toThrow(/stored by chipdse 0\.0\.1 and this is/);
  });
});

describe('a database of schema 1 (before reference chips and details were stored)', () => {
  const db = join(dir, 'schema1.db');
  let before = '';
  beforeAll(async () => {
    await search(db, 'r');
    // Back to what chipdse wrote before schema 2 (and 3, 4 and 5).
    const d = new Database(db);
    downgradeToSchema4(d);
    d.close();
    sql(db, 'DROP TABLE run_writers; ALTER TABLE runs DROP COLUMN inputs_json; DROP TABLE reference_chips; DROP TABLE design_details; ALTER TABLE runs DROP COLUMN parameters_json; ALTER TABLE runs DROP COLUMN reference_chips_stored; ALTER TABLE runs DROP COLUMN writer_pid; ALTER TABLE runs DROP COLUMN writer_host; PRAGMA user_version = 1;');
    before = runRows(db);
  }, 60_000);

  test('opens: migrated to the current schema with every row kept', async () => {
    const d = await loadRunData(db, 'r');
    expect(d.points).toHaveLength(40);
    expect(d.references).toBeUndefined();
    expect(d.details.size).toBe(0);
    expect(d.run.parameters).toBeNull();
    expect(runRows(db)).toBe(before);
    const raw = new Database(db, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
  });

  test('charts that need what it lacks say so in one line; the others draw', async () => {
    const d = await loadRunData(db, 'r');
    expect(text(CHARTS.pareto([d], {}))).toContain('no reference chips stored with this run');
    expect(() => CHARTS.convergence([d], {})).not.toThrow();
    expect(() => CHARTS.energy([d], {})).not.toThrow();
    const fail = (kind: 'roofline' | 'params', o = {}) => {
      try {
        CHARTS[kind]([d], o);
      } catch (e) {
        expect(e).toBeInstanceOf(ChipdseError);
        return (e as Error).message;
      }
      throw new Error(`${kind} drew`);
    };
    const roofline = fail('roofline');
    expect(roofline).toMatch(/^run r: design [\d.]+ has no stored per-step detail .*; store it with: chipdse detail --run r --genome [\d.]+ --db .*schema1\.db$/);
    expect(roofline.split('\n')).toHaveLength(1);
    expect(fail('params')).toMatch(/^run r: stored without its parameter axes/);
    const report = buildReport(d);
    expect(report.skipped.map((s) => s.id)).toEqual(['chart-params', 'chart-roofline', 'chart-steps']);
  });

  test('chipdse detail stores what the roofline and energy-by-step charts need', async () => {
    const d = await loadRunData(db, 'r');
    const genome = [...d.front].sort((a, b) => a.objectives[0] - b.objectives[0])[0].key;
    await storeDetails({ db, run: 'r', genomes: [genome] });
    const after = await loadRunData(db, 'r');
    expect(text(CHARTS.roofline([after], {}))).toContain(`(genome ${genome}, on the front)`);
    expect(text(CHARTS.energy([after], { genome }))).toContain(`(genome ${genome}, on the front)`);
    await expect(storeDetails({ db, run: 'r', genomes: ['9.9.9.9.9'] })).rejects.toThrow(/no evaluated design "9\.9\.9\.9\.9"/);
  });
});
