/** The run writers' claims in a SQLite store (table run_writers; see claims.ts for the rules). */
import type Database from 'better-sqlite3';
import { claimBlocks, lostClaimError, newClaimToken, RunBusyError, type RunClaim, type RunHolder } from './claims.js';

interface ClaimRow {
  token: string;
  pid: number;
  host: string;
  since: string;
  heartbeat_ms: number;
}

export function readClaim(db: Database.Database, runId: number): RunClaim | undefined {
  const r = db.prepare('SELECT token, pid, host, since, heartbeat_ms FROM run_writers WHERE run_id = ?').get(runId) as ClaimRow | undefined;
  return r && { token: r.token, pid: r.pid, host: r.host, since: r.since, heartbeatAgeSec: Math.max(0, (Date.now() - r.heartbeat_ms) / 1000) };
}

function runName(db: Database.Database, runId: number): string {
  return (db.prepare('SELECT name FROM runs WHERE id = ?').get(runId) as { name: string } | undefined)?.name ?? `#${runId}`;
}

/** Takes the run for `holder` under a new token (inside the caller's write transaction); throws while a live holder has it. */
export function takeClaim(db: Database.Database, location: string, runId: number, mine: string | undefined, holder: RunHolder): string {
  const stored = readClaim(db, runId);
  if (claimBlocks(stored, mine)) throw new RunBusyError(location, runName(db, runId), stored!);
  const token = newClaimToken();
  const { pid, host } = holder;
  db.prepare('INSERT INTO run_writers (run_id, token, pid, host, since, heartbeat_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host, since = excluded.since, heartbeat_ms = excluded.heartbeat_ms').run(
    runId,
    token,
    pid,
    host,
    new Date().toISOString(),
    Date.now(),
  );
  return token;
}

/**
 * Before a write to a run (inside its transaction): refused while another live handle holds the
 * run; this handle's own claim is renewed.
 */
export function checkWriter(db: Database.Database, location: string, runId: number, mine: string | undefined): void {
  const stored = readClaim(db, runId);
  if (claimBlocks(stored, mine)) throw mine === undefined ? new RunBusyError(location, runName(db, runId), stored!) : lostClaimError(location, runName(db, runId), stored!);
  if (mine !== undefined) renewClaim(db, runId, mine);
}

export function renewClaim(db: Database.Database, runId: number, token: string): void {
  db.prepare('UPDATE run_writers SET heartbeat_ms = ? WHERE run_id = ? AND token = ?').run(Date.now(), runId, token);
}

export function dropClaim(db: Database.Database, runId: number, token: string): void {
  db.prepare('DELETE FROM run_writers WHERE run_id = ? AND token = ?').run(runId, token);
}
