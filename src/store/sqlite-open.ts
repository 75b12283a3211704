/**
 * Opening a SQLite file as a chipdse store: for writing (created if missing, switched to WAL,
 * migrated to this schema) or only for reading (never changed, and readable in a folder the
 * user cannot write). Whatever is wrong with the file (another program's, a newer chipdse's, a
 * half-upgraded or damaged one) is one line naming it.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChipdseError } from '../errors.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema.js';

// Lets a reader open a file with SQLite's `immutable` flag (see openForReading); only names that
// start with "file:" are read as URIs, and the store opens files by absolute path. Read by the
// SQLite addon when it loads, with the first database opened.
process.env.SQLITE_USE_URI ??= '1';

/**
 * The page size of a new store file (SQLite's default is 4,096 bytes). A stored run appends rows
 * of about 475 bytes to three B-trees and writes every page it changed twice (to the write-ahead
 * log, then to the file); with 16 KiB pages saveGeneration of 10^6 rows took 2.30-2.48 us of CPU a
 * row against 2.58-2.79 with 4 KiB (8 KiB: 2.48-2.56, 32 KiB: 2.43-2.44, 64 KiB: 2.53-2.58;
 * bench/NOTES.md, "Stored runs within 2x of the sweep's CPU"). Files made before keep their page
 * size: it is how the file is laid out, not what it holds.
 */
export const PAGE_SIZE = 16384;

/** How long a command waits for another process's write to finish before it gives up. */
export const BUSY_TIMEOUT_MS = 10_000;

const codeOf = (e: unknown): string => String((e as { code?: unknown })?.code ?? '');

/** SQLite failures, as one line naming the file; anything else is rethrown as it is. */
export function storeError(file: string, e: unknown): unknown {
  const code = codeOf(e);
  if (!code.startsWith('SQLITE_')) return e;
  const why = (e as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new ChipdseError(`${file}: the database stayed locked by another process for too long (${why}); try again`);
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) return new ChipdseError(`${file}: not a chipdse database, or a damaged one (${why})`);
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) return new ChipdseError(`${file}: cannot write the database (${why})`);
  if (code.startsWith('SQLITE_FULL') || code.startsWith('SQLITE_IOERR')) return new ChipdseError(`${file}: cannot write the database (${why}); nothing of the last generation was stored`);
  return new ChipdseError(`${file}: the database does not hold what chipdse expects (${why}); a damaged database?`);
}

interface FileState {
  appId: number;
  version: number;
  tables: number;
}

/** The file's application id, schema version and table count, in one read transaction (one moment, even while another process migrates it). */
function readState(db: Database.Database): FileState {
  return db.transaction(() => ({
    appId: db.pragma('application_id', { simple: true }) as number,
    version: db.pragma('user_version', { simple: true }) as number,
    tables: (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n,
  }))();
}

/** Throws when the file is another program's database or a newer chipdse's. */
function checkVersion(file: string, s: FileState): void {
  if (s.appId !== APPLICATION_ID && (s.tables > 0 || s.version > 0)) throw new ChipdseError(`${file}: not a chipdse database (it has other tables); choose another file with --db`);
  if (s.version > SCHEMA_VERSION) throw new ChipdseError(`${file}: written by a newer chipdse (schema ${s.version}, this one reads up to ${SCHEMA_VERSION})`);
}

let expected: Map<string, string[]> | undefined;

/** Every table of this schema and its columns, from the migrations run on an empty database. */
function expectedTables(): Map<string, string[]> {
  if (expected) return expected;
  const db = new Database(':memory:');
  try {
    for (let v = 1; v <= SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    expected = tableColumns(db);
  } finally {
    db.close();
  }
  return expected;
}

function tableColumns(db: Database.Database): Map<string, string[]> {
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
  return new Map(names.map((t) => [t, (db.pragma(`table_info(${JSON.stringify(t)})`) as { name: string }[]).map((c) => c.name)]));
}

/** Throws when a file of this schema version lacks a table or a column of it (a file marked as chipdse's that is not, or a half-upgraded one). */
function checkTables(file: string, db: Database.Database): void {
  const have = db.transaction(() => tableColumns(db))();
  for (const [table, columns] of expectedTables()) {
    const found = have.get(table);
    const missing = found ? columns.find((c) => !found.includes(c)) : undefined;
    if (!found || missing) throw new ChipdseError(`${file}: marked as a chipdse database of schema ${SCHEMA_VERSION}, but ${found ? `table ${table} has no column ${missing}` : `it has no table ${table}`}: a damaged or half-upgraded database; choose another file with --db`);
  }
}

/** Opens the file; failures as one line. */
function open(file: string, opts: Database.Options): Database.Database {
  try {
    const db = new Database(file, { timeout: BUSY_TIMEOUT_MS, ...opts });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (e) {
    throw new ChipdseError(`${file}: cannot open as a SQLite database (${(e as Error).message})`);
  }
}

/** Runs `f` on an open database; on failure the database is closed and the failure is one line. */
function guarded<T>(file: string, db: Database.Database, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (db.open) db.close();
    throw storeError(file, e);
  }
}

/**
 * A store file opened for writing: created with its folder when missing, switched to WAL once it
 * is known to be chipdse's (or empty), and brought to this schema version.
 */
export function openForWriting(file: string): Database.Database {
  if (file !== ':memory:' && !existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
  const db = open(file, {});
  guarded(file, db, () => db.pragma('foreign_keys = ON'));
  let state: FileState;
  try {
    state = readState(db);
  } catch (e) {
    db.close();
    throw codeOf(e).startsWith('SQLITE_NOTADB') ? new ChipdseError(`${file}: not a chipdse database (${(e as Error).message})`) : storeError(file, e);
  }
  guarded(file, db, () => {
    checkVersion(file, state);
    // A new file only: the page size of a file is fixed once its first table is written.
    if (state.tables === 0 && state.version === 0) db.pragma(`page_size = ${PAGE_SIZE}`);
    // Only now, with the file known to be ours or empty: WAL lets readers run beside a writer.
    if (file !== ':memory:') enableWal(db);
  });
  if (state.version < SCHEMA_VERSION) migrate(file, db);
  guarded(file, db, () => checkTables(file, db));
  return db;
}

/**
 * Brings the file to this schema version, under the write lock, from the version found there:
 * another process may have created or migrated the store since the first look (two searches
 * started at once on a new file).
 */
function migrate(file: string, db: Database.Database): void {
  let from = 0;
  guarded(file, db, () => {
    try {
      db.transaction(() => {
        from = db.pragma('user_version', { simple: true }) as number;
        checkVersion(file, { appId: db.pragma('application_id', { simple: true }) as number, version: from, tables: (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n });
        for (let v = from + 1; v <= SCHEMA_VERSION; v++) {
          db.exec(MIGRATIONS[v]);
          db.pragma(`application_id = ${APPLICATION_ID}`);
          db.pragma(`user_version = ${v}`);
        }
      }).immediate();
    } catch (e) {
      const code = codeOf(e);
      if (e instanceof ChipdseError || !code.startsWith('SQLITE_') || /^SQLITE_(BUSY|LOCKED|READONLY|CANTOPEN|PERM|FULL|IOERR)/.test(code)) throw e;
      throw new ChipdseError(`${file}: cannot upgrade it from schema ${from} to ${SCHEMA_VERSION} (${(e as Error).message}): a damaged or half-upgraded database`);
    }
  });
}

/**
 * Switches a new file to WAL. The switch needs the file to itself and SQLite answers "busy" at
 * once, without waiting, when another process opens the same new file at that moment: retry.
 */
function enableWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if (!codeOf(e).startsWith('SQLITE_BUSY') || Date.now() > deadline) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(50, 2 + attempt * 2));
    }
  }
}

/**
 * A store file opened only for reading: never changed (no WAL switch, no migration: a file of an
 * older schema is upgraded once by opening it for writing, when that is allowed). A WAL file in a
 * folder the user cannot write has no -shm file to share and cannot get one: it is then opened
 * as immutable, which is sound there, since no process can write it either (a writer would need
 * the -wal file in that folder).
 */
export function openForReading(file: string): Database.Database {
  let r: Readable;
  try {
    r = readable(file);
  } catch (e) {
    if (!/^SQLITE_(READONLY|CANTOPEN)/.test(codeOf(e))) throw unreadable(file, e);
    try {
      r = readable(`${pathToFileURL(resolve(file)).href}?immutable=1`);
    } catch {
      throw unreadable(file, e);
    }
  }
  return checked(file, r);
}

interface Readable {
  db: Database.Database;
  state: FileState;
}

/** Opened read-only and read once (a WAL file's -shm file is opened at the first read); SQLite's own errors. */
function readable(name: string): Readable {
  const db = new Database(name, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return { db, state: readState(db) };
  } catch (e) {
    db.close();
    throw e;
  }
}

function unreadable(file: string, e: unknown): ChipdseError {
  const code = codeOf(e);
  const why = (e as Error).message;
  if (code.startsWith('SQLITE_NOTADB')) return new ChipdseError(`${file}: not a chipdse database (${why})`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_CORRUPT')) return storeError(file, e) as ChipdseError;
  return new ChipdseError(`${file}: cannot open the database to read it (${why})`);
}

function checked(file: string, { db, state }: Readable): Database.Database {
  guarded(file, db, () => checkVersion(file, state));
  if (state.version < SCHEMA_VERSION) {
    // Upgraded once, by a connection that may write; then read as any other.
    db.close();
    try {
      openForWriting(file).close();
    } catch (e) {
      if (!(e instanceof ChipdseError) || !/cannot (write|open)/.test(e.message)) throw e;
      throw new ChipdseError(`${file}: written by an older chipdse (schema ${state.version}); reading it takes a one-time upgrade to schema ${SCHEMA_VERSION}, which needs write access to the file and its folder`);
    }
    return openForReading(file);
  }
  guarded(file, db, () => checkTables(file, db));
  return db;
}
