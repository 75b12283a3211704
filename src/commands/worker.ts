import { parseStoreAddress } from '../store/address.js';
import { ChipdseError } from '../errors.js';
import { runWorker } from '../search/worker-loop.js';
import { defineCommand } from './command.js';

/** SIGTERM (a scheduler ending the job) or Ctrl-C: finish the job in hand, then stop; a second one stops at once. */
function stopSignals(): () => boolean {
  let stop = false;
  const on = () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write('chipdse worker: stopping after the job in hand (again to stop at once)\n');
  };
  process.on('SIGTERM', on);
  process.on('SIGINT', on);
  return () => stop;
}

export const workerVerb = defineCommand({
  command: 'worker',
  describe: 'evaluate the jobs of distributed searches and sweeps (chipdse search --distribute) from a PostgreSQL database, until stopped',
  builder: (y) =>
    y
      .option('storage', { alias: 'db', type: 'string', demandOption: true, describe: 'the postgresql:// URL of the runs (the worker needs nothing else; give the password in PGPASSWORD or ~/.pgpass)' })
      .option('exit-when-idle', { type: 'number', describe: 'exit after the queue has been empty this many seconds (for batch schedulers)' })
      .option('max-jobs', { type: 'number', describe: 'exit after this many jobs' })
      .option('poll', { type: 'number', default: 0.5, describe: 'seconds between looks at an empty queue' })
      .option('give-up-after', { type: 'number', default: 600, describe: 'exit when the database has been unreachable this many seconds' })
      .example('$0 worker --storage postgresql://chipdse@db:5432/chipdse', 'take jobs until stopped (SIGTERM or Ctrl-C finish the job in hand first)')
      .example('$0 worker --storage postgresql://chipdse@db:5432/chipdse --exit-when-idle 300', 'end once the queue has been empty for 5 minutes (Slurm, Kubernetes Jobs)'),
  handler: async (a) => {
    const address = parseStoreAddress(a.storage);
    if (address.kind !== 'postgresql') throw new ChipdseError(`--storage: a worker needs a postgresql:// URL (a distributed run lives in PostgreSQL), got ${a.storage}`);
    for (const [k, v] of [['poll', a.poll], ['give-up-after', a.giveUpAfter], ['exit-when-idle', a.exitWhenIdle], ['max-jobs', a.maxJobs]] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new ChipdseError(`--${k}: expected a positive number, got ${v}`);
    }
    const s = await runWorker({
      url: address.url,
      pollSec: a.poll,
      idleExitSec: a.exitWhenIdle,
      maxJobs: a.maxJobs,
      giveUpSec: a.giveUpAfter,
      log: (line) => process.stderr.write(`${line}\n`),
      shouldStop: stopSignals(),
    });
    const why = s.reason === 'idle' ? 'the queue stayed empty' : s.reason === 'max-jobs' ? 'it did its --max-jobs' : 'it was asked to';
    process.stderr.write(`chipdse worker ${s.id}: stopped because ${why}: ${s.jobs} jobs, ${s.designs} designs evaluated${s.refused ? `, ${s.refused} jobs refused or failed` : ''}\n`);
  },
});
