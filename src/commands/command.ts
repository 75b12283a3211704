import { hostname } from 'node:os';
import { designSchema } from '../chip/schema.js';
import { routeSettings, type Setting, type SettingTarget } from '../io/settings.js';
import { runState, type RunRow } from '../results/run.js';
import { displayAddress } from '../store/address.js';
import { workloadSchema } from '../workload/schema.js';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { unkeptReason } from '../store/open.js';
import { shellCommand } from '../text/shell.js';

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
export const dbOption = { type: 'string', default: DEFAULT_DB, alias: 'storage', describe: 'where runs are stored: a SQLite file (or sqlite:///FILE) or a postgresql:// URL (give its password in PGPASSWORD or ~/.pgpass); created by search and batch, read by the others', coerce: checkDbAddress } as const;

export const setOption = {
  type: 'array',
  string: true,
  describe: 'PATH=VALUE: change one field of the design or workload after reading it, the value read as in a file ("6", "96 GB", "true", "[32]"); prefix design. or workload. where both have the path; repeat for several',
} as const;

/** The files `--set` may change in a verb that reads designs and workloads. */
export const DESIGN_AND_WORKLOAD: SettingTarget[] = [
  { name: 'design', schema: designSchema },
  { name: 'workload', schema: workloadSchema },
];

/** `--set` values sent to the design and the workload; a bad path is one line with the nearest keys. */
export function settingsFor(texts: unknown, targets: SettingTarget[] = DESIGN_AND_WORKLOAD): { design: Setting[]; workload: Setting[] } {
  const r = routeSettings((texts as string[] | undefined) ?? [], targets);
  return { design: r.design ?? [], workload: r.workload ?? [] };
}

/** A design or workload name with the `--set` fields it was given, so output never passes a variant off as the original. */
export function withSettings<T extends { name: string }>(x: T, set: readonly Setting[]): T {
  if (set.length === 0 || set.some((s) => s.path === 'name')) return x;
  return { ...x, name: `${x.name} [${set.map((s) => `${s.path}=${typeof s.value === 'string' ? s.value : JSON.stringify(s.value)}`).join(', ')}]` };
}

/** Whether a process of this host is alive (signal 0 checks without signalling; EPERM: alive, another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run's status as `runs` and the report show it: an interrupted run says how to resume it. */
export function runStatusText(run: RunRow, db: string): string {
  const state = runState(run, hostname(), processAlive);
  if (state === 'interrupted') return `interrupted (resume with: ${shellCommand(['chipdse', 'search', '--run', run.name, '--resume', '--db', displayAddress(db)])})`;
  if (state === 'running elsewhere') return `running (on ${run.writer!.host}, pid ${run.writer!.pid})`;
  return state;
}
