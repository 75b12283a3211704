import { exportCsv, exportJson } from '../results/export.js';
import { openRun } from '../store/open.js';
import { dbOption, defineCommand } from './command.js';
import { checkOutputPath, writeOutput } from './output.js';

export const exportVerb = defineCommand({
  command: 'export',
  describe: 'write every evaluation of a run as CSV or JSON',
  builder: (y) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'the run\'s name (chipdse runs lists them)' })
      .option('db', dbOption)
      .option('format', { choices: ['csv', 'json'] as const, default: 'csv' as const, describe: 'csv: one row per evaluation, every metric a column; json: the run and its evaluations' })
      .option('out', { type: 'string', describe: 'file to write (default: standard output)' })
      .example('$0 export --run demo --out demo.csv', 'every evaluation of the run as CSV')
      .example('$0 export --run demo --format json | jq ".evaluations | length"', 'as JSON'),
  handler: async (a) => {
    if (a.out) checkOutputPath(a.out, { db: a.db });
    const { store, run } = await openRun(a.db, a.run, { readOnly: true });
    let text: string;
    try {
      // Read in one snapshot: the front and the generations belong to the evaluations read with them.
      const points = await store.loadEvaluations(run.id);
      const front = new Set((await store.loadFront(run.id)).map((p) => p.key));
      const gens = await store.loadGenerationsByGenome(run.id);
      text = a.format === 'csv' ? exportCsv(run, points, front, gens) : exportJson(run, points, front, gens);
    } finally {
      await store.close();
    }
    if (a.out) writeOutput(a.out, text, { makeFolder: false, db: a.db });
    else process.stdout.write(text);
  },
});
