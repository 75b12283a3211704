import { diagnose, type Diagnosis } from '../results/diagnosis.js';
import { frontJson } from '../results/export.js';
import type { PointResult } from '../results/point.js';
import { formatDiagnosis } from '../text/diagnosis.js';
import { openRun } from '../store/open.js';
import { frontTable } from '../text/front-table.js';
import { dbOption, defineCommand } from './command.js';
import { print, printJson } from './output.js';

export const frontVerb = defineCommand({
  command: 'front',
  describe: 'print the Pareto set of a run with its parameters and metrics; with no feasible design, what rules the designs out and the closest ones',
  builder: (y) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'the run\'s name (chipdse runs lists them)' })
      .option('db', dbOption)
      .option('json', { type: 'boolean', describe: 'print the front (parameters, objectives, every metric) as JSON' })
      .example('$0 front --run demo', 'the Pareto set, best first on the first objective')
      .example('$0 front --run demo --json > front.json', 'with every metric, as JSON'),
  handler: async (a) => {
    const { store, run } = await openRun(a.db, a.run, { readOnly: true });
    let front: PointResult[];
    let diagnosis: Diagnosis | undefined;
    try {
      front = await store.loadFront(run.id);
      if (front.length === 0) diagnosis = diagnose(run, await store.loadEvaluations(run.id));
    } finally {
      await store.close();
    }
    if (a.json) return printJson(diagnosis ? { front: [], diagnosis } : frontJson(run, front));
    if (diagnosis) return print(`${run.name}: ${formatDiagnosis(diagnosis)}`);
    print(frontTable(run, front));
  },
});
