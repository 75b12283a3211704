import { frontJson } from '../results/export.js';
import { sweepReport } from '../search/sweep-report.js';
import { frontTable } from '../text/front-table.js';
import { ChipdseError } from '../errors.js';
import { describeEstimate } from '../search/estimate.js';
import { countProgress } from '../text/progress.js';
import { EvaluationStopped } from '../queue/client.js';
import { distributedUrl } from '../search/coordinator.js';
import { checkPositiveWhole, defineCommand, setOption, settingsFor, UsageError } from './command.js';
import { installStopHandler, shouldStop } from './stop.js';
import { checkOutputPath, print, printJson, writeOutput } from './output.js';

/** Estimates shorter than this are not printed. */
const QUIET_ESTIMATE_SEC = 60;

/** Seconds between progress lines off a terminal: CHIPDSE_PROGRESS_SEC, else 30. */
function progressIntervalSec(): number {
  const raw = process.env.CHIPDSE_PROGRESS_SEC;
  if (raw === undefined || raw.trim() === '') return 30;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new ChipdseError(`CHIPDSE_PROGRESS_SEC: expected a number of seconds, got "${raw}"`);
  return v;
}

export const sweepVerb = defineCommand({
  command: 'sweep',
  describe: 'evaluate every design of a space for its true Pareto front, streaming (stores nothing; for spaces too large to keep)',
  builder: (y) =>
    y
      .option('space', { alias: 's', type: 'string', demandOption: true, describe: 'preset name or path of a space file' })
      .option('workload', { alias: 'w', type: 'array', string: true, default: [] as string[], describe: 'workloads (default: the space\'s own list)' })
      .option('workers', { type: 'number', default: 1, describe: 'worker threads evaluating in parallel, at most (one per 1,000 designs; the front does not depend on it)' })
      .option('json', { type: 'boolean', describe: 'the counts, reference, hypervolume and the front with every metric, as JSON' })
      .option('out', { type: 'string', describe: 'also write that JSON to this file' })
      .option('allow-long', { type: 'boolean', describe: 'start a sweep estimated (from a timed sample of its designs) to take more than an hour' })
      .option('distribute', { type: 'boolean', describe: 'evaluate on chipdse worker processes through the job queue of the postgresql:// --storage' })
      .option('storage', { alias: 'db', type: 'string', describe: 'with --distribute: the postgresql:// URL the workers use (the sweep stores nothing else)' })
      .option('job-timeout', { type: 'number', describe: 'with --distribute: seconds after which a shard a worker took and did not finish goes to another worker (default 120)' })
      .option('job-designs', { type: 'number', describe: 'with --distribute: designs per shard (default: sized from the workers alive and their speed)' })
      .option('set', { ...setOption, describe: `${setOption.describe}; design fields go to the space's base design` })
      .example('$0 sweep --space inference-chip --workers 2', 'the true front of a 12,960-design space, nothing stored')
      .example('$0 sweep --space small --set inputTokens=4096 --json --out front.json', 'the same for longer prompts, as JSON')
      .example('$0 sweep --space inference-chip --storage postgresql://chipdse@db:5432/chipdse --distribute', 'the same, in shards evaluated by chipdse worker processes')
      .check((a) => {
        checkPositiveWhole('workers', a.workers);
        checkPositiveWhole('job-designs', a['job-designs'] as number | undefined);
        if (a.jobTimeout !== undefined && !((a.jobTimeout as number) >= 1)) throw new UsageError(`--job-timeout must be at least 1 (seconds), got ${a.jobTimeout}`);
        if (Boolean(a.distribute) !== (a.storage !== undefined)) throw new UsageError('--distribute and --storage go together: a sweep stores nothing unless its workers need the database');
        if (!a.distribute && (a.jobTimeout !== undefined || a.jobDesigns !== undefined)) throw new UsageError('--job-timeout and --job-designs go with --distribute');
        return true;
      }),
  handler: async (a) => {
    if (a.out) checkOutputPath(a.out);
    const progress = countProgress(process.stderr, a.space, progressIntervalSec());
    if (a.distribute) installStopHandler();
    const r = await sweepReport({
      space: a.space,
      workloads: a.workload as string[],
      workers: a.workers,
      set: settingsFor(a.set),
      allowLong: a.allowLong,
      onEstimate: (e) => e.seconds > QUIET_ESTIMATE_SEC && process.stderr.write(`chipdse: ${a.space}: ${describeEstimate(e)}\n`),
      onProgress: (p) => progress.update(p.evaluated, p.total),
      distribute: a.distribute
        ? { url: distributedUrl(a.storage!), jobTimeoutSec: a.jobTimeout, jobDesigns: a.jobDesigns, shouldStop, onWait: (w) => process.stderr.write(`${a.space}: ${w.done}/${w.total} shards back after ${w.waitedSec.toFixed(0)} s, ${w.workersAlive} workers alive\n`) }
        : undefined,
    }).catch((e: unknown) => {
      // Ctrl-C while waiting on workers: the sweep's jobs were taken off the queue.
      if (!(e instanceof EvaluationStopped)) throw e;
      process.exit(130);
    });
    progress.end();
    // No wall time in the JSON: the same space and workloads give the same bytes.
    const { seconds: _seconds, ...rest } = r;
    const doc = { ...rest, front: frontJson(r, r.front) };
    if (a.out) writeOutput(a.out, JSON.stringify(doc, null, 2) + '\n', { makeFolder: false });
    if (a.json) return printJson(doc);
    const ref = r.reference ? `, reference ${r.reference.map((v) => Number(v.toPrecision(4))).join(' / ')} (${r.referenceFrom})` : '';
    const twins = r.identicalLeftOut > 0 ? ` (${r.identicalLeftOut} more with the same objectives as one of them left out)` : '';
    print(`${r.space}: ${r.evaluated} designs (${r.feasible} feasible, ${r.invalid} invalid) in ${r.seconds.toFixed(1)} s; front of ${r.front.length}${twins}, hypervolume ${r.hypervolume === 0 ? '0' : r.hypervolume.toPrecision(6)}${ref}`);
    if (r.front.length === 0) return print('no feasible design');
    print(frontTable(r, r.front));
  },
});
