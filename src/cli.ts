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
import { ALGORITHMS, populationFor, type AlgorithmName } from './search/algorithms.js';
import { runSearch } from './search/run.js';
import { sweepCommand } from './search/sweep-command.js';
import type { PointResult } from './search/problem.js';
import { runBatch } from './search/batch.js';
import { listSpacePresets } from './search/space.js';
import { RunStore } from './store/sqlite.js';
import { exportCsv, exportJson, frontJson, objectiveValues } from './store/export.js';
import { progressReporter } from './report/progress.js';
import { writeFileSync } from 'node:fs';
import { collectiveReport } from './interconnect/collective-command.js';

const DEFAULT_DB = 'results/chipdse.db';

/** A bad command line: printed as one line, exit 2. */
class UsageError extends Error {}

function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new ChipdseError(`${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** SIGINT stops a search after the generation in hand is stored. */
let stopRequested = false;
function installStopHandler(): void {
  process.on('SIGINT', () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    process.stderr.write('\nchipdse: stopping after this generation (Ctrl-C again to abort)\n');
  });
}

function openRun(db: string, name: string) {
  const store = new RunStore(db, { create: false });
  const run = store.getRun(name);
  if (!run) {
    const names = store.listRuns().map((r) => r.name);
    store.close();
    throw new ChipdseError(`${db}: no run named "${name}"${names.length ? ` (runs: ${names.join(', ')})` : ' (the database has no runs)'}`);
  }
  return { store, run };
}

/** A front as a table: genome, parameters (a choice of formats as their names), objectives in their own units, best first by the first objective. */
function frontTable(run: { objectives: { metric: string; goal: 'min' | 'max' }[] }, front: PointResult[]): string {
  const params = Object.keys(front[0].params);
  const sorted = [...front].sort((x, y) => x.objectives[0] - y.objectives[0]);
  return table(
    sorted.map((p) => [p.key, ...params.map((k) => (typeof p.params[k] === 'object' ? Object.keys(p.params[k] as object).join('+') : String(p.params[k]))), ...run.objectives.map((o) => Number(objectiveValues(run, p)[o.metric].toPrecision(4)).toString())]),
    ['genome', ...params, ...run.objectives.map((o) => `${o.goal} ${o.metric}`)],
  );
}

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
          .option('json', { type: 'boolean', describe: 'print one JSON object' })
          .option('chart', { type: 'string', describe: 'also draw energy and key metrics to FILE (.svg, .png or .html)' }),
      async (a) => {
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
        if (a.chart) await (await import('./chart/commands.js')).compareChart(results.flatMap((r) => r.evals), a.chart);
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
      'search',
      'explore a design space against workloads; every evaluation and the Pareto front go to SQLite',
      (y) =>
        y
          .option('space', { alias: 's', type: 'string', describe: 'preset name or path of a space file (not needed with --resume)' })
          .option('workload', { alias: 'w', type: 'array', string: true, default: [] as string[], describe: 'workloads (default: the space\'s own list)' })
          .option('algorithm', { choices: ALGORITHMS, default: 'nsga2' as AlgorithmName })
          .option('budget', { type: 'number', default: 1000, describe: 'unique designs to evaluate' })
          .option('population', { type: 'number', describe: 'population (and batch) size; default: budget/32 within 8..64 for nsga2 (see BENCHMARKS.md), 1024 for exhaustive, 64 for random' })
          .option('seed', { type: 'number', default: 1 })
          .option('workers', { type: 'number', default: 1, describe: 'worker threads evaluating in parallel (results do not depend on it)' })
          .option('db', { type: 'string', default: DEFAULT_DB })
          .option('run', { type: 'string', describe: 'run name (default: space-algorithm-seed)' })
          .option('resume', { type: 'boolean', describe: 'continue a stopped or killed run' })
          .check((a) => {
            for (const k of ['budget', 'population', 'workers'] as const) if (a[k] !== undefined && (!Number.isInteger(a[k]) || (a[k] as number) < 1)) throw new UsageError(`--${k} must be a positive whole number, got ${a[k]}`);
            if (!Number.isInteger(a.seed) || a.seed < 0) throw new UsageError(`--seed must be a whole number >= 0, got ${a.seed}`);
            if (!a.resume && !a.space) throw new UsageError('--space is required (or --resume with --run)');
            if (a.resume && !a.run) throw new UsageError('--resume needs --run');
            return true;
          }),
      async (a) => {
        installStopHandler();
        const run = a.run ?? `${a.space}-${a.algorithm}-${a.seed}`;
        const bar = progressReporter(process.stderr, run);
        const s = await runSearch({
          space: a.space ?? '', workloads: a.workload as string[], algorithm: a.algorithm as AlgorithmName, budget: a.budget, population: a.population ?? populationFor(a.algorithm as AlgorithmName, a.budget),
          seed: a.seed, workers: a.workers, db: a.db, run, resume: Boolean(a.resume), onGeneration: bar.update, shouldStop: () => stopRequested,
        });
        bar.end();
        print(`${s.run}: ${s.status}, ${s.evaluations} evaluations in ${s.generations} generations, front of ${s.frontSize}, hypervolume ${s.hypervolume.toPrecision(6)} (db ${a.db})`);
        if (s.status === 'stopped') {
          print(`resume with: chipdse search --run ${s.run} --resume --db ${a.db}`);
          process.exitCode = 130;
        }
      },
    )
    .command(
      'runs',
      'list the runs in a database',
      (y) => y.option('db', { type: 'string', default: DEFAULT_DB }).option('json', { type: 'boolean' }),
      (a) => {
        const store = new RunStore(a.db, { create: false });
        const runs = store.listRuns();
        store.close();
        if (a.json) return json(runs.map(({ spaceJson: _s, ...r }) => r));
        if (runs.length === 0) return print(`${a.db}: no runs`);
        print(table(runs.map((r) => [r.name, r.spaceName, r.algorithm, String(r.seed), `${r.evaluations}/${r.budget}`, String(r.generations), r.status, r.workloads.join(' ')]), ['run', 'space', 'algorithm', 'seed', 'evaluations', 'generations', 'status', 'workloads']));
      },
    )
    .command(
      'front',
      'print the Pareto set of a run with its parameters and metrics',
      (y) => y.option('run', { type: 'string', demandOption: true }).option('db', { type: 'string', default: DEFAULT_DB }).option('json', { type: 'boolean' }),
      (a) => {
        const { store, run } = openRun(a.db, a.run);
        const front = store.loadFront(run.id);
        store.close();
        if (a.json) return json(frontJson(run, front));
        if (front.length === 0) return print(`${run.name}: no feasible design yet`);
        print(frontTable(run, front));
      },
    )
    .command(
      'sweep',
      'evaluate every design of a space for its true Pareto front, streaming (stores nothing; for spaces too large to keep)',
      (y) =>
        y
          .option('space', { alias: 's', type: 'string', demandOption: true, describe: 'preset name or path of a space file' })
          .option('workload', { alias: 'w', type: 'array', string: true, default: [] as string[], describe: 'workloads (default: the space\'s own list)' })
          .option('workers', { type: 'number', default: 1, describe: 'worker threads evaluating in parallel (the front does not depend on it)' })
          .option('json', { type: 'boolean', describe: 'the counts, reference, hypervolume and the front with every metric, as JSON' })
          .option('out', { type: 'string', describe: 'also write that JSON to this file' })
          .check((a) => {
            if (!Number.isInteger(a.workers) || a.workers < 1) throw new UsageError(`--workers must be a positive whole number, got ${a.workers}`);
            return true;
          }),
      async (a) => {
        const tty = Boolean(process.stderr.isTTY);
        const r = await sweepCommand({
          space: a.space,
          workloads: a.workload as string[],
          workers: a.workers,
          onProgress: tty ? (p) => process.stderr.write(`\r${a.space}: ${p.evaluated}/${p.total} designs\u001b[K`) : undefined,
        });
        if (tty) process.stderr.write('\r\u001b[K');
        // No wall time in the JSON: the same space and workloads give the same bytes.
        const { seconds: _seconds, ...rest } = r;
        const doc = { ...rest, front: frontJson(r, r.front) };
        if (a.out) writeOut(a.out, JSON.stringify(doc, null, 2) + '\n');
        if (a.json) return json(doc);
        const ref = r.reference ? `, reference ${r.reference.map((v) => Number(v.toPrecision(4))).join(' / ')} (${r.referenceFrom})` : '';
        print(`${r.space}: ${r.evaluated} designs (${r.feasible} feasible, ${r.invalid} invalid) in ${r.seconds.toFixed(1)} s; front of ${r.front.length}, hypervolume ${r.hypervolume === 0 ? '0' : r.hypervolume.toPrecision(6)}${ref}`);
        if (r.front.length === 0) return print('no feasible design');
        print(frontTable(r, r.front));
      },
    )
    .command(
      'export',
      'write every evaluation of a run as CSV or JSON',
      (y) =>
        y
          .option('run', { type: 'string', demandOption: true })
          .option('db', { type: 'string', default: DEFAULT_DB })
          .option('format', { choices: ['csv', 'json'] as const, default: 'csv' as const })
          .option('out', { type: 'string', describe: 'file to write (default: standard output)' }),
      (a) => {
        const { store, run } = openRun(a.db, a.run);
        const points = store.loadEvaluations(run.id);
        const front = new Set(store.loadFront(run.id).map((p) => p.key));
        const gens = store.loadGenerationsByGenome(run.id);
        store.close();
        const text = a.format === 'csv' ? exportCsv(run, points, front, gens) : exportJson(run, points, front, gens);
        if (a.out) writeOut(a.out, text);
        else process.stdout.write(text);
      },
    )
    .command(
      'batch <file>',
      'run a list of searches into one database, continuing where a previous batch stopped',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true })
          .option('db', { type: 'string', describe: 'overrides the batch file\'s db' })
          .option('workers', { type: 'number', default: 1 }),
      async (a) => {
        installStopHandler();
        let bar: ReturnType<typeof progressReporter> | undefined;
        const results = await runBatch(a.file as string, {
          db: a.db,
          workers: a.workers,
          onStart: (run, action) => {
            bar?.end();
            bar = progressReporter(process.stderr, run);
            if (action === 'skip') process.stderr.write(`${run}: done in an earlier batch, skipped\n`);
            if (action === 'resume') process.stderr.write(`${run}: resuming\n`);
          },
          onGeneration: (p) => bar?.update(p),
          shouldStop: () => stopRequested,
        });
        bar?.end();
        for (const s of results) print(`${s.run}: ${s.status}, ${s.evaluations} evaluations, front of ${s.frontSize}, hypervolume ${s.hypervolume.toPrecision(6)}`);
        if (results.some((r) => r.status === 'stopped')) process.exitCode = 130;
      },
    )
    .command(
      'collective',
      'time one collective of a given size on a design and chip count (to check the model by hand)',
      (y) =>
        y
          .option('design', { alias: 'd', type: 'string', demandOption: true })
          .option('op', { type: 'string', default: 'all-reduce', describe: 'all-reduce, all-gather, reduce-scatter, all-to-all or send' })
          .option('bytes', { type: 'string', demandOption: true, describe: 'per-chip buffer, e.g. "1 GB"' })
          .option('chips', { type: 'number', demandOption: true })
          .option('inner', { type: 'number', default: 1, describe: 'chips of groups nested inside this one (a data-parallel group over TP8 groups: 8)' })
          .option('json', { type: 'boolean' }),
      (a) => {
        const r = collectiveReport(loadDesign(a.design), a.op, a.bytes, a.chips, a.inner);
        if (a.json) return json(r);
        print(
          table([
            ['design', r.design],
            ['collective', `${r.op} of ${si(r.bytes, 'B')} per chip over ${r.chips} chips${r.groupShape.length ? ` (laid out ${r.groupShape.join('x')})` : ''}`],
            ['network tier', r.tier],
            ['time', seconds(r.timeSec)],
            ['algorithm bandwidth', si(r.algorithmBytesPerSec, 'B/s')],
            ['bus bandwidth (NCCL)', si(r.busBytesPerSec, 'B/s')],
            ['bytes on links per chip', si(r.linkBytesPerChip, 'B')],
            ['link energy per chip', `${(r.energyJPerChip * 1e3).toPrecision(3)} mJ`],
          ]),
        );
      },
    )
    .command(
      'presets',
      'list the shipped designs, workloads and models',
      (y) => y.option('json', { type: 'boolean' }),
      (a) => {
        const p = { designs: listDesignPresets(), workloads: listWorkloadPresets(), models: listModelPresets(), spaces: listSpacePresets() };
        if (a.json) return json(p);
        print(`designs:   ${p.designs.join(', ')}\nworkloads: ${p.workloads.join(', ')}\nmodels:    ${p.models.join(', ')}\nspaces:    ${p.spaces.join(', ')}`);
      },
    )
    .command(
      'chart',
      'draw a run: its Pareto front, convergence, energy, roofline or parameters, as SVG, PNG or self-contained HTML',
      (y) =>
        y
          .option('run', { type: 'array', string: true, demandOption: true, describe: 'run name (several for --kind convergence)' })
          .option('db', { type: 'string', default: DEFAULT_DB })
          .option('kind', { choices: ['pareto', 'convergence', 'energy', 'roofline', 'params'], default: 'pareto' })
          .option('x', { type: 'string', describe: 'pareto: metric across (default: the first objective)' })
          .option('y', { type: 'string', describe: 'pareto: metric up (default: the second objective)' })
          .option('color', { type: 'string', describe: 'pareto, params: metric as colour' })
          .option('genome', { type: 'string', describe: 'roofline, energy by step: the design (default: the front\'s best on the first objective)' })
          .option('out', { type: 'string', demandOption: true, describe: 'FILE.svg, FILE.png or FILE.html' }),
      async (a) => {
        const { chartCommand } = await import('./chart/commands.js');
        const r = await chartCommand({ run: a.run as string[], db: a.db, kind: a.kind, x: a.x, y: a.y, color: a.color, genome: a.genome, out: a.out });
        print(`${r.kind} chart written to ${r.file}`);
      },
    )
    .command(
      'report',
      'write one self-contained HTML page of a run: settings, front and charts',
      (y) => y.option('run', { type: 'string', demandOption: true }).option('db', { type: 'string', default: DEFAULT_DB }).option('out', { type: 'string', demandOption: true, describe: 'folder for index.html' }),
      async (a) => {
        const r = await (await import('./chart/commands.js')).reportCommand({ run: a.run, db: a.db, out: a.out });
        print(`report written to ${r.file} (${r.charts} charts${r.skipped.length ? `; not drawn: ${r.skipped.map((s) => s.reason).join('; ')}` : ''})`);
      },
    )
    .demandCommand(1, 'name a command: eval, compare, calibrate, collective, search, runs, front, export, batch, chart, report or presets')
    .strict()
    .recommendCommands()
    .fail((msg, err) => {
      if (err) throw err;
      // yargs explains bad choices over several lines; one line is enough.
      throw new UsageError(msg.split('\n').map((l) => l.trim()).filter(Boolean).join(' '));
    })
    .help()
    .parseAsync();
}


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
