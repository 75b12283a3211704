import { loadDesign } from '../chip/load.js';
import { servingCurveData } from '../chart/serving-curve-data.js';
import { servingCurveSpec } from '../chart/specs.js';
import { ChipdseError } from '../errors.js';
import { evaluate } from '../eval/evaluate.js';
import { servingCurve } from '../eval/serving-curve.js';
import type { ServingCurve } from '../results/metrics.js';
import { formatChipCost } from '../text/cost.js';
import { formatEvaluation } from '../text/evaluation.js';
import { formatServingCurve } from '../text/serving-curve.js';
import { loadWorkload } from '../workload/load.js';
import { defineCommand, setOption, settingsFor, withSettings } from './command.js';
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
      .option('chart', { type: 'string', describe: 'with --curve: also draw it to FILE (.svg, .png or .html)' })
      .option('set', setOption)
      .example('$0 eval -d h100-sxm -w llama-3-70b-serve', 'H100 serving Llama 3 70B on 8 chips: time, energy by part, power, cost')
      .example('$0 eval -d h100-sxm -w llama-3-70b-serve --set memory.hbm.stacks=6 --set "memory.hbm.bytes=96 GB"', 'the same with a sixth HBM stack')
      .example('$0 eval -d h100-sxm -w llama-3-70b-serve --curve --chart curve.png', 'the serving curve across concurrency, drawn')
      .example('$0 eval -d my-chip.yaml -w my-workload.json --json > result.json', 'your own files, as one JSON object'),
  handler: async (a) => {
    const set = settingsFor(a.set);
    const chip = withSettings(loadDesign(a.design, set.design), set.design);
    const w = withSettings(loadWorkload(a.workload, undefined, set.workload), set.workload);
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
    else print(formatEvaluation(e, w, Boolean(a.detail), formatChipCost(chip)));
  },
});
