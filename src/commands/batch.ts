import { runBatch } from '../search/batch.js';
import { progressReporter } from '../text/progress.js';
import { checkDbAddress, defineCommand } from './command.js';
import { print } from './output.js';
import { installStopHandler, shouldStop } from './stop.js';

export const batchVerb = defineCommand({
  command: 'batch <file>',
  describe: 'run a list of searches into one database, continuing where a previous batch stopped',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'a JSON or YAML file: {"db": "runs.db", "searches": [{"run", "space", "workloads", "algorithm", "budget", "population", "seed"}]} (designs/batch.schema.json)' })
      .option('db', { type: 'string', describe: 'overrides the batch file\'s db', coerce: checkDbAddress })
      .option('workers', { type: 'number', default: 1, describe: 'worker threads per search (results do not depend on it)' })
      .example('$0 batch study.yaml', 'run every search of the file; run it again to resume or skip what is done'),
  handler: async (a) => {
    installStopHandler();
    let bar: ReturnType<typeof progressReporter> | undefined;
    const results = await runBatch(a.file as string, {
      db: a.db,
      workers: a.workers,
      onStart: (run, action) => {
        bar?.end();
        bar = progressReporter(process.stderr, run);
        if (action === 'skip') process.stderr.write(`${run}: done in an earlier batch, skipped\n`);
        if (action === 'resume') process.stderr.write(`${run}: resuming\n`);
      },
      onGeneration: (p) => bar?.update(p),
      shouldStop,
    });
    bar?.end();
    for (const s of results) print(`${s.run}: ${s.status}, ${s.evaluations} evaluations, front of ${s.frontSize}, hypervolume ${s.hypervolume.toPrecision(6)}`);
    if (results.some((r) => r.status === 'stopped')) process.exitCode = 130;
  },
});
