/** The run writers' claims in a PostgreSQL store (table run_writers; see claims.ts for the rules). Times are the server's. */
import type pg from 'pg';
import { claimBlocks, lostClaimError, newClaimToken, RunBusyError, type RunClaim, type RunHolder } from './claims.js';
import { PG_SCHEMA } from './postgres-schema.js';

const T = `${PG_SCHEMA}.run_writers`;

/** The run's claim, locked for the caller's transaction when `lock` (so two claimants take turns). */
export async function readClaim(c: pg.ClientBase, runId: number, lock = false): Promise<RunClaim | undefined> {
  const { rows } = await c.query(`SELECT token, pid, host, since, EXTRACT(EPOCH FROM now() - heartbeat_at)::float8 AS age FROM ${T} WHERE run_id = $1${lock ? ' FOR UPDATE' : ''}`, [runId]);
  const r = rows[0];
  return r && { token: r.token, pid: r.pid, host: r.host, since: r.since, heartbeatAgeSec: Math.max(0, r.age) };
}

async function runName(c: pg.ClientBase, runId: number): Promise<string> {
  const { rows } = await c.query(`SELECT name FROM ${PG_SCHEMA}.runs WHERE id = $1`, [runId]);
  return rows[0]?.name ?? `#${runId}`;
}

/** Takes the run for `holder` under a new token (inside the caller's transaction); throws while a live holder has it. */
export async function takeClaim(c: pg.ClientBase, location: string, runId: number, mine: string | undefined, holder: RunHolder): Promise<string> {
  // The run row is locked first: two claims of a run that has no claim row yet take turns on it.
  await c.query(`SELECT id FROM ${PG_SCHEMA}.runs WHERE id = $1 FOR UPDATE`, [runId]);
  const stored = await readClaim(c, runId, true);
  if (claimBlocks(stored, mine)) throw new RunBusyError(location, await runName(c, runId), stored!);
  const token = newClaimToken();
  const { pid, host } = holder;
  await c.query(
    `INSERT INTO ${T} (run_id, token, pid, host, since, heartbeat_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (run_id) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host, since = excluded.since, heartbeat_at = excluded.heartbeat_at`,
    [runId, token, pid, host, new Date().toISOString()],
  );
  return token;
}

/** Before a write to a run (inside its transaction): refused while another live handle holds it; this handle's own claim is renewed. */
export async function checkWriter(c: pg.ClientBase, location: string, runId: number, mine: string | undefined): Promise<void> {
  const stored = await readClaim(c, runId, true);
  if (claimBlocks(stored, mine)) throw mine === undefined ? new RunBusyError(location, await runName(c, runId), stored!) : lostClaimError(location, await runName(c, runId), stored!);
  if (mine !== undefined) await renewClaim(c, runId, mine);
}

export async function renewClaim(c: pg.ClientBase, runId: number, token: string): Promise<void> {
  await c.query(`UPDATE ${T} SET heartbeat_at = now() WHERE run_id = $1 AND token = $2`, [runId, token]);
}

export async function dropClaim(c: pg.ClientBase, runId: number, token: string): Promise<void> {
  await c.query(`DELETE FROM ${T} WHERE run_id = $1 AND token = $2`, [runId, token]);
}
