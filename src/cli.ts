/** The command line: yargs parses, a verb of src/commands/ does the work, and errors end as one line. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMANDS, UsageError, VERBS } from './commands/index.js';
import { guardStandardStreams } from './commands/streams.js';
import { ChipdseError } from './errors.js';

const debug = process.argv.includes('--debug');

/** "a, b or c" */
const listed = (xs: string[]) => `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;

async function main(): Promise<void> {
  guardStandardStreams();
  await yargs(hideBin(process.argv))
    .scriptName('chipdse')
    .usage('$0 <command> [options]\n\nEvaluate ML accelerator designs on workload traces: time, energy in joules by where it is spent, area and cost.')
    .option('debug', { type: 'boolean', describe: 'print stack traces of errors' })
    .command(COMMANDS)
    .demandCommand(1, `name a command: ${listed(VERBS)}`)
    .strict()
    .recommendCommands()
    .fail((msg, err) => {
      // yargs' own errors (YError: a failed coerce, say) are about the command line too.
      if (err && err.name !== 'YError') throw err;
      // yargs explains bad choices over several lines; one line is enough.
      throw new UsageError((msg ?? err?.message ?? '').split('\n').map((l) => l.trim()).filter(Boolean).join(' '));
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
