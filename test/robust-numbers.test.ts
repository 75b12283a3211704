import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runSearch, type SearchOptions } from '../src/search/run.js';
import { SqliteRunStore } from '../src/store/sqlite.js';
import { exportCsv, exportJson, frontJson } from '../src/results/export.js';
import { parseCsv, ROOT, runCli } from './helpers/cli.js';
import { metricsJsonOfRow, objectivesJsonOfRow, reasonListsOf, reasonsJsonOfRow, shapesOf } from './helpers/packed.js';

/**
 * No NaN or Infinity ever reaches the database, an export or a chart: every numeric column and
 * every number inside every JSON column of several runs is finite, including runs over spaces
 * whose designs are infeasible (all of them, or designs so large a wafer holds none, whose cost
 * cannot be computed). A metric that cannot be computed is left out (null) and the design is
 * infeasible with a reason that says so.
 */

const T = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-num-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DB = join(dir, 'numbers.db');

/* eslint-disable @typescript-eslint/no-explicit-any */
const small = (): any => ({ ...JSON.parse(readFileSync(join(ROOT, 'designs/spaces/small.json'), 'utf8')), base: join(ROOT, 'designs/tpu-v6e.json') });
const spaceFile = (name: string, edit: (s: any) => void): string => {
  const s = small();
  edit(s);
  const f = join(dir, `${name}.json`);
  writeFileSync(f, JSON.stringify(s));
  return f;
};

const RUNS: (Partial<SearchOptions> & { run: string })[] = [
  { run: 'plain' },
  // SRAM up to 64 GiB: dies far over the reticle, some too large for a wafer (cost Infinity before it was caught).
  { run: 'huge', space: spaceFile('huge', (s) => (s.parameters[1].max = 65536)), budget: 300, population: 50 },
  // Every design breaks a constraint; no reference point given, so none can be derived.
  { run: 'none-feasible', space: spaceFile('none', (s) => { s.constraints = ['areaMm2 <= 1']; delete s.reference; }), budget: 60 },
  // Two workloads, a constraint and an objective on one of them.
  {
    run: 'per-workload',
    space: spaceFile('per-workload', (s) => {
      s.constraints = ['llama-3-8b-decode:tpotSec <= 0.002', 'fits == true'];
      s.objectives = [{ metric: 'llama-3-8b-serve:energyJPerToken', goal: 'min' }, { metric: 'costUsd', goal: 'min' }];
      delete s.reference;
    }),
    workloads: ['llama-3-8b-serve', 'llama-3-8b-decode'],
    budget: 100,
  },
  // A training workload that does not fit on these chips.
  { run: 'train', workloads: ['llama-3-70b-train'], budget: 60 },
];

beforeAll(async () => {
  for (const r of RUNS) {
    await runSearch({ space: 'small', workloads: [], algorithm: 'nsga2', budget: 120, population: 20, seed: 1, workers: 1, db: DB, resume: false, ...r });
  }
}, T);

/** Paths of every number that is not finite, and of every null, inside a JSON value. */
function scan(x: unknown, path: string, bad: string[], nulls: string[]): void {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) bad.push(`${path} = ${x}`);
  } else if (x === null) {
    nulls.push(path);
  } else if (typeof x === 'object') {
    for (const [k, v] of Object.entries(x as object)) scan(v, `${path}.${k}`, bad, nulls);
  }
}

test('every numeric column and every number in every JSON column is finite', () => {
  const d = new Database(DB, { readonly: true });
  const bad: string[] = [];
  let cells = 0;
  let computedNulls = 0;
  for (const { name: table } of d.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]) {
    for (const stored of d.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]) {
      // Packed metrics (schema 5) are checked as the JSON they stand for; the float64 data itself is checked by reading it back.
      const { metrics_shape: shape, metrics_packed: packed, ...row } = stored;
      if (table === 'evaluations') {
        if ((shape === null) !== (packed === null)) bad.push(`evaluations: design ${String(row.genome)} has a metric shape or packed metrics but not both`);
        if (packed !== null) row.metrics_json = metricsJsonOfRow(stored, shapesOf(d, row.run_id as number));
        // Objectives as float64 numbers (schema 6): checked as the JSON they stand for, like packed metrics.
        row.objectives_json = objectivesJsonOfRow(stored);
        row.reasons_json = reasonsJsonOfRow(stored, reasonListsOf(d, row.run_id as number));
      }
      for (const [col, v] of Object.entries(row)) {
        cells++;
        const at = `${table}.${col}`;
        if (typeof v === 'number' && !Number.isFinite(v)) bad.push(`${at} = ${v}`);
        // SQLite stores a NaN bound to a REAL column as NULL: a NULL where a number belongs is one.
        if (v === null && !['ended_at', 'reference_json', 'metrics_json'].includes(col)) bad.push(`${at} is NULL`);
        if (typeof v === 'string' && col.endsWith('_json')) {
          const nulls: string[] = [];
          let parsed: unknown;
          try {
            parsed = JSON.parse(v);
          } catch {
            bad.push(`${at} is not JSON: ${v.slice(0, 80)}`);
            continue;
          }
          scan(parsed, at, bad, nulls);
          if (col === 'metrics_json' && nulls.length > 0) {
            // A metric left out must come with the reason, in the same row.
            if (!/cannot be computed/.test(String(row.reasons_json)) || row.feasible !== 0) bad.push(`${at}: ${nulls[0]} is null without a "cannot be computed" reason on an infeasible design`);
            computedNulls++;
          }
          // A shape's nulls stand for its values that are not numbers (see packed-metrics.ts).
          if (col !== 'metrics_json' && col !== 'reference_json' && at !== 'metric_shapes.shape_json' && nulls.length > 0) bad.push(`${at}: null at ${nulls[0]}`);
        }
      }
    }
  }
  const runs = d.prepare('SELECT name, (SELECT count(*) FROM evaluations e WHERE e.run_id = r.id) AS n, (SELECT count(*) FROM evaluations e WHERE e.run_id = r.id AND feasible = 0) AS infeasible FROM runs r ORDER BY id').all() as { name: string; n: number; infeasible: number }[];
  d.close();
  expect(bad).toEqual([]);
  expect(cells).toBeGreaterThan(1000);
  // The runs did what they are here for: infeasible designs, all of one run. Dies too big for a
  // wafer now get a finite (huge) cost, so no metric is left out: any null would need its reason.
  expect(runs.find((r) => r.name === 'none-feasible')).toMatchObject({ n: 60, infeasible: 60 });
  expect(runs.find((r) => r.name === 'train')!.infeasible).toBeGreaterThan(0);
  expect(computedNulls).toBe(0);
});

test('exports and fronts of every run hold no NaN or Infinity', async () => {
  const store = new SqliteRunStore(DB);
  for (const run of await store.listRuns()) {
    const points = await store.loadEvaluations(run.id);
    const front = await store.loadFront(run.id);
    const gens = await store.loadGenerationsByGenome(run.id);
    const keys = new Set(front.map((p) => p.key));
    const csv = parseCsv(exportCsv(run, points, keys, gens));
    const json = exportJson(run, points, keys, gens);
    const bad: string[] = [];
    // Every cell but the reasons (whose text may say "costUsd = Infinity" cannot be computed).
    const reasons = csv[0].indexOf('reasons');
    csv.forEach((row, i) => row.forEach((cell, j) => j !== reasons && /^-?(NaN|Infinity)$|\bNaN\b/.test(cell) && bad.push(`${run.name} csv row ${i} ${csv[0][j]} = ${cell}`)));
    scan(JSON.parse(json), run.name, bad, []);
    scan(frontJson(run, front), `${run.name} front`, bad, []);
    expect(bad).toEqual([]);
  }
  await store.close();
});

test('a chart of a run with uncomputable metrics draws no NaN or Infinity', async () => {
  const help = await runCli(['--help']);
  if (!help.stdout.includes('chipdse chart')) return; // the chart command is not there (yet)
  const out = join(dir, 'huge.svg');
  const r = await runCli(['chart', '--run', 'huge', '--db', DB, '--out', out]);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(0);
  expect(existsSync(out)).toBe(true);
  expect(readFileSync(out, 'utf8')).not.toMatch(/NaN|Infinity/);
}, T);
