import { openStore } from '../store/open.js';
import { table } from '../text/format.js';
import { dbOption, defineCommand, runStatusText } from './command.js';
import { print, printJson } from './output.js';

export const runsVerb = defineCommand({
  command: 'runs',
  describe: 'list the runs in a database',
  builder: (y) =>
    y
      .option('db', dbOption)
      .option('json', { type: 'boolean', describe: 'print the runs as JSON' })
      .example('$0 runs', 'the runs in results/chipdse.db: status, evaluations, workloads')
      .example('$0 runs --db study.db --json', 'another database, as JSON'),
  handler: async (a) => {
    const store = await openStore(a.db, { create: false, readOnly: true });
    const runs = await store.listRuns().finally(() => store.close());
    // The stored space and its parameter axes are long and for programs: `export` gives the run's settings.
    if (a.json) return printJson(runs.map((full) => {
      const { spaceJson: _s, parameters: _p, inputs: _i, ...r } = full;
      return { ...r, state: runStatusText(full, a.db) };
    }));
    if (runs.length === 0) return print(`${store.location}: no runs`);
    // The status last, as it may carry the command that resumes an interrupted run.
    print(table(runs.map((r) => [r.name, r.spaceName, r.algorithm, String(r.seed), `${r.evaluations}/${r.budget}`, String(r.generations), r.workloads.join(' '), runStatusText(r, a.db)]), ['run', 'space', 'algorithm', 'seed', 'evaluations', 'generations', 'workloads', 'status']).replace(/ +$/gm, ''));
  },
});
