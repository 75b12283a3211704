import { loadDesign } from '../chip/load.js';
import { servingCurveData } from '../chart/serving-curve-data.js';
import { servingCurveSpec } from '../chart/specs.js';
import { ChipdseError } from '../errors.js';
import { evaluate } from '../eval/evaluate.js';
import { servingCurve } from '../eval/serving-curve.js';
import type { ServingCurve } from '../results/metrics.js';
import { formatEvaluation } from '../text/evaluation.js';
import { formatServingCurve } from '../text/serving-curve.js';
import { loadWorkload } from '../workload/load.js';
import { defineCommand } from './command.js';
import { print, printJson, writeOutput } from './output.js';

/** `eval --curve --chart FILE`: the serving curve, tokens/s per chip against tokens/s per user. */
export async function servingCurveChart(curve: ServingCurve, file: string): Promise<void> {
  const { chartFormat, renderChart } = await import('../chart/render.js');
  chartFormat(file);
  const pick = curve.chosen !== undefined ? `"auto" picks concurrency ${curve.chosen}, limited by ${curve.limitedBy}` : 'no concurrency meets the SLOs';
  const spec = servingCurveSpec(servingCurveData(curve), `${curve.design} on ${curve.workload}: serving curve`, `one point per concurrency, labelled with it; ${curve.memoryLimit} sequences per replica fit in memory; ${pick}`);
  writeOutput(file, await renderChart(spec, file, `chipdse serving curve: ${curve.design}, ${curve.workload}`), { makeFolder: true });
}

export const evalVerb = defineCommand({
  command: 'eval',
  describe: 'evaluate one design on one workload',
  builder: (y) =>
    y
      .option('design', { alias: 'd', type: 'string', demandOption: true, describe: 'preset name or path to a design file' })
      .option('workload', { alias: 'w', type: 'string', demandOption: true, describe: 'preset name or path to a workload file' })
      .option('json', { type: 'boolean', describe: 'print one JSON object' })
      .option('detail', { type: 'boolean', describe: 'list every step of every phase' })
      .option('curve', { type: 'boolean', describe: 'serving: the serving curve (tokens/s per chip against tokens/s per user) across concurrency' })
      .option('chart', { type: 'string', describe: 'with --curve: also draw it to FILE (.svg, .png or .html)' }),
  handler: async (a) => {
    const chip = loadDesign(a.design);
    const w = loadWorkload(a.workload);
    if (a.chart !== undefined && !a.curve) throw new ChipdseError('eval: --chart draws the serving curve; give --curve with it');
    if (a.curve) {
      if (a.detail) throw new ChipdseError('eval: --detail lists the steps of one evaluation; it does not go with --curve');
      const curve = servingCurve(chip, w);
      if (a.json) printJson(curve);
      else print(formatServingCurve(curve));
      if (a.chart !== undefined) await servingCurveChart(curve, a.chart);
      return;
    }
    const e = evaluate(chip, w);
    if (a.json) printJson(e);
    else print(formatEvaluation(e, w, Boolean(a.detail)));
  },
});
