/**
 * The job queue: pg-boss (https://github.com/timgit/pg-boss, 10.x, the last release for Node 20)
 * in its own schema of the run database, so the one service a team runs is PostgreSQL. A search's
 * coordinator enqueues each generation as jobs of many designs, a sweep its shards; `chipdse
 * worker` processes fetch them one at a time. A job a worker took and did not finish (killed,
 * machine lost) goes back to the queue when its timeout passes (pg-boss's expiry, checked by the
 * maintenance of any running instance), up to RETRY_LIMIT times.
 */
import PgBoss from 'pg-boss';
import { scrubSecrets } from '../store/address.js';
import { newPool } from '../store/postgres-connect.js';

/** pg-boss's tables live here, apart from a team's own pg-boss of another version. */
export const QUEUE_SCHEMA = 'chipdse_queue';
/** Attempts of a job before it fails for good (a worker killed that often on one job says more than a retry would). */
export const RETRY_LIMIT = 5;

/**
 * One queue per chipdse version: a worker takes only jobs its own model can evaluate, so a run is
 * never scored by two versions. (A worker also checks each job's run; see src/search/worker-loop.ts.)
 */
export function queueName(toolVersion: string): string {
  return `chipdse-evaluate-${toolVersion.replace(/[^\w.-]/g, '_')}`;
}

/** The version a queue name is for, or undefined for a queue that is not one of ours. */
export function queueVersion(name: string): string | undefined {
  return name.startsWith('chipdse-evaluate-') ? name.slice('chipdse-evaluate-'.length) : undefined;
}

export interface BossOptions {
  /** How often this instance checks for expired jobs (seconds): the retry latency after a worker dies. */
  maintenanceSec: number;
  /** Connections pg-boss may hold (a worker needs one; every connection counts against the server's max_connections). */
  connections: number;
  /** Where pg-boss's background errors go (already scrubbed of secrets); a lost connection shows up in our own queries too. */
  onError?: (message: string) => void;
}

/** Serializes queue set-up across processes: pg-boss creates its schema under its own lock; ours covers creating the queue too. */
const SETUP_LOCK = `hashtextextended('${QUEUE_SCHEMA}.setup', 0)`;

/** A started pg-boss with the queue of `toolVersion` created. */
export async function startBoss(url: string, toolVersion: string, o: BossOptions): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, schema: QUEUE_SCHEMA, max: o.connections, application_name: 'chipdse-queue', schedule: false, supervise: true, maintenanceIntervalSeconds: Math.max(1, Math.round(o.maintenanceSec)) });
  boss.on('error', (e) => o.onError?.(scrubSecrets(String((e as Error)?.message ?? e), url)));
  const pool = newPool(url, 1);
  const lock = await pool.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(${SETUP_LOCK})`);
    await boss.start();
    await boss.createQueue(queueName(toolVersion));
  } catch (e) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw e;
  } finally {
    await lock.query(`SELECT pg_advisory_unlock(${SETUP_LOCK})`).catch(() => {});
    lock.release();
    await pool.end();
  }
  return boss;
}

export async function stopBoss(boss: PgBoss): Promise<void> {
  await boss.stop({ graceful: false, timeout: 1000 }).catch(() => {});
}
