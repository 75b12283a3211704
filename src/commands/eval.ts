import { loadDesign } from '../chip/load.js';
import { evaluate } from '../eval/evaluate.js';
import { formatEvaluation } from '../text/evaluation.js';
import { loadWorkload } from '../workload/load.js';
import { defineCommand } from './command.js';
import { print, printJson } from './output.js';

export const evalVerb = defineCommand({
  command: 'eval',
  describe: 'evaluate one design on one workload',
  builder: (y) =>
    y
      .option('design', { alias: 'd', type: 'string', demandOption: true, describe: 'preset name or path to a design file' })
      .option('workload', { alias: 'w', type: 'string', demandOption: true, describe: 'preset name or path to a workload file' })
      .option('json', { type: 'boolean', describe: 'print one JSON object' })
      .option('detail', { type: 'boolean', describe: 'list every step of every phase' }),
  handler: (a) => {
    const chip = loadDesign(a.design);
    const w = loadWorkload(a.workload);
    const e = evaluate(chip, w);
    if (a.json) printJson(e);
    else print(formatEvaluation(e, w, Boolean(a.detail)));
  },
});
