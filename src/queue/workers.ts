/**
 * The workers registry (table chipdse.workers): each `chipdse worker` registers, renews its
 * heartbeat, and counts what it did, so a coordinator can tell how many workers are alive and a
 * user can list them (`chipdse workers`).
 */
import type pg from 'pg';
import { PG_SCHEMA } from '../store/postgres-schema.js';

const T = `${PG_SCHEMA}.workers`;
/** A worker renews its heartbeat this often while idle, and at the start and end of every job. */
export const WORKER_HEARTBEAT_MS = 5_000;
/** A worker silent longer than this is not counted alive (a job evaluated on the worker's one thread holds its heartbeat back: jobs are sized well below it). */
export const WORKER_ALIVE_SEC = 60;

/** Registers a worker (and forgets workers silent for a week: the table lists the recent past, not all history). */
export async function registerWorker(db: pg.Pool, host: string, pid: number, toolVersion: string): Promise<number> {
  await db.query(`DELETE FROM ${T} WHERE heartbeat_at < now() - interval '7 days'`);
  const { rows } = await db.query(`INSERT INTO ${T} (host, pid, tool_version) VALUES ($1, $2, $3) RETURNING id`, [host, pid, toolVersion]);
  return rows[0].id;
}

export async function workerHeartbeat(db: pg.Pool, id: number, job: string | null): Promise<void> {
  await db.query(`UPDATE ${T} SET heartbeat_at = now(), current_job = $2 WHERE id = $1`, [id, job]);
}

export async function workerDid(db: pg.Pool, id: number, designs: number, seconds: number): Promise<void> {
  await db.query(`UPDATE ${T} SET heartbeat_at = now(), current_job = NULL, jobs_done = jobs_done + 1, designs_done = designs_done + $2, evaluation_sec = evaluation_sec + $3 WHERE id = $1`, [id, designs, seconds]);
}

export async function workerStopped(db: pg.Pool, id: number): Promise<void> {
  await db.query(`UPDATE ${T} SET stopped_at = now(), current_job = NULL WHERE id = $1`, [id]);
}

export interface WorkerRow {
  id: number;
  host: string;
  pid: number;
  toolVersion: string;
  startedAt: string;
  heartbeatAgeSec: number;
  alive: boolean;
  stopped: boolean;
  jobsDone: number;
  designsDone: number;
  evaluationSec: number;
  currentJob: string | null;
}

/** Workers alive now, or every worker seen in the last `sinceSec` (stopped and silent ones too). */
export async function listWorkers(db: pg.Pool | pg.ClientBase, sinceSec = 0): Promise<WorkerRow[]> {
  const { rows } = await db.query(
    `SELECT id, host, pid, tool_version, started_at, EXTRACT(EPOCH FROM now() - heartbeat_at)::float8 AS age, stopped_at IS NOT NULL AS stopped, jobs_done, designs_done, evaluation_sec, current_job
     FROM ${T} WHERE heartbeat_at > now() - make_interval(secs => $1) ORDER BY id`,
    [Math.max(sinceSec, WORKER_ALIVE_SEC)],
  );
  return rows
    .map((r) => ({
      id: r.id, host: r.host, pid: r.pid, toolVersion: r.tool_version, startedAt: (r.started_at as Date).toISOString(), heartbeatAgeSec: r.age, stopped: r.stopped,
      alive: !r.stopped && r.age < WORKER_ALIVE_SEC, jobsDone: r.jobs_done, designsDone: r.designs_done, evaluationSec: r.evaluation_sec, currentJob: r.current_job,
    }))
    .filter((w) => sinceSec > 0 || w.alive);
}

/** Workers of one version alive now, and the mean evaluation time per design they reported (undefined before any). */
export async function workerStats(db: pg.Pool | pg.ClientBase, toolVersion: string): Promise<{ alive: number; secPerDesign: number | undefined }> {
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => $2))::int AS alive,
            sum(evaluation_sec) / NULLIF(sum(designs_done), 0) AS sec
     FROM ${T} WHERE tool_version = $1 AND heartbeat_at > now() - interval '1 hour'`,
    [toolVersion, WORKER_ALIVE_SEC],
  );
  return { alive: rows[0].alive, secPerDesign: rows[0].sec ?? undefined };
}
