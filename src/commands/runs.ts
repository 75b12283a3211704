import { openStore } from '../store/open.js';
import { table } from '../text/format.js';
import { dbOption, defineCommand } from './command.js';
import { print, printJson } from './output.js';

export const runsVerb = defineCommand({
  command: 'runs',
  describe: 'list the runs in a database',
  builder: (y) => y.option('db', dbOption).option('json', { type: 'boolean' }),
  handler: async (a) => {
    const store = await openStore(a.db, { create: false, readOnly: true });
    const runs = await store.listRuns().finally(() => store.close());
    // The stored space and its parameter axes are long and for programs: `export` gives the run's settings.
    if (a.json) return printJson(runs.map(({ spaceJson: _s, parameters: _p, inputs: _i, ...r }) => r));
    if (runs.length === 0) return print(`${store.location}: no runs`);
    print(table(runs.map((r) => [r.name, r.spaceName, r.algorithm, String(r.seed), `${r.evaluations}/${r.budget}`, String(r.generations), r.status, r.workloads.join(' ')]), ['run', 'space', 'algorithm', 'seed', 'evaluations', 'generations', 'status', 'workloads']));
  },
});
