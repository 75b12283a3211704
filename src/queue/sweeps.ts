/**
 * A distributed sweep in the database (tables chipdse.sweeps and sweep_shards): its problem by
 * content, so a worker needs nothing but the URL, and each shard's counts and front once a worker
 * evaluated it (kept once: a retried shard writes the same row again).
 */
import type pg from 'pg';
import { PG_SCHEMA } from '../store/postgres-schema.js';
import { STAGED_CHANNEL } from './staging.js';

const S = `${PG_SCHEMA}.sweeps`;
const SH = `${PG_SCHEMA}.sweep_shards`;
/** A sweep whose coordinator has been silent this long is abandoned: the next coordinator deletes it. */
export const SWEEP_ABANDONED_SEC = 600;

/** A design of a shard's front (src/search/sweep.ts's SweepPoint, as plain data). */
export interface ShardPoint {
  index: number;
  key: string;
  objectives: number[];
  /** Designs of the shard with the same objectives, left off its front for this one. */
  twins: number;
}

export interface ShardResult {
  shard: number;
  evaluated: number;
  feasible: number;
  invalid: number;
  worst: number[];
  front: ShardPoint[];
}

export async function createSweep(db: pg.Pool, o: { spaceJson: string; workloadsJson: string; toolVersion: string; designs: number; pid: number; host: string }): Promise<number> {
  await db.query(`DELETE FROM ${S} WHERE heartbeat_at < now() - make_interval(secs => $1)`, [SWEEP_ABANDONED_SEC]);
  const { rows } = await db.query(`INSERT INTO ${S} (space_json, workloads_json, tool_version, designs, pid, host, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id`, [o.spaceJson, o.workloadsJson, o.toolVersion, o.designs, o.pid, o.host]);
  return rows[0].id;
}

export async function sweepHeartbeat(db: pg.Pool, id: number): Promise<void> {
  await db.query(`UPDATE ${S} SET heartbeat_at = now() WHERE id = $1`, [id]);
}

export async function deleteSweep(db: pg.Pool, id: number): Promise<void> {
  await db.query(`DELETE FROM ${S} WHERE id = $1`, [id]);
}

/** A sweep's problem as stored, or undefined when the sweep is gone (finished or abandoned). */
export async function loadSweep(db: pg.Pool, id: number): Promise<{ spaceJson: string; workloadsJson: string; toolVersion: string } | undefined> {
  const { rows } = await db.query(`SELECT space_json, workloads_json, tool_version FROM ${S} WHERE id = $1`, [id]);
  return rows[0] && { spaceJson: rows[0].space_json, workloadsJson: rows[0].workloads_json, toolVersion: rows[0].tool_version };
}

export async function saveShard(db: pg.Pool, sweepId: number, r: ShardResult): Promise<void> {
  await db.query(
    `WITH saved AS (
       INSERT INTO ${SH} (sweep_id, shard, evaluated, feasible, invalid, worst_json, front_json)
       SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM ${S} WHERE id = $1)
       ON CONFLICT (sweep_id, shard) DO NOTHING RETURNING 1
     )
     SELECT pg_notify('${STAGED_CHANNEL}', 'sweep ' || $1::text), (SELECT count(*) FROM saved)`,
    [sweepId, r.shard, r.evaluated, r.feasible, r.invalid, JSON.stringify(r.worst), JSON.stringify(r.front)],
  );
}

export async function countShards(db: pg.Pool, sweepId: number): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${SH} WHERE sweep_id = $1`, [sweepId]);
  return rows[0].n;
}

export async function loadShards(db: pg.Pool, sweepId: number): Promise<ShardResult[]> {
  const { rows } = await db.query(`SELECT * FROM ${SH} WHERE sweep_id = $1 ORDER BY shard`, [sweepId]);
  return rows.map((r) => ({ shard: r.shard, evaluated: r.evaluated, feasible: r.feasible, invalid: r.invalid, worst: JSON.parse(r.worst_json), front: JSON.parse(r.front_json) }));
}
