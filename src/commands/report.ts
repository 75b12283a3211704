import { join } from 'node:path';
import { buildReport } from '../chart/html-report.js';
import { loadRunData } from '../chart/run-data.js';
import { dbOption, defineCommand, runStatusText } from './command.js';
import { checkOutputPath, print, writeOutput } from './output.js';

export interface ReportOptions {
  run: string;
  db: string;
  /** Folder the page (index.html) is written to. */
  out: string;
}

/** One self-contained HTML page of a stored run: settings, front and charts. */
export async function reportCommand(o: ReportOptions): Promise<{ file: string; charts: number; skipped: { id: string; reason: string }[] }> {
  const file = join(o.out, 'index.html');
  checkOutputPath(file, { db: o.db });
  const data = await loadRunData(o.db, o.run);
  const report = buildReport(data, runStatusText(data.run, o.db));
  writeOutput(file, report.html, { makeFolder: true, db: o.db });
  return { file, charts: report.charts.length, skipped: report.skipped };
}

export const reportVerb = defineCommand({
  command: 'report',
  describe: 'write one self-contained HTML page of a run: settings, front and charts',
  builder: (y) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'the run\'s name (chipdse runs lists them)' })
      .option('db', dbOption)
      .option('out', { type: 'string', demandOption: true, describe: 'folder for index.html' })
      .example('$0 report --run demo --out results/demo', 'settings, front, reference chips and every chart in one page that opens offline'),
  handler: async (a) => {
    const r = await reportCommand({ run: a.run, db: a.db, out: a.out });
    print(`report written to ${r.file} (${r.charts} charts${r.skipped.length ? `; not drawn: ${r.skipped.map((s) => s.reason).join('; ')}` : ''})`);
  },
});
