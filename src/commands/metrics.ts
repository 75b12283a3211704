import { METRIC_NAMES } from '../results/metrics.js';
import { METRIC_DOCS } from '../results/metric-docs.js';
import { defineCommand } from './command.js';
import { print, printJson } from './output.js';

export const metricsVerb = defineCommand({
  command: 'metrics',
  describe: 'list the metrics a space may constrain or optimize and a chart may draw, with their units',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', describe: 'print the list as JSON' })
      .example('$0 metrics', 'every metric with its unit and meaning; WORKLOAD:metric names one workload\'s'),
  handler: (a) => {
    const rows = METRIC_NAMES.map((m) => ({ metric: m, ...METRIC_DOCS[m] }));
    if (a.json) return printJson(rows);
    const w0 = Math.max(...rows.map((r) => r.metric.length));
    const w1 = Math.max(...rows.map((r) => r.unit.length));
    print(rows.map((r) => `${r.metric.padEnd(w0)}  ${r.unit.padEnd(w1)}  ${r.what}`).join('\n'));
    print('\nA space names them in constraints ("peakPowerW <= 700") and objectives; with several workloads a metric is their geometric mean, and WORKLOAD:metric is one workload\'s.');
  },
});
