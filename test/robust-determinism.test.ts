import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pooled, runCli } from './helpers/cli.js';

/**
 * The same seed gives byte-identical `export --format csv` and `--format json` (and `front --json`)
 * through the CLI: across two runs, and across --workers 1 and 2. Two workloads, so the
 * per-workload metric columns are compared too.
 */

const T = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-det-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEARCH = ['search', '--space', 'small', '--workload', 'llama-3-8b-serve', '--workload', 'llama-3-8b-decode', '--budget', '200', '--population', '20', '--seed', '11', '--run', 'd'];

test('same seed: byte-identical CSV, JSON and front across runs and worker counts', async () => {
  const dbs = { first: join(dir, 'first.db'), second: join(dir, 'second.db'), twoWorkers: join(dir, 'two-workers.db') };
  const searches = await pooled(
    [
      [...SEARCH, '--db', dbs.first, '--workers', '1'],
      [...SEARCH, '--db', dbs.second, '--workers', '1'],
      [...SEARCH, '--db', dbs.twoWorkers, '--workers', '2'],
    ],
    3,
    (args) => runCli(args),
  );
  for (const s of searches) {
    expect(s.stderr).not.toMatch(/internal error/);
    expect(s.code).toBe(0);
  }
  const reads = Object.entries(dbs).flatMap(([name, db]) => [
    { name, kind: 'csv', args: ['export', '--run', 'd', '--db', db, '--format', 'csv'] },
    { name, kind: 'json', args: ['export', '--run', 'd', '--db', db, '--format', 'json'] },
    { name, kind: 'front', args: ['front', '--run', 'd', '--db', db, '--json'] },
    { name, kind: 'csv-file', args: ['export', '--run', 'd', '--db', db, '--format', 'csv', '--out', join(dir, `${name}.csv`)] },
  ]);
  const out = await pooled(reads, 3, (r) => runCli(r.args));
  const text = (name: string, kind: string) => {
    const i = reads.findIndex((r) => r.name === name && r.kind === kind);
    expect(out[i].code).toBe(0);
    return kind === 'csv-file' ? readFileSync(join(dir, `${name}.csv`), 'utf8') : out[i].stdout;
  };
  for (const kind of ['csv', 'json', 'front', 'csv-file']) {
    const first = text('first', kind);
    expect(first.length).toBeGreaterThan(100);
    expect(text('second', kind)).toBe(first);
    expect(text('twoWorkers', kind)).toBe(first);
  }
  // The file written with --out is the same bytes as standard output.
  expect(text('first', 'csv-file')).toBe(text('first', 'csv'));
  const json = JSON.parse(text('first', 'json'));
  expect(json.evaluations).toHaveLength(200);
  expect(Object.keys(json.evaluations.find((e: { metrics: unknown }) => e.metrics).metrics).sort()).toEqual(['llama-3-8b-decode', 'llama-3-8b-serve']);
}, T);
