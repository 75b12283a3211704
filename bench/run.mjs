// Runs the benchmarks one after another (each in its own process), then writes BENCHMARKS.md.
//
//   npm run bench                  # everything (about 15 minutes on a 2-core machine)
//   npm run bench -- --quick       # fewer repetitions, seeds and sizes (about 3 minutes)
//   node bench/run.mjs --only throughput,profile
//   (distributed needs a PostgreSQL server: CHIPDSE_BENCH_PG or CHIPDSE_TEST_PG, see bench/distributed.mjs)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { QUICK, ROOT, argValue, log } from './lib/common.mjs';

const PARTS = ['throughput', 'profile', 'scaling', 'stored-scale', 'quality', 'peer', 'quality-heldout', 'peer-heldout', 'storage', 'distributed'];
/** Parts that run another part's script on the space kept out of the search's tuning (bench/NOTES.md). */
const RUNS = {
  'quality-heldout': ['quality', '--space', 'training-chip', '--out', 'quality-training-chip'],
  'peer-heldout': ['peer', '--space', 'training-chip', '--no-timing', '--out', 'peer-training-chip'],
};
const only = argValue('only')?.split(',') ?? PARTS;
const unknown = only.filter((p) => !PARTS.includes(p));
if (unknown.length > 0) {
  log(`bench: unknown part(s) ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
  process.exit(2);
}

const t0 = performance.now();
const times = {};
const failed = [];
for (const part of PARTS.filter((p) => only.includes(p))) {
  const t = performance.now();
  log(`\n== ${part}${QUICK ? ' (quick)' : ''}`);
  try {
    const [script, ...args] = RUNS[part] ?? [part];
    execFileSync(process.execPath, [join(ROOT, 'bench', `${script}.mjs`), ...args, ...(QUICK ? ['--quick'] : [])], { stdio: 'inherit' });
  } catch {
    // The part printed its error; the others still run, and the report keeps that part's previous results.
    failed.push(part);
  }
  times[part] = Math.round((performance.now() - t) / 1000);
}
execFileSync(process.execPath, [join(ROOT, 'bench/report.mjs')], { stdio: 'inherit' });
log(`\nbench: done in ${Math.round((performance.now() - t0) / 1000)} s (${Object.entries(times).map(([k, v]) => `${k} ${v} s`).join(', ')})`);
if (failed.length > 0) {
  log(`bench: FAILED: ${failed.join(', ')}`);
  process.exitCode = 1;
}
