/** Every CLI verb, in the order `chipdse --help` lists them. */
import type { CommandModule } from 'yargs';
import { batchVerb } from './batch.js';
import { calibrateVerb } from './calibrate.js';
import { chartVerb } from './chart.js';
import { collectiveVerb } from './collective.js';
import { compareVerb } from './compare.js';
import { detailVerb } from './detail.js';
import { evalVerb } from './eval.js';
import { exportVerb } from './export.js';
import { frontVerb } from './front.js';
import { metricsVerb } from './metrics.js';
import { presetsVerb } from './presets.js';
import { reportVerb } from './report.js';
import { runsVerb } from './runs.js';
import { searchVerb } from './search.js';
import { sweepVerb } from './sweep.js';
import { workerVerb } from './worker.js';
import { workersVerb } from './workers.js';

// Each verb has its own option types; the list only needs what yargs registers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<object, any>[] = [
  evalVerb, compareVerb, calibrateVerb, collectiveVerb,
  searchVerb, sweepVerb, batchVerb, workerVerb, workersVerb, runsVerb, frontVerb, exportVerb,
  chartVerb, reportVerb, detailVerb, presetsVerb, metricsVerb,
];

/** The verbs' names (`batch <file>` -> batch). */
export const VERBS = COMMANDS.map((c) => String(c.command).split(' ')[0]);

export { UsageError } from './command.js';
