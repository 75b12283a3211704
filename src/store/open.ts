import { ChipdseError } from '../errors.js';
import type { RunRow } from '../results/run.js';
import { displayAddress, MEMORY_PREFIX, parseStoreAddress } from './address.js';
import { MemoryRunStore } from './memory.js';
import { PgRunStore } from './postgres.js';
import { SqliteRunStore } from './sqlite.js';
import type { RunStore } from './store.js';

export { MEMORY_PREFIX };

/**
 * Why runs stored at `address` would not outlive the process, or undefined for a file (or server)
 * that keeps them. The command line refuses such an address (a search that prints "done" must have
 * stored its run); a program may use `memory:` on purpose.
 */
export function unkeptReason(address: string): string | undefined {
  if (address.trim() === '') return 'names no file (SQLite would use a temporary database, deleted when the command ends)';
  if (address === ':memory:' || address.startsWith(MEMORY_PREFIX)) return 'is a database in memory, gone when the command ends';
  return undefined;
}

/** How a store is opened. */
export interface OpenOptions {
  /** false: the store must exist (commands that read runs, or add to them). */
  create?: boolean;
  /** Only to read: the file is opened read-only (readable in a folder the user cannot write) and every write is refused. */
  readOnly?: boolean;
}

/**
 * The store at an address (see address.ts): `memory:` or `memory:NAME` in this process's memory,
 * a `postgresql://` URL a PostgreSQL database, anything else (a path or a `sqlite:` URL) a SQLite
 * file. Created (file and folder, or schema) unless `create` is false, for commands that only read.
 */
export async function openStore(address: string, opts: OpenOptions = {}): Promise<RunStore> {
  const a = parseStoreAddress(address);
  switch (a.kind) {
    case 'memory':
      return new MemoryRunStore(a.name, { readOnly: opts.readOnly });
    case 'postgresql':
      return PgRunStore.open(a.url, opts);
    case 'sqlite':
      return new SqliteRunStore(a.file, opts);
  }
}

/**
 * An existing store and one of its runs, for commands that read a run (front, export, chart,
 * report, detail): a missing file or run is a one-line error listing what there is.
 */
export async function openRun(address: string, name: string, opts: Pick<OpenOptions, 'readOnly'> = {}): Promise<{ store: RunStore; run: RunRow }> {
  const store = await openStore(address, { create: false, readOnly: opts.readOnly });
  try {
    const run = await store.getRun(name);
    if (run) return { store, run };
    const names = (await store.listRuns()).map((r) => r.name);
    throw new ChipdseError(`${displayAddress(address)}: no run named "${name}"${names.length ? ` (runs: ${names.join(', ')})` : ' (the database has no runs)'}`);
  } catch (e) {
    await store.close();
    throw e;
  }
}
