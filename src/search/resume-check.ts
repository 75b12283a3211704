import { ChipdseError } from '../errors.js';
import type { AlgorithmName, RunRow } from '../results/run.js';
import { loadSpace, parseSpace, selfContained, type Space } from './space.js';

/**
 * A resumed run continues with what it stored: its space, workloads, algorithm, seed, budget and
 * population. A setting asked for that differs from the stored one is a conflict, refused rather
 * than silently ignored (a setting equal to the stored one is fine).
 */

/** The settings a resume or a batch entry asks for; undefined: not asked for. */
export interface AskedSettings {
  space?: string;
  workloads?: string[];
  algorithm?: AlgorithmName;
  budget?: number;
  population?: number;
  seed?: number;
}

export interface Conflict {
  /** The setting: budget, seed, ... (the command line's flag without --, a batch entry's field). */
  setting: keyof AskedSettings;
  asked: string;
  stored: string;
}

/** The space a run stored, parsed (normalized, so runs stored by another chipdse compare by content). */
function storedSpace(run: RunRow): Space {
  return parseSpace(JSON.parse(run.spaceJson), `run ${run.name} space`, process.cwd());
}

/** Where `asked` differs from what `run` stored. */
export function resumeConflicts(run: RunRow, asked: AskedSettings): Conflict[] {
  const out: Conflict[] = [];
  const scalar = (setting: 'algorithm' | 'population' | 'seed', stored: string | number) => {
    const a = asked[setting];
    if (a !== undefined && a !== stored) out.push({ setting, asked: String(a), stored: String(stored) });
  };
  scalar('algorithm', run.algorithm);
  scalar('seed', run.seed);
  // A budget over the space's size was stored as that size (see budgetFor): asking for it again is no change.
  if (asked.budget !== undefined && asked.budget !== run.budget && Math.min(asked.budget, storedSpace(run).size) !== run.budget) {
    out.push({ setting: 'budget', asked: String(asked.budget), stored: String(run.budget) });
  }
  scalar('population', run.population);
  if (asked.workloads !== undefined && asked.workloads.length > 0 && asked.workloads.join('\n') !== run.workloads.join('\n')) {
    out.push({ setting: 'workloads', asked: asked.workloads.join(' '), stored: run.workloads.join(' ') });
  }
  if (asked.space !== undefined && asked.space !== '') {
    const stored = JSON.stringify(selfContained(storedSpace(run)));
    const space = loadSpace(asked.space);
    if (JSON.stringify(selfContained(space)) !== stored) out.push({ setting: 'space', asked: asked.space, stored: `space "${run.spaceName}"${space.name === run.spaceName ? ', with other content' : ''}` });
  }
  return out;
}

/** The conflicts of a resume as the command line names them. */
export function resumeConflictError(db: string, run: RunRow, conflicts: Conflict[]): ChipdseError {
  const flag = (c: Conflict) => (c.setting === 'workloads' ? '--workload' : `--${c.setting}`);
  const list = conflicts.map((c) => `${flag(c)} ${c.asked} (stored ${c.stored})`).join(', ');
  return new ChipdseError(`${db}: run "${run.name}": ${list} ${conflicts.length > 1 ? 'differ' : 'differs'} from the stored run; a resumed run continues as it was stored: drop ${conflicts.length > 1 ? 'them' : 'it'}, or start a new run with another --run`);
}

/** The conflicts of a batch entry with its stored run, as the batch file names them. */
export function entryConflicts(conflicts: Conflict[]): string {
  return conflicts.map((c) => `${c.setting} ${c.asked} (stored ${c.stored})`).join(', ');
}
