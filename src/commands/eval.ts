import { loadDesign } from '../chip/load.js';
import { evaluate } from '../eval/evaluate.js';
import { formatChipCost } from '../text/cost.js';
import { formatEvaluation } from '../text/evaluation.js';
import { loadWorkload } from '../workload/load.js';
import { defineCommand, setOption, settingsFor, withSettings } from './command.js';
import { print, printJson } from './output.js';

export const evalVerb = defineCommand({
  command: 'eval',
  describe: 'evaluate one design on one workload',
  builder: (y) =>
    y
      .option('design', { alias: 'd', type: 'string', demandOption: true, describe: 'preset name or path to a design file' })
      .option('workload', { alias: 'w', type: 'string', demandOption: true, describe: 'preset name or path to a workload file' })
      .option('json', { type: 'boolean', describe: 'print one JSON object' })
      .option('detail', { type: 'boolean', describe: 'list every step of every phase' })
      .option('set', setOption)
      .example('$0 eval -d h100-sxm -w llama-3-70b-serve', 'H100 serving Llama 3 70B on 8 chips: time, energy by part, power, cost')
      .example('$0 eval -d h100-sxm -w llama-3-70b-serve --set memory.hbm.stacks=6 --set "memory.hbm.bytes=96 GB"', 'the same with a sixth HBM stack')
      .example('$0 eval -d my-chip.yaml -w my-workload.json --json > result.json', 'your own files, as one JSON object'),
  handler: (a) => {
    const set = settingsFor(a.set);
    const chip = withSettings(loadDesign(a.design, set.design), set.design);
    const w = withSettings(loadWorkload(a.workload, undefined, set.workload), set.workload);
    const e = evaluate(chip, w);
    if (a.json) printJson(e);
    else print(formatEvaluation(e, w, Boolean(a.detail), formatChipCost(chip)));
  },
});
