import type { Progress } from '../results/run.js';

/** A progress bar on a terminal, plain log lines otherwise (CI logs, pipes). */
export function progressReporter(stream: NodeJS.WriteStream, run: string): { update: (p: Progress) => void; end: () => void } {
  const tty = Boolean(stream.isTTY);
  let last = '';
  const line = (p: Progress) => {
    const frac = Math.min(1, p.evaluations / p.budget);
    const fields = `gen ${p.generation}  evals ${p.evaluations}/${p.budget}  feasible ${(p.feasibleShare * 100).toFixed(0)}%  front ${p.frontSize}  HV ${p.hypervolume.toPrecision(4)}  ${p.evaluationsPerSec.toFixed(0)} evals/s${p.workers !== undefined ? `  workers ${p.workers}` : ''}`;
    if (!tty) return `${run}: ${fields}`;
    const width = 20;
    const filled = Math.round(frac * width);
    return `${run} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${fields}`;
  };
  return {
    update: (p) => {
      last = line(p);
      if (tty) stream.write(`\r${last}\u001b[K`);
      else stream.write(`${last}\n`);
    },
    end: () => {
      if (tty && last) stream.write('\n');
    },
  };
}

/**
 * Progress through a count (designs of a sweep): on a terminal a line rewritten in place; off a
 * terminal (a log, a pipe) a line every `intervalSec`, with the rate and the time left, so a long
 * run says it is alive without filling the log.
 */
export function countProgress(stream: NodeJS.WriteStream, label: string, intervalSec: number): { update: (done: number, total: number) => void; end: () => void } {
  const tty = Boolean(stream.isTTY);
  const started = performance.now();
  let lastLine = started;
  return {
    update: (done, total) => {
      const now = performance.now();
      if (tty) {
        stream.write(`\r${label}: ${done}/${total} designs\u001b[K`);
        return;
      }
      if ((now - lastLine) / 1000 < intervalSec || done >= total) return;
      lastLine = now;
      const rate = done / Math.max(1e-3, (now - started) / 1000);
      const left = (total - done) / Math.max(rate, 1e-9);
      stream.write(`${label}: ${done}/${total} designs (${((100 * done) / total).toFixed(1)}%), ${Math.round(rate)} designs/s, about ${Math.round(left)} s left\n`);
    },
    end: () => {
      if (tty) stream.write('\r\u001b[K');
    },
  };
}
