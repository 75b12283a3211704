import type Database from 'better-sqlite3';
import { unpackMetrics } from '../../src/results/packed-metrics.js';
import { objectivesOfBlob } from '../../src/store/sqlite-objectives.js';

type Row = Record<string, unknown>;

/** A run's metric shapes by id (none in a file of schema 4 or older). */
export function shapesOf(d: Database.Database, runId: number): Map<number, string> {
  const has = d.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'metric_shapes'").get();
  if (!has) return new Map();
  return new Map((d.prepare('SELECT id, shape_json FROM metric_shapes WHERE run_id = ?').all(runId) as { id: number; shape_json: string }[]).map((r) => [r.id, r.shape_json]));
}

/** An evaluation row's metrics as JSON text, whether stored as JSON (schema 4 and older) or packed (schema 5); null for an invalid design. */
export function metricsJsonOfRow(row: Row, shapes: Map<number, string>): string | null {
  if (row.metrics_packed != null) return JSON.stringify(unpackMetrics(shapes.get(row.metrics_shape as number)!, row.metrics_packed as Uint8Array));
  return (row.metrics_json as string | null) ?? null;
}

/** An evaluation row's objectives as JSON text, whether stored as JSON (schema 5 and older) or as float64 numbers (schema 6). */
export function objectivesJsonOfRow(row: Row): string {
  return row.objectives_json instanceof Uint8Array ? JSON.stringify(objectivesOfBlob(row.objectives_json)) : (row.objectives_json as string);
}

/** A run's reason lists by id (none in a file of schema 5 or older). */
export function reasonListsOf(d: Database.Database, runId: number): Map<number, string> {
  const has = d.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reason_lists'").get();
  if (!has) return new Map();
  return new Map((d.prepare('SELECT id, reasons_json FROM reason_lists WHERE run_id = ?').all(runId) as { id: number; reasons_json: string }[]).map((r) => [r.id, r.reasons_json]));
}

/** An evaluation row's reasons as JSON text, whether stored as JSON (schema 5 and older) or as the id of a reason list (schema 6). */
export function reasonsJsonOfRow(row: Row, lists: Map<number, string>): string {
  if (!(row.reasons_json instanceof Uint8Array)) return row.reasons_json as string;
  return lists.get(Buffer.from(row.reasons_json).readUInt32LE(0))!;
}

/** Turns a file of schema 6 back into what chipdse wrote at schema 5: objectives and reasons as JSON text, no reason lists. */
export function downgradeToSchema5(d: Database.Database): void {
  const rows = d.prepare("SELECT run_id, seq, objectives_json, reasons_json FROM evaluations WHERE typeof(objectives_json) = 'blob' OR typeof(reasons_json) = 'blob'").all() as Row[];
  const set = d.prepare('UPDATE evaluations SET objectives_json = ?, reasons_json = ? WHERE run_id = ? AND seq = ?');
  const lists = new Map<number, Map<number, string>>();
  for (const r of rows) {
    const runId = r.run_id as number;
    if (!lists.has(runId)) lists.set(runId, reasonListsOf(d, runId));
    set.run(objectivesJsonOfRow(r), reasonsJsonOfRow(r, lists.get(runId)!), runId, r.seq);
  }
  d.exec('DROP TABLE reason_lists; PRAGMA user_version = 5;');
}

/** Turns a file of schema 6 back into what chipdse wrote at schema 4: objectives and metrics as JSON, no shapes. The caller sets user_version. */
export function downgradeToSchema4(d: Database.Database): void {
  downgradeToSchema5(d);
  const rows = d.prepare('SELECT run_id, seq, metrics_json, metrics_shape, metrics_packed FROM evaluations WHERE metrics_packed IS NOT NULL').all() as Row[];
  const set = d.prepare('UPDATE evaluations SET metrics_json = ? WHERE run_id = ? AND seq = ?');
  const shapes = new Map<number, Map<number, string>>();
  for (const r of rows) {
    const runId = r.run_id as number;
    if (!shapes.has(runId)) shapes.set(runId, shapesOf(d, runId));
    set.run(metricsJsonOfRow(r, shapes.get(runId)!), runId, r.seq);
  }
  d.exec('DROP TABLE metric_shapes; ALTER TABLE evaluations DROP COLUMN metrics_shape; ALTER TABLE evaluations DROP COLUMN metrics_packed; PRAGMA user_version = 4;');
}
