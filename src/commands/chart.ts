import { CHART_KINDS, CHARTS, chartKind, type ChartKind } from '../chart/charts.js';
import { loadRunData } from '../chart/run-data.js';
import { ChipdseError } from '../errors.js';
import { dbOption, defineCommand } from './command.js';
import { checkOutputPath, print, writeOutput } from './output.js';

export interface ChartOptions {
  /** One run; several for a convergence chart. */
  run: string | string[];
  db: string;
  kind: string;
  x?: string;
  y?: string;
  color?: string;
  genome?: string;
  /** .svg, .png or .html */
  out: string;
}

/** Draws a stored run (or runs, for convergence) into a file: what the store holds, nothing evaluated again. */
export async function chartCommand(o: ChartOptions): Promise<{ file: string; kind: ChartKind }> {
  const kind = chartKind(o.kind);
  const { chartFormat, renderChart } = await import('../chart/render.js');
  chartFormat(o.out);
  checkOutputPath(o.out, { db: o.db });
  const names = Array.isArray(o.run) ? o.run : [o.run];
  if (names.length === 0) throw new ChipdseError('chart: name a run with --run');
  const runs = [];
  for (const n of names) runs.push(await loadRunData(o.db, n));
  const spec = CHARTS[kind](runs, { x: o.x, y: o.y, color: o.color, genome: o.genome });
  writeOutput(o.out, await renderChart(spec, o.out, `chipdse ${kind}: ${names.join(', ')}`), { makeFolder: true, db: o.db });
  return { file: o.out, kind };
}

export const chartVerb = defineCommand({
  command: 'chart',
  describe: 'draw a run: its Pareto front, convergence, energy, roofline or parameters, as SVG, PNG or self-contained HTML',
  builder: (y) =>
    y
      .option('run', { type: 'array', string: true, demandOption: true, describe: 'run name (several for --kind convergence)' })
      .option('db', dbOption)
      .option('kind', { choices: CHART_KINDS, default: 'pareto' as ChartKind, describe: 'pareto: designs and front; convergence: hypervolume by designs evaluated; energy: energy by part; roofline; params: parameters of the front' })
      .option('x', { type: 'string', describe: 'pareto: metric across (default: the first objective)' })
      .option('y', { type: 'string', describe: 'pareto: metric up (default: the second objective)' })
      .option('color', { type: 'string', describe: 'pareto, params: metric as colour' })
      .option('genome', { type: 'string', describe: 'roofline, energy by step: the design (default: the front\'s best on the first objective)' })
      .option('out', { type: 'string', demandOption: true, describe: 'FILE.svg, FILE.png or FILE.html' })
      .example('$0 chart --run demo --out front.png', 'the Pareto front on the run\'s two objectives')
      .example('$0 chart --run demo --kind pareto --x areaMm2 --y energyJPerToken --color tokensPerSec --out f.svg', 'any metrics as axes (chipdse metrics lists them)')
      .example('$0 chart --run demo rnd --kind convergence --out conv.html', 'two runs compared by designs evaluated'),
  handler: async (a) => {
    const r = await chartCommand({ run: a.run as string[], db: a.db, kind: a.kind, x: a.x, y: a.y, color: a.color, genome: a.genome, out: a.out });
    print(`${r.kind} chart written to ${r.file}`);
  },
});
