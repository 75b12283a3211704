import { ChipdseError } from '../errors.js';
import { z } from 'zod';
import { readDataFile, validate, keysOfSchemaAt } from '../io/load.js';
import { positiveInt } from '../io/schema-helpers.js';
import { ALGORITHMS } from '../results/run.js';
import { openStore, unkeptReason } from '../store/open.js';
import { populationFor } from './algorithms.js';
import { runSearch, type SearchOptions, type SearchSummary } from './run.js';

/** A batch file: searches to run into one database, each resumed or skipped if a previous batch got to it. */
export const batchSchema = z.strictObject({
  $schema: z.string().optional(),
  db: z
    .string()
    .refine((db) => !unkeptReason(db), { error: (iss) => `"${String(iss.input)}" ${unkeptReason(String(iss.input))}, so results would not be kept; give a database file` })
    .optional(),
  searches: z
    .array(
      z.strictObject({
        run: z.string().min(1),
        space: z.string().min(1),
        workloads: z.array(z.string().min(1)).default([]),
        algorithm: z.enum(ALGORITHMS).default('nsga2'),
        budget: positiveInt(1e9).default(1000),
        population: positiveInt(1e6).optional().meta({ description: 'default: as chipdse search' }),
        seed: z.number().int().min(0).max(2 ** 31).default(1),
      }),
    )
    .min(1),
});

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
  const out: SearchSummary[] = [];
  for (const s of b.searches) {
    const store = await openStore(db);
    const existing = await store.getRun(s.run).finally(() => store.close());
    if (existing?.status === 'done') {
      opts.onStart?.(s.run, 'skip');
      continue;
    }
    opts.onStart?.(s.run, existing ? 'resume' : 'start');
    const r = await runSearch({ ...s, population: s.population ?? populationFor(s.algorithm, s.budget), workers: opts.workers, db, resume: Boolean(existing), onGeneration: opts.onGeneration, shouldStop: opts.shouldStop });
    out.push(r);
    if (r.status === 'stopped') break;
  }
  return out;
}
