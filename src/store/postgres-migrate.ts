/** Creating and migrating the PostgreSQL store's schema: under an advisory lock, so two processes starting at once take turns. */
import type pg from 'pg';
import { ChipdseError } from '../errors.js';
import { MIGRATION_LOCK, PG_MIGRATIONS, PG_SCHEMA, PG_SCHEMA_VERSION } from './postgres-schema.js';

/** The schema's version: null when there is none yet (no schema, or an empty one); 'foreign' when `chipdse` holds someone else's tables. */
async function schemaVersion(c: pg.ClientBase): Promise<number | null | 'foreign'> {
  const { rows } = await c.query(
    `SELECT to_regclass('${PG_SCHEMA}.schema_version') IS NOT NULL AS versioned,
            (SELECT count(*) FROM pg_tables WHERE schemaname = '${PG_SCHEMA}')::int AS tables`,
  );
  if (!rows[0].versioned) return rows[0].tables > 0 ? 'foreign' : null;
  const v = await c.query(`SELECT version FROM ${PG_SCHEMA}.schema_version`);
  return v.rows.length === 1 ? v.rows[0].version : 'foreign';
}

function checkVersion(location: string, v: number | null | 'foreign'): void {
  if (v === 'foreign') throw new ChipdseError(`${location}: not a chipdse database (its schema "${PG_SCHEMA}" holds other tables); use another database`);
  if (v !== null && v > PG_SCHEMA_VERSION) throw new ChipdseError(`${location}: written by a newer chipdse (schema ${v}, this one reads up to ${PG_SCHEMA_VERSION})`);
}

/**
 * Brings the database's chipdse schema to this version: creates it when missing (unless `create`
 * is false: commands that only read), migrates an older one. The check and the work happen again
 * under the lock, from what is found there: another process may have done it meanwhile.
 */
export async function migrate(c: pg.ClientBase, location: string, create: boolean): Promise<void> {
  const first = await schemaVersion(c);
  checkVersion(location, first);
  if (first === PG_SCHEMA_VERSION) return;
  if (first === null && !create) throw new ChipdseError(`${location}: no chipdse runs in this database (a search creates them: chipdse search --storage URL)`);
  await c.query('BEGIN');
  try {
    await c.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    let v = await schemaVersion(c);
    checkVersion(location, v);
    if (v === null) {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${PG_SCHEMA}; CREATE TABLE ${PG_SCHEMA}.schema_version (version integer NOT NULL); INSERT INTO ${PG_SCHEMA}.schema_version VALUES (0)`);
      v = 0;
    }
    for (let n = (v as number) + 1; n <= PG_SCHEMA_VERSION; n++) {
      await c.query(PG_MIGRATIONS[n]);
      await c.query(`UPDATE ${PG_SCHEMA}.schema_version SET version = $1`, [n]);
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
