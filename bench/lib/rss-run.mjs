// Runs the CLI of a build (argv[2]: its cli.js) with the rest of the arguments, and writes the
// process's peak resident memory (KB, worker threads included) to RSS_OUT when it exits.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [cli, ...args] = process.argv.slice(2);
process.on('exit', () => writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));
process.argv = [process.argv[0], cli, ...args];
await import(pathToFileURL(cli).href);
