import pg from 'pg';

/**
 * The PostgreSQL server the tests use: CHIPDSE_TEST_PG, the URL of a database on it from which the
 * tests may create and drop databases of their own (postgresql://USER@127.0.0.1:5432/postgres).
 * Without it the PostgreSQL tests are skipped, and jest's global setup says so in one line; with
 * CHIPDSE_TEST_PG_REQUIRED=1 (.ci/run sets it) a missing or unreachable server fails them instead.
 */
export const PG_URL = process.env.CHIPDSE_TEST_PG || undefined;
const REQUIRED = process.env.CHIPDSE_TEST_PG_REQUIRED === '1';

if (REQUIRED && !PG_URL) throw new Error('CHIPDSE_TEST_PG_REQUIRED=1 but CHIPDSE_TEST_PG is not set: the PostgreSQL tests must run');

/** `describe` for tests that need the server: skipped without one. */
export const describePg: jest.Describe = PG_URL ? describe : describe.skip;

/** The URL of database `name` on the test server. */
export function databaseUrl(name: string): string {
  const u = new URL(PG_URL!);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let made = 0;

/** A new, empty database with a name no other test uses; returns its URL. */
export async function createTestDatabase(prefix = 'chipdse_test'): Promise<string> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${made++}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return databaseUrl(name);
}

/** Drops a database made by createTestDatabase, closing whatever is still connected to it. */
export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Runs one statement on a database (for tests that look or tamper behind the store's back). */
export async function sql<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}
