import { loadDesign } from '../chip/load.js';
import { compareData } from '../chart/compare-data.js';
import { compareSpec } from '../chart/specs.js';
import { ChipdseError } from '../errors.js';
import { evaluate } from '../eval/evaluate.js';
import type { Evaluation } from '../results/metrics.js';
import { formatComparison, ratioBase, ratiosToFirst } from '../text/compare.js';
import { loadWorkload } from '../workload/load.js';
import { defineCommand, setOption, settingsFor, withSettings } from './command.js';
import { checkOutputPath, print, printJson, writeOutput } from './output.js';

/** `compare --chart FILE`: energy per token by part and the key metrics of the compared designs. */
export async function compareChart(evaluations: Evaluation[], file: string): Promise<void> {
  const { chartFormat, renderChart } = await import('../chart/render.js');
  chartFormat(file);
  if (evaluations.length === 0) throw new ChipdseError('compare: nothing to chart');
  const designs = [...new Set(evaluations.map((e) => e.design))];
  const spec = compareSpec(compareData(evaluations), `${designs.join(' vs ')}`);
  writeOutput(file, await renderChart(spec, file, `chipdse compare: ${designs.join(', ')}`), { makeFolder: true });
}

export const compareVerb = defineCommand({
  command: 'compare',
  describe: 'evaluate several designs on one or more workloads, side by side, with ratios to the first design',
  builder: (y) =>
    y
      .option('designs', { alias: 'd', type: 'array', string: true, demandOption: true, describe: 'preset names or design files' })
      .option('workload', { alias: 'w', type: 'array', string: true, demandOption: true, describe: 'one or more workloads' })
      .option('json', { type: 'boolean', describe: 'print one JSON object' })
      .option('chart', { type: 'string', describe: 'also draw energy and key metrics to FILE (.svg, .png or .html)' })
      .option('set', { ...setOption, describe: `${setOption.describe}; applies to every design (or workload)` })
      .example('$0 compare -d h100-sxm h200-sxm b200 tpu7x -w llama-3-70b-serve', 'four chips side by side, with ratios to the first feasible one')
      .example('$0 compare -d h100-sxm h100-6stack.json -w llama-3-70b-serve --chart cmp.png', 'a preset against a variant file that extends it, drawn as a chart'),
  handler: async (a) => {
    if (a.chart) checkOutputPath(a.chart);
    const set = settingsFor(a.set);
    const designs = (a.designs as string[]).map((d) => withSettings(loadDesign(d, set.design), set.design));
    if (designs.length < 1) throw new ChipdseError('compare: --designs needs at least one design');
    const workloads = (a.workload as string[]).map((w) => withSettings(loadWorkload(w, undefined, set.workload), set.workload));
    const results = workloads.map((w) => ({ workload: w.name, evals: designs.map((c) => evaluate(c, w)) }));
    if (a.json) {
      printJson({
        designs: designs.map((c) => c.name),
        workloads: results.map((r) => ({
          workload: r.workload,
          ratioBase: ratioBase(r.evals) >= 0 ? r.evals[ratioBase(r.evals)].design : null,
          results: r.evals.map((e, i) => ({ design: e.design, feasible: e.feasible, reasons: e.reasons, metrics: e.metrics, ratioToFirst: ratiosToFirst(r.evals)[i] })),
        })),
      });
    } else {
      print(results.map((r) => formatComparison(r.workload, r.evals)).join('\n\n'));
    }
    if (a.chart) await compareChart(results.flatMap((r) => r.evals), a.chart);
  },
});
