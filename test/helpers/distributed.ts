import pg from 'pg';
import { exportCsv, exportJson } from '../../src/results/export.js';
import { runWorker, type WorkerSummary } from '../../src/search/worker-loop.js';
import { openRun } from '../../src/store/open.js';
import { sql } from './pg.js';

/** Helpers for tests of distributed runs: workers in this process, exports to compare, and consistency checks of a run in PostgreSQL. */

/** `n` workers in this process (each with its own connections and queue client), until `stop`. */
export function inProcessWorkers(url: string, n: number): { logs: string[]; stop: () => Promise<WorkerSummary[]> } {
  let stopping = false;
  const logs: string[] = [];
  const done = Promise.all(Array.from({ length: n }, () => runWorker({ url, pollSec: 0.1, log: (l) => logs.push(l), shouldStop: () => stopping })));
  done.catch(() => {});
  return {
    logs,
    stop: async () => {
      stopping = true;
      return done;
    },
  };
}

/** What must be equal between two stores of one run: both exports, and everything else a run keeps but its timestamps and ids. */
export async function runContent(storage: string, name: string) {
  const { store, run } = await openRun(storage, name);
  try {
    const points = await store.loadEvaluations(run.id);
    const front = new Set((await store.loadFront(run.id)).map((p) => p.key));
    const gens = await store.loadGenerationsByGenome(run.id);
    // Not compared: when and by which process the run was written, and where its inputs were read from.
    const { id: _id, startedAt: _s, endedAt: _e, inputs: _i, writer: _w, ...settings } = run;
    return {
      csv: exportCsv(run, points, front, gens),
      json: exportJson(run, points, front, gens),
      settings,
      generations: await store.loadGenerations(run.id),
      state: await store.loadState(run.id),
      references: await store.loadReferences(run.id),
      details: await store.loadDetails(run.id),
    };
  } finally {
    await store.close();
  }
}

/**
 * What a run in PostgreSQL must satisfy when nothing was lost or stored twice: evaluations
 * numbered 0..n-1 without a gap, each design once, every generation whole (its statistics count
 * the evaluations up to it), the front a subset of the evaluations, the search state at the last
 * generation, nothing left staged, no job of the run left active or queued. Returns the problems.
 */
export async function consistencyProblems(url: string, name: string): Promise<string[]> {
  const out: string[] = [];
  const [run] = await sql<{ id: number; status: string; budget: number }>(url, 'SELECT id, status, budget FROM chipdse.runs WHERE name = $1', [name]);
  if (!run) return [`no run ${name}`];
  const [ev] = await sql<{ n: number; distinct_genomes: number; min_seq: number; max_seq: number }>(url, 'SELECT count(*)::int AS n, count(DISTINCT genome)::int AS distinct_genomes, min(seq) AS min_seq, max(seq) AS max_seq FROM chipdse.evaluations WHERE run_id = $1', [run.id]);
  if (ev.n !== ev.distinct_genomes) out.push(`${ev.n} evaluations of ${ev.distinct_genomes} designs`);
  if (ev.n > 0 && (ev.min_seq !== 0 || ev.max_seq !== ev.n - 1)) out.push(`seq from ${ev.min_seq} to ${ev.max_seq} for ${ev.n} evaluations`);
  const gens = await sql<{ generation: number; evaluations: number; stored: number }>(
    url,
    'SELECT g.generation, g.evaluations, (SELECT count(*)::int FROM chipdse.evaluations e WHERE e.run_id = g.run_id AND e.generation <= g.generation) AS stored FROM chipdse.generations g WHERE g.run_id = $1 ORDER BY g.generation',
    [run.id],
  );
  gens.forEach((g, i) => {
    if (g.generation !== i) out.push(`generation ${g.generation} at position ${i}`);
    if (g.evaluations !== g.stored) out.push(`generation ${g.generation} counts ${g.evaluations} evaluations, ${g.stored} are stored up to it`);
  });
  const [orphans] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM chipdse.pareto p LEFT JOIN chipdse.evaluations e ON e.run_id = p.run_id AND e.genome = p.genome WHERE p.run_id = $1 AND e.genome IS NULL', [run.id]);
  if (orphans.n > 0) out.push(`${orphans.n} front designs not among the evaluations`);
  const [state] = await sql<{ generation: number }>(url, 'SELECT generation FROM chipdse.search_state WHERE run_id = $1', [run.id]);
  if (gens.length > 0 && state?.generation !== gens.length - 1) out.push(`search state at generation ${state?.generation}, last stored ${gens.length - 1}`);
  if (run.status === 'done') {
    if (ev.n !== Number(run.budget)) out.push(`done with ${ev.n} evaluations of a budget of ${run.budget}`);
    const [staged] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM chipdse.staged_results WHERE run_id = $1', [run.id]);
    if (staged.n > 0) out.push(`${staged.n} results left staged`);
    const [open] = await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM chipdse_queue.job WHERE state IN ('created', 'retry', 'active') AND data->>'runId' = $1::text", [run.id]);
    if (open.n > 0) out.push(`${open.n} jobs of the finished run still queued or active`);
  }
  return out;
}

/** Jobs of a queue that were retried (a worker died holding them), from pg-boss's tables (live and archived). */
export async function retriedJobs(url: string): Promise<{ id: string; retry_count: number; state: string }[]> {
  return sql(url, "SELECT id::text, retry_count, state FROM chipdse_queue.job WHERE retry_count > 0 UNION ALL SELECT id::text, retry_count, state FROM chipdse_queue.archive WHERE retry_count > 0");
}

export { pg };
