/**
 * Standard output and error that go away or fill up. A reader that stops reading (`chipdse export
 * ... | head -c 100`) ends the command quietly with status 141, 128 + SIGPIPE, as git and the
 * coreutils end (Node ignores SIGPIPE, so a write fails with EPIPE instead of killing the process).
 * Standard output that cannot be written otherwise (a full disk, /dev/full) is one line on
 * standard error and status 1. Standard error that goes away (`search ... 2>&1 | head -2`) is
 * ignored: progress and messages no one can read are dropped, and the work goes on (a search
 * finishes and stores every generation).
 */

/** 128 + SIGPIPE (13). */
export const EXIT_BROKEN_PIPE = 141;

export function guardStandardStreams(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    process.stderr.write(`chipdse: standard output: cannot write (${e.code ?? e.message})\n`);
    process.exit(1);
  });
  process.stderr.on('error', () => {});
}
