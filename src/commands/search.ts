import { ChipdseError } from '../errors.js';
import { ALGORITHMS, runNameProblem, type AlgorithmName } from '../results/run.js';
import type { WaitStatus } from '../search/coordinator.js';
import { displayAddress } from '../store/address.js';
import { DatabaseUnavailableError } from '../store/postgres-connect.js';
import { describeEstimate } from '../search/estimate.js';
import { runSearch } from '../search/run.js';
import { diagnose, type Diagnosis } from '../results/diagnosis.js';
import { DEFAULT_BUDGET, DEFAULT_SEED } from '../search/run-setup.js';
import { existsSync } from 'node:fs';
import { parseStoreAddress } from '../store/address.js';
import { openRun, openStore } from '../store/open.js';
import { formatDiagnosis } from '../text/diagnosis.js';
import { progressReporter } from '../text/progress.js';
import { shellCommand } from '../text/shell.js';
import { checkPositiveWhole, dbOption, defineCommand, DESIGN_AND_WORKLOAD, setOption, settingsFor, UsageError } from './command.js';
import { print } from './output.js';
import { installStopHandler, shouldStop } from './stop.js';

/**
 * The name of a new run given no --run: space-algorithm-seed, or, when a run of that name is
 * stored already, the first free space-algorithm-seed-N (N = 2, 3, ...), so running the same
 * command twice makes a second run instead of failing. A name the user gives is taken as given.
 */
async function defaultRunName(db: string, base: string): Promise<string> {
  const address = parseStoreAddress(db);
  if (address.kind === 'sqlite' && !existsSync(address.file)) return base;
  const store = await openStore(db);
  try {
    const names = new Set((await store.listRuns()).map((r) => r.name));
    if (!names.has(base)) return base;
    for (let n = 2; ; n++) if (!names.has(`${base}-${n}`)) return `${base}-${n}`;
  } finally {
    await store.close();
  }
}

/** Estimates shorter than this are not printed. */
const QUIET_ESTIMATE_SEC = 60;

/** What a distributed search prints while a generation waits on workers. */
function waitLine(run: string, w: WaitStatus, storage: string): string {
  const none = w.workersAlive === 0 ? ` (none alive: start some with chipdse worker --storage ${displayAddress(storage)})` : '';
  return `${run}: waiting on workers: ${w.done}/${w.total} back after ${w.waitedSec.toFixed(0)} s, ${w.workersAlive} workers alive${none}`;
}

export const searchVerb = defineCommand({
  command: 'search',
  describe: 'explore a design space against workloads; every evaluation and the Pareto front go to SQLite',
  builder: (y) =>
    y
      .option('space', { alias: 's', type: 'string', describe: 'preset name or path of a space file (not needed with --resume)' })
      .option('workload', { alias: 'w', type: 'array', string: true, default: [] as string[], describe: 'workloads (default: the space\'s own list)' })
      // No defaults here for what a run stores: with --resume, a value given must equal the stored one.
      .option('algorithm', { choices: ALGORITHMS, describe: 'nsga2 (default): evolutionary multi-objective search; random: uniform sampling without replacement; exhaustive: every design' })
      .option('budget', { type: 'number', describe: `unique designs to evaluate (default: ${DEFAULT_BUDGET}; exhaustive: every design of the space); never more than the space holds` })
      .option('population', { type: 'number', describe: 'population (and batch) size; default: budget/32 within 8..64 for nsga2 (see BENCHMARKS.md), 1024 for exhaustive, 64 for random' })
      .option('surrogate', { type: 'boolean', describe: 'nsga2: pre-screen offspring by a model fitted on the designs evaluated so far, proposing those it predicts add most to the front (default); --no-surrogate: plain NSGA-II offspring' })
      .option('seed', { type: 'number', describe: `seed of the random generator (default: ${DEFAULT_SEED}): the same seed and inputs give the same rows` })
      .option('workers', { type: 'number', default: 1, describe: 'worker threads evaluating in parallel, at most (one per 1,000 designs to evaluate; results do not depend on it)' })
      .option('db', dbOption)
      .option('run', { type: 'string', describe: 'run name (default: space-algorithm-seed, then space-algorithm-seed-2, -3, ... when that name is stored already)' })
      .option('resume', { type: 'boolean', describe: 'continue a stopped or killed run, with its stored settings' })
      .option('distribute', { type: 'boolean', describe: 'evaluate on chipdse worker processes (any number, on any machine) through the job queue of the postgresql:// --storage' })
      .option('job-timeout', { type: 'number', describe: 'with --distribute: seconds after which a job a worker took and did not finish goes to another worker (default 120)' })
      .option('job-designs', { type: 'number', describe: 'with --distribute: designs per job (default: sized from the workers alive and their speed)' })
      .option('set', { ...setOption, describe: 'PATH=VALUE: change one field of the space\'s base design (stored with the run, so --resume keeps it), the value read as in a file ("700 W", "6"); repeat for several' })
      .option('reference-chips', { type: 'array', string: true, describe: 'chips evaluated once with the run and drawn beside its designs: presets or design files, or none (default: every preset)' })
      .option('allow-long', { type: 'boolean', describe: 'start a search estimated (from a timed sample of its designs) to take more than an hour' })
      .example('$0 search --space small --budget 200 --run demo', 'NSGA-II over the 2,000-design example space, 200 designs')
      .example('$0 search --space small --algorithm exhaustive --run truth', 'every design of the space: the true front')
      .example('$0 search --run demo --resume', 'continue a stopped or killed run where it left off')
      .example('$0 search --space inference-chip --set "tdpW=800 W" --workers 2', 'the inference space with an 800 W cap, on two threads')
      .example('$0 search --space inference-chip --population 2000 --storage postgresql://chipdse@db:5432/chipdse --run big --distribute', 'evaluated by chipdse worker processes on other machines, stored in PostgreSQL')
      .check((a) => {
        for (const k of ['budget', 'population', 'workers', 'job-designs'] as const) checkPositiveWhole(k, a[k]);
        if (a.jobTimeout !== undefined && !((a.jobTimeout as number) >= 1)) throw new UsageError(`--job-timeout must be at least 1 (seconds), got ${a.jobTimeout}`);
        if (!a.distribute && (a.jobTimeout !== undefined || a.jobDesigns !== undefined)) throw new UsageError('--job-timeout and --job-designs go with --distribute');
        if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0)) throw new UsageError(`--seed must be a whole number >= 0, got ${a.seed}`);
        if (!a.resume && !a.space) throw new UsageError('--space is required (or --resume with --run)');
        if (a.resume && a.run === undefined) throw new UsageError('--resume needs --run');
        if (a.resume && a.set) throw new UsageError('--set changes the base design of a new run; a resumed run keeps the one it stored');
        if (a.resume && a.referenceChips) throw new UsageError('--reference-chips: a resumed run keeps the reference chips evaluated when it was created; drop it');
        const nameProblem = a.run === undefined ? undefined : runNameProblem(a.run);
        if (nameProblem) throw new UsageError(`--run: ${nameProblem}`);
        return true;
      }),
  handler: async (a) => {
    installStopHandler();
    const run = a.run ?? (await defaultRunName(a.db, `${a.space}-${a.algorithm ?? 'nsga2'}-${a.seed ?? DEFAULT_SEED}`));
    const bar = progressReporter(process.stderr, run);
    const chips = a.referenceChips as string[] | undefined;
    const distribute = a.distribute ? { jobTimeoutSec: a.jobTimeout, jobDesigns: a.jobDesigns, onWait: (w: WaitStatus) => process.stderr.write(`${waitLine(run, w, a.db)}\n`) } : undefined;
    const s = await runSearch({
      space: a.space, workloads: a.workload as string[], algorithm: a.algorithm as AlgorithmName | undefined, budget: a.budget, population: a.population, seed: a.seed, surrogate: a.surrogate,
      designSet: settingsFor(a.set, [DESIGN_AND_WORKLOAD[0]]).design,
      workers: a.workers, db: a.db, run, resume: Boolean(a.resume), referenceChips: chips && (chips.length === 1 && chips[0] === 'none' ? [] : chips),
      allowLong: a.allowLong, onEstimate: (e) => e.seconds > QUIET_ESTIMATE_SEC && process.stderr.write(`chipdse: ${run}: ${describeEstimate(e)}\n`), onGeneration: bar.update, shouldStop,
      onNotice: (line) => process.stderr.write(`chipdse: note: ${line}\n`),
      distribute,
    }).catch((e: unknown) => {
      // The database went away (restart, network): what is stored is whole generations; say how to go on.
      if (!(e instanceof DatabaseUnavailableError)) throw e;
      const resume = shellCommand(['chipdse', 'search', '--run', run, '--resume', '--storage', displayAddress(a.db), ...(a.distribute ? ['--distribute'] : [])]);
      throw new ChipdseError(`${e.message}; run "${run}" is stored up to its last whole generation: once the database is back, resume it with ${resume}`);
    });
    bar.end();
    print(`${s.run}: ${s.alreadyDone ? 'done earlier' : s.status}, ${s.evaluations} evaluations in ${s.generations} generation${s.generations === 1 ? '' : 's'}, front of ${s.frontSize}, hypervolume ${s.hypervolume === 0 ? '0' : s.hypervolume.toPrecision(6)} (db ${displayAddress(a.db)})`);
    if (s.frontSize === 0) print(formatDiagnosis(await runDiagnosis(a.db, s.run)));
    if (s.status === 'stopped') {
      print(`resume with: ${shellCommand(['chipdse', 'search', '--run', s.run, '--resume', '--db', displayAddress(a.db), ...(a.distribute ? ['--distribute'] : [])])}`);
      process.exitCode = 130;
    }
  },
});

/** Why a stored run has no feasible design (read back from the store). */
async function runDiagnosis(db: string, name: string): Promise<Diagnosis> {
  const { store, run } = await openRun(db, name);
  return diagnose(run, await store.loadEvaluations(run.id).finally(() => store.close()));
}
