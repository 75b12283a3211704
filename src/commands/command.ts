import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { unkeptReason } from '../store/open.js';

/** A bad command line: the CLI prints it as one line and exits 2. */
export class UsageError extends Error {}

/** A CLI verb: its yargs options and what it does with them (a thin call into the library). */
export function defineCommand<U>(c: { command: string; describe: string; builder: (y: Argv) => Argv<U>; handler: (a: ArgumentsCamelCase<U>) => void | Promise<void> }): CommandModule<object, U> {
  return c;
}

/** A command-line option that must be a positive whole number (budget, population, workers). */
export function checkPositiveWhole(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new UsageError(`--${name} must be a positive whole number, got ${value}`);
}

/** Where runs are stored when --db is not given. */
export const DEFAULT_DB = 'results/chipdse.db';

/** A --db that keeps nothing ('', :memory:, memory:) is refused: a run that prints "done" has been stored. */
export function checkDbAddress(db: string): string {
  const why = unkeptReason(db);
  if (why) throw new UsageError(`--db ${db === '' ? "''" : db}: ${why}, so results would not be kept; give a database file`);
  return db;
}

/** Where runs are stored: `--storage`, or `--db` as it was first called (see src/store/address.ts). */
export const dbOption = { type: 'string', default: DEFAULT_DB, alias: 'storage', describe: 'where runs are stored: a SQLite file (or sqlite:///FILE), or a postgresql:// URL (give its password in PGPASSWORD or ~/.pgpass)', coerce: checkDbAddress } as const;
