import { ChipdseError } from '../errors.js';
import { z } from 'zod';
import { readDataFile, validate, keysOfSchemaAt } from '../io/load.js';
import { positiveInt } from '../io/schema-helpers.js';
import { ALGORITHMS, runNameProblem } from '../results/run.js';
import { openStore, unkeptReason } from '../store/open.js';
import { populationFor } from './algorithms.js';
import { resumeConflicts, entryConflicts } from './resume-check.js';
import { runSearch, type SearchOptions, type SearchSummary } from './run.js';

/** A batch file: searches to run into one database, each resumed or skipped if a previous batch got to it. */
export const batchSchema = z.strictObject({
  $schema: z.string().optional(),
  db: z
    .string()
    .min(1, { error: 'names no file; give a database file' })
    .refine((db) => !unkeptReason(db), { error: (iss) => `"${String(iss.input)}" ${unkeptReason(String(iss.input))}, so results would not be kept; give a database file` })
    .optional(),
  searches: z
    .array(
      z.strictObject({
        run: z
          .string()
          .min(1, { error: 'a run name cannot be empty' })
          .refine((name) => !runNameProblem(name), { error: (iss) => runNameProblem(String(iss.input)) }),
        space: z.string().min(1),
        workloads: z.array(z.string().min(1)).default([]),
        algorithm: z.enum(ALGORITHMS).default('nsga2'),
        budget: positiveInt(1e9).optional().meta({ description: 'default: 1000, or every design of the space for exhaustive' }),
        population: positiveInt(1e6).optional().meta({ description: 'default: as chipdse search' }),
        seed: z.number().int().min(0).max(2 ** 31).default(1),
        surrogate: z.boolean().optional().meta({ description: 'nsga2: false for plain offspring, without the surrogate pre-screening (chipdse search --no-surrogate)' }),
      }),
    )
    .min(1),
});

/**
 * Runs a batch file's searches in order into one database. A run the database already holds is
 * skipped when done and resumed otherwise, but only as its entry describes it: an entry changed
 * since its run was stored (another budget, seed, algorithm, population, workloads, or a space
 * file with other content) is refused before anything runs, one line per entry, since a batch
 * never changes a stored run (rename the entry's run to start a new one).
 */
export async function runBatch(
  file: string,
  opts: { db?: string; workers: number; onStart?: (run: string, action: 'start' | 'resume' | 'skip') => void } & Pick<SearchOptions, 'onGeneration' | 'shouldStop'>,
): Promise<SearchSummary[]> {
  const b = validate(batchSchema, readDataFile(file), file, (p) => keysOfSchemaAt(batchSchema, p));
  const db = opts.db ?? b.db ?? 'results/chipdse.db';
  const seen = new Set<string>();
  for (const s of b.searches) {
    if (seen.has(s.run)) throw new ChipdseError(`${file}: searches: run name "${s.run}" appears twice`);
    seen.add(s.run);
  }
  const entries = b.searches.map((s) => ({ ...s, population: s.population ?? populationFor(s.algorithm, s.budget) }));
  const store = await openStore(db);
  const existing = await (async () => {
    try {
      const runs = await Promise.all(entries.map((s) => store.getRun(s.run)));
      const changed = entries.flatMap((s, i) => {
        const run = runs[i];
        const conflicts = run ? resumeConflicts(run, s) : [];
        return conflicts.length === 0 ? [] : [`${file}: searches[${i}] (run "${s.run}"): ${entryConflicts(conflicts)}: the entry changed since its run was ${run!.status === 'done' ? 'done' : 'stored'}, and a batch never changes a stored run; rename the run to start a new one, or restore the entry`];
      });
      if (changed.length > 0) throw new ChipdseError(changed.join('\n'));
      return runs;
    } finally {
      await store.close();
    }
  })();
  const out: SearchSummary[] = [];
  for (const [i, s] of entries.entries()) {
    if (existing[i]?.status === 'done') {
      opts.onStart?.(s.run, 'skip');
      continue;
    }
    opts.onStart?.(s.run, existing[i] ? 'resume' : 'start');
    const r = await runSearch({ ...s, workers: opts.workers, db, resume: Boolean(existing[i]), onGeneration: opts.onGeneration, shouldStop: opts.shouldStop });
    out.push(r);
    if (r.status === 'stopped') break;
  }
  return out;
}
