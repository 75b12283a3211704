/**
 * Results on their way from workers to the coordinator (table chipdse.staged_results): a worker
 * stages a job's designs in one statement, keyed by (run, genome), so a job retried after its
 * worker died stages nothing twice; the coordinator takes a whole generation out at once and
 * stores it in the order it proposed it, whatever order the workers finished in.
 */
import type pg from 'pg';
import { genomeOfKey, metricsJsonOf, type StoredPoint } from '../results/point.js';
import { PG_SCHEMA } from '../store/postgres-schema.js';

const T = `${PG_SCHEMA}.staged_results`;
/** Notified (payload: the run id) when a worker stages results or a sweep shard: the coordinator wakes at once instead of at its next poll. */
export const STAGED_CHANNEL = 'chipdse_staged';

/**
 * Stages a job's results, unless the run is finished: the run's row is share-locked meanwhile, so
 * a coordinator marking it done waits for this to commit, and clears staging only after that.
 */
export async function stageResults(db: pg.Pool | pg.ClientBase, runId: number, points: StoredPoint[]): Promise<void> {
  await db.query(
    `WITH run AS (
       SELECT id FROM ${PG_SCHEMA}.runs WHERE id = $1 AND status <> 'done' FOR SHARE
     ), staged AS (
       INSERT INTO ${T} (run_id, genome, feasible, violation, reasons_json, objectives_json, params_json, metrics_json)
       SELECT $1, t.* FROM json_to_recordset($2::json) AS t(genome text, feasible int, violation float8, reasons text, objectives text, params text, metrics text)
       WHERE EXISTS (SELECT 1 FROM run)
       ON CONFLICT (run_id, genome) DO NOTHING RETURNING 1
     )
     SELECT pg_notify('${STAGED_CHANNEL}', $1::text), (SELECT count(*) FROM staged)`,
    [runId, JSON.stringify(points.map((p) => ({ genome: p.key, feasible: p.feasible ? 1 : 0, violation: p.violation, reasons: JSON.stringify(p.reasons), objectives: JSON.stringify(p.objectives), params: p.paramsJson, metrics: metricsJsonOf(p) })))],
  );
}

/** Which of these designs of a run are staged. */
export async function stagedKeys(db: pg.Pool | pg.ClientBase, runId: number, keys: string[]): Promise<Set<string>> {
  const { rows } = await db.query(`SELECT genome FROM ${T} WHERE run_id = $1 AND genome = ANY($2::text[])`, [runId, keys]);
  return new Set(rows.map((r) => r.genome as string));
}

/** How many of these designs of a run are staged. */
export async function countStaged(db: pg.Pool | pg.ClientBase, runId: number, keys: string[]): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${T} WHERE run_id = $1 AND genome = ANY($2::text[])`, [runId, keys]);
  return rows[0].n;
}

/**
 * Takes these designs' results out of staging, in the order of `keys` (every key must be staged).
 * Taken, not copied: a coordinator that dies before storing them has them evaluated again.
 */
export async function takeStaged(db: pg.Pool | pg.ClientBase, runId: number, keys: string[]): Promise<StoredPoint[]> {
  const { rows } = await db.query(`DELETE FROM ${T} WHERE run_id = $1 AND genome = ANY($2::text[]) RETURNING *`, [runId, keys]);
  const byKey = new Map(rows.map((r) => [r.genome as string, r]));
  return keys.map((key) => {
    const r = byKey.get(key);
    if (!r) throw new Error(`design ${key} of run ${runId} is not staged`);
    return {
      key,
      genome: genomeOfKey(key),
      feasible: r.feasible === 1,
      violation: r.violation,
      reasons: JSON.parse(r.reasons_json),
      objectives: JSON.parse(r.objectives_json),
      paramsJson: r.params_json,
      metricsJson: r.metrics_json,
    };
  });
}

/** Drops a run's staged results (a finished run has no use for designs evaluated past its end). */
export async function clearStaged(db: pg.Pool | pg.ClientBase, runId: number): Promise<void> {
  await db.query(`DELETE FROM ${T} WHERE run_id = $1`, [runId]);
}
