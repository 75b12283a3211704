import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ChipdseError } from './errors.js';
import { loadDesign, listDesignPresets } from './chip/load.js';
import { loadWorkload, listWorkloadPresets } from './workload/load.js';
import { listModelPresets } from './workload/model.js';
import { evaluate } from './eval/evaluate.js';
import { calibrate } from './calibrate/calibrate.js';
import { formatEvaluation } from './report/evaluation-text.js';
import { formatComparison, ratiosToFirst } from './report/compare-text.js';
import { percent, seconds, si, table } from './report/format.js';

const debug = process.argv.includes('--debug');

function print(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

function json(x: unknown): void {
  print(JSON.stringify(x, null, 2));
}

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('chipdse')
    .usage('$0 <command> [options]\n\nEvaluate ML accelerator designs on workload traces: time, energy in joules by where it is spent, area and cost.')
    .option('debug', { type: 'boolean', describe: 'print stack traces of errors' })
    .command(
      'eval',
      'evaluate one design on one workload',
      (y) =>
        y
          .option('design', { alias: 'd', type: 'string', demandOption: true, describe: 'preset name or path to a design file' })
          .option('workload', { alias: 'w', type: 'string', demandOption: true, describe: 'preset name or path to a workload file' })
          .option('json', { type: 'boolean', describe: 'print one JSON object' })
          .option('detail', { type: 'boolean', describe: 'list every step of every phase' }),
      (a) => {
        const chip = loadDesign(a.design);
        const w = loadWorkload(a.workload);
        const e = evaluate(chip, w);
        if (a.json) json(e);
        else print(formatEvaluation(e, w, Boolean(a.detail)));
      },
    )
    .command(
      'compare',
      'evaluate several designs on one or more workloads, side by side, with ratios to the first design',
      (y) =>
        y
          .option('designs', { alias: 'd', type: 'array', string: true, demandOption: true, describe: 'preset names or design files' })
          .option('workload', { alias: 'w', type: 'array', string: true, demandOption: true, describe: 'one or more workloads' })
          .option('json', { type: 'boolean', describe: 'print one JSON object' }),
      (a) => {
        const designs = (a.designs as string[]).map((d) => loadDesign(d));
        if (designs.length < 1) throw new ChipdseError('compare: --designs needs at least one design');
        const workloads = (a.workload as string[]).map((w) => loadWorkload(w));
        const results = workloads.map((w) => {
          const evals = designs.map((c) => evaluate(c, w));
          return { workload: w.name, evals };
        });
        if (a.json) {
          json({
            designs: designs.map((c) => c.name),
            workloads: results.map((r) => ({
              workload: r.workload,
              results: r.evals.map((e, i) => ({ design: e.design, feasible: e.feasible, reasons: e.reasons, metrics: e.metrics, ratioToFirst: ratiosToFirst(r.evals)[i] })),
            })),
          });
        } else {
          print(results.map((r) => formatComparison(r.workload, r.evals)).join('\n\n'));
        }
      },
    )
    .command(
      'calibrate',
      'run the model on published measurements and print predicted vs measured',
      (y) => y.option('json', { type: 'boolean' }),
      (a) => {
        const s = calibrate();
        if (a.json) return json(s);
        const fmt = (x: number, unit: string) => (unit === 'MFU' ? `${percent(x)} MFU` : unit === 's' ? seconds(x) : si(x, unit, 4));
        print(
          table(
            s.rows.map((r) => [r.id, r.design, r.role, fmt(r.measured, r.unit), fmt(r.predicted, r.unit), `${r.error >= 0 ? '+' : ''}${(r.error * 100).toFixed(1)}%`]),
            ['point', 'design', 'role', 'measured', 'predicted', 'error'],
          ),
        );
        print(`\nheld-out points: ${s.heldOut.count}, median |error| ${percent(s.heldOut.medianAbsError)}, 90th percentile ${percent(s.heldOut.p90AbsError)}, max ${percent(s.heldOut.maxAbsError)}`);
        print(`all points: ${s.all.count}, median |error| ${percent(s.all.medianAbsError)}`);
        print(`("fit" points set a chip's documented efficiency factor; sources: chipdse calibrate --json)`);
      },
    )
    .command(
      'presets',
      'list the shipped designs, workloads and models',
      (y) => y.option('json', { type: 'boolean' }),
      (a) => {
        const p = { designs: listDesignPresets(), workloads: listWorkloadPresets(), models: listModelPresets() };
        if (a.json) return json(p);
        print(`designs:   ${p.designs.join(', ')}\nworkloads: ${p.workloads.join(', ')}\nmodels:    ${p.models.join(', ')}`);
      },
    )
    .demandCommand(1, 'name a command: eval, compare, calibrate or presets')
    .strict()
    .recommendCommands()
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    })
    .help()
    .parseAsync();
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  if (debug) console.error(err);
  if (err instanceof UsageError) {
    console.error(`chipdse: ${err.message} (see chipdse --help)`);
    process.exit(2);
  }
  if (err instanceof ChipdseError) {
    if (!debug) console.error(err.message.split('\n').map((l) => `chipdse: ${l}`).join('\n'));
    process.exit(1);
  }
  if (!debug) console.error(`chipdse: internal error: ${(err as Error)?.message ?? String(err)} (rerun with --debug for the stack trace)`);
  process.exit(70);
});
