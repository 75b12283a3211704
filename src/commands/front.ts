import { frontJson } from '../results/export.js';
import { openRun } from '../store/open.js';
import { frontTable } from '../text/front-table.js';
import { dbOption, defineCommand } from './command.js';
import { print, printJson } from './output.js';

export const frontVerb = defineCommand({
  command: 'front',
  describe: 'print the Pareto set of a run with its parameters and metrics',
  builder: (y) => y.option('run', { type: 'string', demandOption: true }).option('db', dbOption).option('json', { type: 'boolean' }),
  handler: async (a) => {
    const { store, run } = await openRun(a.db, a.run, { readOnly: true });
    const front = await store.loadFront(run.id).finally(() => store.close());
    if (a.json) return printJson(frontJson(run, front));
    if (front.length === 0) return print(`${run.name}: no feasible design yet`);
    print(frontTable(run, front));
  },
});
