import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { metricsJsonOfRow, objectivesJsonOfRow, reasonListsOf, reasonsJsonOfRow, shapesOf } from './packed.js';

/** Helpers for tests that start the built CLI (`dist/`, built by `npm test`) as a separate process. */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How a CLI process is started: extra environment, another user (tests run as root drop to `nobody`), a time limit. */
export interface SpawnOptions {
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Killed (SIGKILL) after this long: a hang fails the test instead of stalling the suite. */
  timeoutMs?: number;
}

/** Starts `chipdse ...args` from the repository root. */
export function spawnCli(args: string[], cwd = ROOT, opts: SpawnOptions = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [`${ROOT}/bin/chipdse.js`, ...args], { cwd, stdio: 'pipe', env: opts.env ? { ...process.env, ...opts.env } : process.env, uid: opts.uid, gid: opts.gid });
  if (opts.timeoutMs !== undefined) {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('exit', () => clearTimeout(timer));
  }
  return child;
}

/** Collects a started process's output until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs `chipdse ...args` to completion. */
export function runCli(args: string[], cwd = ROOT, opts: SpawnOptions = {}): Promise<CliResult> {
  return finished(spawnCli(args, cwd, opts));
}

/** The user a test drops to for permission checks: root ignores file modes, so a test run as root runs the CLI as `nobody`. */
export const UNPRIVILEGED: Pick<SpawnOptions, 'uid' | 'gid'> = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** Runs jobs with at most `limit` at a time, results in input order. */
export async function pooled<T, R>(items: T[], limit: number, job: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** A run's evaluation rows with their metrics as JSON text, however the file stores them (packed since schema 5). */
function evaluationRows(d: Database.Database, runId: number): Record<string, unknown>[] {
  const shapes = shapesOf(d, runId);
  const lists = reasonListsOf(d, runId);
  return (d.prepare('SELECT * FROM evaluations WHERE run_id = ? ORDER BY seq').all(runId) as Record<string, unknown>[]).map((r) => ({
    seq: r.seq,
    genome: r.genome,
    generation: r.generation,
    params_json: r.params_json,
    objectives_json: objectivesJsonOfRow(r),
    metrics_json: metricsJsonOfRow(r, shapes),
    feasible: r.feasible,
    violation: r.violation,
    reasons_json: reasonsJsonOfRow(r, lists),
  }));
}

/** The rows of the search tables of one run (or all), as comparable JSON; run timestamps left out. */
export function runRows(db: string, run?: string): string {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const ids = (d.prepare('SELECT id, name FROM runs ORDER BY id').all() as { id: number; name: string }[]).filter((r) => run === undefined || r.name === run);
    const out = ids.map(({ id }) => ({
      run: d.prepare('SELECT name, space_name, space_json, workloads_json, objectives_json, constraints_json, algorithm, seed, budget, population, reference_json, tool_version, status FROM runs WHERE id = ?').get(id),
      evaluations: evaluationRows(d, id),
      generations: d.prepare('SELECT generation, evaluations, feasible_share, front_size, hypervolume FROM generations WHERE run_id = ? ORDER BY generation').all(id),
      pareto: d.prepare('SELECT genome FROM pareto WHERE run_id = ? ORDER BY genome').all(id),
      state: d.prepare('SELECT generation, algorithm_state_json, rng_state_json FROM search_state WHERE run_id = ?').all(id),
    }));
    return JSON.stringify(out);
  } finally {
    d.close();
  }
}

export function integrityCheck(db: string): string {
  const d = new Database(db, { fileMustExist: true });
  try {
    return d.pragma('integrity_check', { simple: true }) as string;
  } finally {
    d.close();
  }
}

/** Every stderr line starts with "chipdse: " and there is no stack trace. Returns the lines. */
export function cleanErrorLines(stderr: string): string[] {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const bad = lines.filter((l) => !l.startsWith('chipdse: ') || /^\s+at /.test(l));
  if (lines.length === 0) throw new Error('expected an error message on stderr, got nothing');
  if (bad.length > 0) throw new Error(`stderr lines not of the form "chipdse: ...":\n${bad.join('\n')}\n--- whole stderr ---\n${stderr}`);
  return lines;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RFC 4180 rows (quoted cells may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) throw new Error('CSV does not end with a newline (torn output?)');
  return rows;
}
