/** Connections to PostgreSQL, and its failures as one line naming the database (never its password). */
import pg from 'pg';
import { ChipdseError } from '../errors.js';
import { redactUrl, scrubSecrets } from './address.js';

/** bigint (int8) as a JS number: the ids, counts and seeds stored here stay far below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

/** How long opening a connection may take before it is a failure. */
const CONNECT_TIMEOUT_MS = 15_000;

export function connectionConfig(url: string): pg.ClientConfig {
  return { connectionString: url, application_name: 'chipdse', connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, types };
}

/** The database went away or cannot be reached: a worker waits and tries again; a coordinator stops and can be resumed. */
export class DatabaseUnavailableError extends ChipdseError {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** SQLSTATE classes and codes, and socket errors, that mean the server is gone or not reachable now. */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection error|not queryable|timeout expired|Client was closed|terminating connection|the database system is (starting up|shutting down|in recovery mode)/i;

export function isUnavailable(e: unknown): boolean {
  if (e instanceof DatabaseUnavailableError) return true;
  const code = String((e as { code?: unknown })?.code ?? '');
  return UNAVAILABLE_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_MESSAGES.test(String((e as Error)?.message ?? ''));
}

/**
 * A PostgreSQL failure a user can act on, as one line naming the database without its password;
 * anything else (a bug) comes back as it was, with any secret of the URL scrubbed from its message.
 */
export function pgError(url: string, e: unknown): unknown {
  if (e instanceof ChipdseError) return e;
  const where = redactUrl(url);
  const code = String((e as { code?: unknown })?.code ?? '');
  const why = scrubSecrets(String((e as Error)?.message ?? e), url);
  if (isUnavailable(e)) return new DatabaseUnavailableError(`${where}: the database cannot be reached (${why})`);
  if (code === '28P01' || code === '28000') return new ChipdseError(`${where}: the server refused the login (${why}); give the password in PGPASSWORD or ~/.pgpass rather than in the URL`);
  if (code === '3D000') return new ChipdseError(`${where}: no such database (${why}); create it first (createdb NAME)`);
  if (code === '42501') return new ChipdseError(`${where}: not allowed (${why}); the user needs the rights to create a schema and tables in this database`);
  if (code.startsWith('53')) return new ChipdseError(`${where}: the server is out of resources (${why}); nothing of the last write was stored`);
  if (e instanceof Error && why !== e.message) e.message = why;
  return e;
}

/** An open connection, or a one-line error. Its `error` event (a connection lost while idle) is caught: the next query reports it. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client(connectionConfig(url));
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw pgError(url, e);
  }
  return client;
}

/** A pool of connections (for workers and the queue's coordinator side), its idle errors caught as above. */
export function newPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(url), max });
  pool.on('error', () => {});
  return pool;
}
