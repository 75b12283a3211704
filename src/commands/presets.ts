import { listDesignPresets } from '../chip/load.js';
import { listSpacePresets } from '../search/space.js';
import { listWorkloadPresets } from '../workload/load.js';
import { listModelPresets } from '../workload/model.js';
import { defineCommand } from './command.js';
import { print, printJson } from './output.js';

export const presetsVerb = defineCommand({
  command: 'presets',
  describe: 'list the shipped designs, workloads and models',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', describe: 'print the lists as JSON' })
      .example('$0 presets', 'designs, workloads, models and spaces shipped with chipdse (chipdse metrics lists the metrics)'),
  handler: (a) => {
    const p = { designs: listDesignPresets(), workloads: listWorkloadPresets(), models: listModelPresets(), spaces: listSpacePresets() };
    if (a.json) return printJson(p);
    print(`designs:   ${p.designs.join(', ')}\nworkloads: ${p.workloads.join(', ')}\nmodels:    ${p.models.join(', ')}\nspaces:    ${p.spaces.join(', ')}`);
  },
});
