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
