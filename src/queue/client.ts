/**
 * The coordinator's side of the queue, for a search's generations and a sweep's shards alike:
 * enqueue jobs, wait until what they produce is in the database (woken by the workers'
 * notifications, polling as a fallback), and stop with one line when a job failed for good or
 * the user asked to stop.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import { ChipdseError } from '../errors.js';
import { newPool, pgError } from '../store/postgres-connect.js';
import { PgRunStore } from '../store/postgres.js';
import { QUEUE_SCHEMA, queueName, RETRY_LIMIT, startBoss, stopBoss } from './boss.js';
import { describeJob, jobInsert, type EvaluationJob } from './jobs.js';
import { StagedWaiter } from './waiter.js';
import { workerStats } from './workers.js';

/** The user asked to stop (Ctrl-C) while the coordinator waited on workers. */
export class EvaluationStopped extends Error {
  constructor() {
    super('stopped while waiting on workers');
  }
}

export interface WaitStatus {
  /** What is in so far, of what this wait needs (designs, or shards). */
  done: number;
  total: number;
  workersAlive: number;
  waitedSec: number;
}

export interface QueueClientOptions {
  /** Seconds after which a job a worker took and did not finish goes back to the queue. */
  jobTimeoutSec: number;
  shouldStop?: () => boolean;
  /** Called every WAIT_REPORT_MS while waiting, and at once when no worker is alive. */
  onWait?: (w: WaitStatus) => void;
}

/** How often a waiting coordinator polls when no notification comes, checks for failed jobs, and reports. */
const POLL_MS = 1_000;
const CHECK_MS = 3_000;
export const WAIT_REPORT_MS = 10_000;
const CHECKED_PER_LOOK = 16;

export class QueueClient {
  /** Workers of this version alive at the last look, and their mean seconds per design. */
  workersAlive = 0;
  secPerDesign: number | undefined;

  private constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
    private readonly waiter: StagedWaiter,
    private readonly queue: string,
    private readonly toolVersion: string,
    private readonly o: QueueClientOptions,
  ) {}

  static async open(url: string, toolVersion: string, o: QueueClientOptions): Promise<QueueClient> {
    // The run tables (and the staging and workers tables beside them): created if this database has none yet.
    await (await PgRunStore.open(url)).close();
    const pool = newPool(url, 3);
    try {
      // Expired jobs are checked at a quarter of the timeout: a dead worker's job is retried within 1.25 timeouts.
      const boss = await startBoss(url, toolVersion, { maintenanceSec: Math.min(60, o.jobTimeoutSec / 4), connections: 2 });
      const waiter = await StagedWaiter.open(url).catch(async (e) => {
        await stopBoss(boss);
        throw e;
      });
      const client = new QueueClient(url, pool, boss, waiter, queueName(toolVersion), toolVersion, o);
      await client.refreshWorkers();
      return client;
    } catch (e) {
      await pool.end().catch(() => {});
      throw pgError(url, e);
    }
  }

  /** Runs queries on the coordinator's connections; a failure is one line naming the database (DatabaseUnavailableError when it is gone). */
  async db<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    try {
      return await fn(this.pool);
    } catch (e) {
      throw pgError(this.url, e);
    }
  }

  async refreshWorkers(): Promise<void> {
    const s = await this.db((p) => workerStats(p, this.toolVersion));
    this.workersAlive = s.alive;
    this.secPerDesign = s.secPerDesign;
  }

  /** Queues jobs; returns their ids. */
  async enqueue(jobs: EvaluationJob[]): Promise<string[]> {
    const ids = jobs.map(() => randomUUID());
    if (jobs.length > 0) await this.db(() => this.boss.insert(jobs.map((j, i) => jobInsert(this.queue, ids[i], j, this.o.jobTimeoutSec, RETRY_LIMIT))));
    return ids;
  }

  /**
   * Waits until `progress` reports everything in. A job that failed on every try (a worker's
   * error, or killed RETRY_LIMIT + 1 times) ends the wait with its reason; so does a stop request.
   */
  async waitFor(progress: () => Promise<{ done: number; total: number }>, jobs: { id: string; job: EvaluationJob }[]): Promise<void> {
    const started = Date.now();
    let lastCheck = Date.now();
    let lastReport = Date.now();
    let warnedNone = false;
    const open = new Map(jobs.map((j) => [j.id, j.job]));
    for (;;) {
      const p = await progress();
      if (p.done >= p.total) return;
      if (this.o.shouldStop?.()) throw new EvaluationStopped();
      if (Date.now() - lastCheck >= CHECK_MS) {
        lastCheck = Date.now();
        await this.refreshWorkers();
        await this.checkFailed(open);
      }
      const status = { ...p, workersAlive: this.workersAlive, waitedSec: (Date.now() - started) / 1000 };
      if ((this.workersAlive === 0 && !warnedNone) || Date.now() - lastReport >= WAIT_REPORT_MS) {
        warnedNone = this.workersAlive === 0;
        lastReport = Date.now();
        this.o.onWait?.(status);
      }
      await this.waiter.wait(POLL_MS);
    }
  }

  /**
   * Throws the reason of a job that failed for good; forgets jobs that completed. Looks at no more
   * than CHECKED_PER_LOOK jobs at a time (the oldest still open), so a sweep of thousands of shards
   * costs the database a few queries a second, not thousands.
   */
  private async checkFailed(open: Map<string, EvaluationJob>): Promise<void> {
    for (const [id, job] of [...open].slice(0, CHECKED_PER_LOOK)) {
      const j = await this.db(() => this.boss.getJobById<EvaluationJob>(this.queue, id, { includeArchive: true }));
      open.delete(id);
      if (j?.state === 'failed' || j?.state === 'cancelled') {
        const why = (j.output as { message?: string } | null)?.message ?? 'no reason given';
        throw new ChipdseError(`job ${id.slice(0, 8)} (${describeJob(job)}) failed after ${j.retryCount + 1} tries: ${why}`);
      }
      // Still open: back to the end of the line.
      if (j && j.state !== 'completed') open.set(id, job);
    }
  }

  /** Takes jobs that are still queued off the queue (a stopped run or sweep leaves no work behind). */
  async cancel(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.boss.cancel(this.queue, ids).catch(() => {});
  }

  /**
   * Takes every job of a search run still queued, waiting to retry, or held by a worker off the
   * queue: a finished run leaves none behind, including those of an earlier coordinator of the
   * same run that died (a database restart, a kill) before its generation completed. A worker
   * still evaluating one finds its job cancelled, and stages nothing (the run is done).
   */
  async cancelRun(runId: number): Promise<void> {
    const { rows } = await this.db((p) =>
      p.query(`SELECT id FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry', 'active') AND data->>'kind' = 'search' AND data->>'runId' = $2::text`, [this.queue, runId]),
    );
    await this.cancel(rows.map((r) => r.id as string));
  }

  async close(): Promise<void> {
    await this.waiter.close();
    await stopBoss(this.boss);
    await this.pool.end().catch(() => {});
  }
}
