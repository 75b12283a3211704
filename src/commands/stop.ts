/** Ctrl-C during a search: the first stops it after the generation in hand is stored, the second aborts. */
let stopRequested = false;

export function installStopHandler(): void {
  process.on('SIGINT', () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    process.stderr.write('\nchipdse: stopping after this generation (Ctrl-C again to abort)\n');
  });
}

export const shouldStop = (): boolean => stopRequested;
