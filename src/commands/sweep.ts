import { frontJson } from '../results/export.js';
import { sweepReport } from '../search/sweep-report.js';
import { frontTable } from '../text/front-table.js';
import { checkPositiveWhole, defineCommand } from './command.js';
import { checkOutputPath, print, printJson, writeOutput } from './output.js';

export const sweepVerb = defineCommand({
  command: 'sweep',
  describe: 'evaluate every design of a space for its true Pareto front, streaming (stores nothing; for spaces too large to keep)',
  builder: (y) =>
    y
      .option('space', { alias: 's', type: 'string', demandOption: true, describe: 'preset name or path of a space file' })
      .option('workload', { alias: 'w', type: 'array', string: true, default: [] as string[], describe: 'workloads (default: the space\'s own list)' })
      .option('workers', { type: 'number', default: 1, describe: 'worker threads evaluating in parallel (the front does not depend on it)' })
      .option('json', { type: 'boolean', describe: 'the counts, reference, hypervolume and the front with every metric, as JSON' })
      .option('out', { type: 'string', describe: 'also write that JSON to this file' })
      .check((a) => {
        checkPositiveWhole('workers', a.workers);
        return true;
      }),
  handler: async (a) => {
    if (a.out) checkOutputPath(a.out);
    const tty = Boolean(process.stderr.isTTY);
    const r = await sweepReport({
      space: a.space,
      workloads: a.workload as string[],
      workers: a.workers,
      onProgress: tty ? (p) => process.stderr.write(`\r${a.space}: ${p.evaluated}/${p.total} designs\u001b[K`) : undefined,
    });
    if (tty) process.stderr.write('\r\u001b[K');
    // No wall time in the JSON: the same space and workloads give the same bytes.
    const { seconds: _seconds, ...rest } = r;
    const doc = { ...rest, front: frontJson(r, r.front) };
    if (a.out) writeOutput(a.out, JSON.stringify(doc, null, 2) + '\n', { makeFolder: false });
    if (a.json) return printJson(doc);
    const ref = r.reference ? `, reference ${r.reference.map((v) => Number(v.toPrecision(4))).join(' / ')} (${r.referenceFrom})` : '';
    print(`${r.space}: ${r.evaluated} designs (${r.feasible} feasible, ${r.invalid} invalid) in ${r.seconds.toFixed(1)} s; front of ${r.front.length}, hypervolume ${r.hypervolume === 0 ? '0' : r.hypervolume.toPrecision(6)}${ref}`);
    if (r.front.length === 0) return print('no feasible design');
    print(frontTable(r, r.front));
  },
});
