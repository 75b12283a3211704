/**
 * `chipdse worker`: a stateless process that takes jobs of distributed searches and sweeps from
 * the queue in a PostgreSQL database, evaluates them with the same code as a local run, stages the
 * results and repeats. It needs nothing but the database URL: the problems are in the database.
 * When the database goes away (restart, network), it waits and goes on when it is back, for up to
 * `giveUpSec`; a job it held meanwhile goes back to the queue at its timeout and is finished by
 * whoever takes it (results are staged once per design, so nothing is stored twice).
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import { queueName, queueVersion, startBoss, stopBoss } from '../queue/boss.js';
import { describeJob, type EvaluationJob } from '../queue/jobs.js';
import { registerWorker, workerDid, workerHeartbeat, workerStopped, WORKER_HEARTBEAT_MS } from '../queue/workers.js';
import { redactUrl } from '../store/address.js';
import { DatabaseUnavailableError, isUnavailable, newPool, pgError } from '../store/postgres-connect.js';
import { PgRunStore } from '../store/postgres.js';
import { TOOL_VERSION } from '../version.js';
import { doJob, JobRefused, ProblemCache } from './worker-jobs.js';

export interface WorkerOptions {
  url: string;
  /** Seconds between looks at an empty queue. */
  pollSec?: number;
  /** Exit after the queue has been empty this long (batch schedulers: the worker ends with the work). */
  idleExitSec?: number;
  /** Exit after this many jobs. */
  maxJobs?: number;
  /** Give up after the database has been unreachable this long (default 600 s). */
  giveUpSec?: number;
  /** One line for the log (stderr in the CLI); never carries a password. */
  log: (line: string) => void;
  /** Checked between jobs: true ends the worker (SIGTERM, SIGINT). */
  shouldStop?: () => boolean;
}

export interface WorkerSummary {
  id: number;
  jobs: number;
  designs: number;
  refused: number;
  reason: 'stopped' | 'idle' | 'max-jobs';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How often the other versions' queues are looked at, for the note about jobs this worker leaves to them. */
const OTHER_VERSIONS_EVERY_MS = 60_000;

class Worker {
  id = 0;
  jobs = 0;
  designs = 0;
  refused = 0;
  private readonly queue = queueName(TOOL_VERSION);
  private readonly cache = new ProblemCache();
  private readonly noted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private current: string | null = null;

  constructor(
    private readonly o: WorkerOptions,
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
  ) {}

  private log(line: string): void {
    this.o.log(`chipdse worker ${this.id}: ${line}`);
  }

  async start(): Promise<void> {
    this.id = await registerWorker(this.pool, hostname(), process.pid, TOOL_VERSION);
    this.log(`on ${hostname()} (pid ${process.pid}, chipdse ${TOOL_VERSION}), taking jobs from ${redactUrl(this.o.url)}`);
    this.timer = setInterval(() => void workerHeartbeat(this.pool, this.id, this.current).catch(() => {}), WORKER_HEARTBEAT_MS);
    this.timer.unref();
    await this.noteOtherVersions();
  }

  /** Says once per version that this worker leaves the queued jobs of runs of another chipdse version to workers of that version. */
  async noteOtherVersions(): Promise<void> {
    for (const q of await this.boss.getQueues()) {
      const v = queueVersion(q.name);
      if (v === undefined || q.name === this.queue || this.noted.has(v)) continue;
      const waiting = await this.boss.getQueueSize(q.name);
      if (waiting === 0) continue;
      this.noted.add(v);
      this.log(`leaving the ${waiting} queued jobs of chipdse ${v} runs alone: they were made by chipdse ${v} and this worker is ${TOOL_VERSION}, whose model may score designs differently (start a worker of chipdse ${v} for them)`);
    }
  }

  /** Takes one job and does it; false when the queue was empty. */
  async step(): Promise<boolean> {
    // fetch() answers [] when the database cannot be reached; the heartbeat below tells the two apart.
    const [job] = await this.boss.fetch<EvaluationJob>(this.queue, { batchSize: 1 });
    if (!job) {
      await workerHeartbeat(this.pool, this.id, null);
      return false;
    }
    const what = `job ${job.id.slice(0, 8)} (${describeJob(job.data)})`;
    this.current = what;
    this.log(`took ${what}`);
    await workerHeartbeat(this.pool, this.id, what).catch(() => {});
    try {
      const r = await doJob(this.pool, this.cache, job.data);
      await this.boss.complete(this.queue, job.id);
      await workerDid(this.pool, this.id, r.designs, r.seconds);
      this.jobs++;
      this.designs += r.designs;
      this.log(r.skipped ? `skipped ${what}: ${r.skipped}` : `done ${what}: ${r.designs} designs evaluated in ${r.seconds.toFixed(2)} s`);
    } catch (e) {
      if (isUnavailable(e)) throw e;
      // A refusal or an error of the model on this job: the job fails (pg-boss retries it, then
      // gives up, and the coordinator stops with this reason); the worker goes on with the next.
      const why = (e as Error)?.message ?? String(e);
      this.refused++;
      this.log(`${e instanceof JobRefused ? 'refused' : 'failed'} ${what}: ${why}`);
      await this.boss.fail(this.queue, job.id, { message: why });
    } finally {
      this.current = null;
    }
    return true;
  }

  /** Waits for the database to answer again; gives up after giveUpSec. */
  async outage(e: unknown): Promise<void> {
    const since = Date.now();
    const giveUp = (this.o.giveUpSec ?? 600) * 1000;
    this.log(`${(pgError(this.o.url, e) as Error).message}; waiting for it (up to ${Math.round(giveUp / 1000)} s)`);
    for (let delay = 500; ; delay = Math.min(5_000, delay * 2)) {
      await sleep(delay);
      try {
        await this.pool.query('SELECT 1');
        this.log(`the database answers again after ${((Date.now() - since) / 1000).toFixed(1)} s; going on`);
        return;
      } catch (err) {
        if (!isUnavailable(err)) throw pgError(this.o.url, err);
        if (Date.now() - since > giveUp) throw new DatabaseUnavailableError(`${redactUrl(this.o.url)}: the database could not be reached for ${Math.round(giveUp / 1000)} s; giving up (${(pgError(this.o.url, err) as Error).message})`);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.id) await workerStopped(this.pool, this.id).catch(() => {});
  }
}

export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  // The worker may start before any coordinator: it creates the schema if there is none.
  await (await PgRunStore.open(o.url)).close();
  // Two connections a worker (this pool and pg-boss's), against the server's max_connections.
  const pool = newPool(o.url, 1);
  let boss: PgBoss | undefined;
  let w: Worker | undefined;
  try {
    boss = await startBoss(o.url, TOOL_VERSION, { maintenanceSec: 30, connections: 1 });
    w = new Worker(o, pool, boss);
    await w.start();
    let idleSince = Date.now();
    let lastNote = Date.now();
    let reason: WorkerSummary['reason'] = 'stopped';
    while (!o.shouldStop?.()) {
      if (o.maxJobs !== undefined && w.jobs + w.refused >= o.maxJobs) {
        reason = 'max-jobs';
        break;
      }
      try {
        if (await w.step()) {
          idleSince = Date.now();
          continue;
        }
        if (Date.now() - lastNote > OTHER_VERSIONS_EVERY_MS) {
          lastNote = Date.now();
          await w.noteOtherVersions();
        }
      } catch (e) {
        if (!isUnavailable(e)) throw pgError(o.url, e);
        await w.outage(e);
        idleSince = Date.now();
        continue;
      }
      if (o.idleExitSec !== undefined && Date.now() - idleSince >= o.idleExitSec * 1000) {
        reason = 'idle';
        break;
      }
      await sleep((o.pollSec ?? 0.5) * 1000);
    }
    return { id: w.id, jobs: w.jobs, designs: w.designs, refused: w.refused, reason };
  } finally {
    await w?.stop();
    if (boss) await stopBoss(boss);
    await pool.end().catch(() => {});
  }
}
