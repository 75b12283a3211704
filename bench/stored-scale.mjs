// Stored exhaustive runs at scale (issue 17): CPU time and peak RSS of `runSearch` with the
// exhaustive algorithm (every design stored in SQLite, what `chipdse search --algorithm
// exhaustive` does) against the streaming sweep (`sweepSpace`, nothing stored) on the same
// space, one and two workers, each run its own process under /usr/bin/time -v (CPU is user +
// system of the whole process, worker threads included; RSS is its peak).
//
//   node bench/stored-scale.mjs [--quick] [--sizes 6,7] [--rounds N]
//
// --rounds: each configuration run N times, stored and sweep in turn (default 1); the row kept is
// the run of median CPU, with every run's CPU seconds beside it (the machine is shared: one run
// moves by 10-15%).
// --sizes: the exponents measured (default 6; --quick: 5). 10^6 and smaller run with 1 and 2
// workers; 10^7 (bench/spaces/scale-1e7.json: about 6 GB of database and tens of minutes on 2
// shared cores) with 2 only. Rows of sizes not measured this time are kept from the previous
// result file, each with the date and load it was measured at.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { QUICK, ROOT, argValue, log, readResult, writeResult } from './lib/common.mjs';
import { SCALE_DIR, SCALE_WORKLOAD, writeScaleSpaces } from './lib/scale-spaces.mjs';

if (!existsSync('/usr/bin/time')) {
  log('stored-scale: needs /usr/bin/time (GNU time) for CPU time and peak RSS');
  process.exit(2);
}
writeScaleSpaces();

/** One run of bench/lib/scale-run.mjs under /usr/bin/time -v: its JSON line plus CPU seconds and peak RSS. */
function timed(exponent, method, workers) {
  const space = join(SCALE_DIR, `scale-1e${exponent}.json`);
  log(`stored-scale: 1e${exponent} ${method} workers=${workers}`);
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, join(ROOT, 'bench/lib/scale-run.mjs'), '--space', space, '--method', method, '--workers', String(workers)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`scale-run failed: ${r.stderr.slice(-2000)}`);
  const field = (name) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(r.stderr)?.[1]);
  const run = JSON.parse(r.stdout.trim().split('\n').pop());
  const cpu = field('User time \\(seconds\\)') + field('System time \\(seconds\\)');
  return {
    size: run.size,
    method,
    workers,
    seconds: run.seconds,
    cpuSeconds: Number(cpu.toFixed(2)),
    cpuMicrosecondsPerDesign: Number(((cpu / run.size) * 1e6).toFixed(2)),
    peakRssMB: Math.round(field('Maximum resident set size \\(kbytes\\)') / 1024),
    peakMainHeapMB: run.peakMainHeapMB,
    frontSize: run.frontSize,
    frontKeysHash: run.frontKeysHash,
    dbMB: run.dbMB ?? null,
    measuredAt: new Date().toISOString(),
    loadavgAfter: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

const sizes = (argValue('sizes') ?? (QUICK ? '5' : '6')).split(',').map(Number);
const previous = readResult('stored-scale')?.rows ?? [];
const measured = [];
let rows = previous;
/** Written after every run, so that a long run's figures survive a later failure. */
function save() {
  const kept = previous.filter((r) => !measured.some((m) => m.size === r.size && m.method === r.method && m.workers === r.workers));
  rows = [...kept, ...measured].sort((a, b) => a.size - b.size || a.workers - b.workers || a.method.localeCompare(b.method));
  const pairs = [...new Set(rows.map((r) => `${r.size}/${r.workers}`))].flatMap((k) => {
    const sweep = rows.find((r) => `${r.size}/${r.workers}` === k && r.method === 'sweep');
    const search = rows.find((r) => `${r.size}/${r.workers}` === k && r.method === 'search');
    return sweep && search ? [{ size: sweep.size, workers: sweep.workers, cpuRatio: Number((search.cpuSeconds / sweep.cpuSeconds).toFixed(2)), sameFront: sweep.frontKeysHash === search.frontKeysHash }] : [];
  });
  return writeResult('stored-scale', { workload: SCALE_WORKLOAD, rows, pairs });
}
const rounds = Number(argValue('rounds') ?? '1');
/** The run of median CPU of `runs`, with all their CPU seconds. */
function median(runs) {
  const sorted = [...runs].sort((a, b) => a.cpuSeconds - b.cpuSeconds);
  return { ...sorted[(sorted.length - 1) >> 1], cpuSecondsEachRun: runs.map((r) => r.cpuSeconds) };
}
for (const e of sizes) {
  for (const workers of e >= 7 ? [2] : [1, 2]) {
    const runs = { search: [], sweep: [] };
    for (let r = 0; r < rounds; r++) {
      // The stored run first: at 10^7 it is the one the benchmark is for.
      for (const method of ['search', 'sweep']) runs[method].push(timed(e, method, workers));
    }
    for (const method of ['search', 'sweep']) {
      measured.push(rounds > 1 ? median(runs[method]) : runs[method][0]);
      save();
    }
  }
}

log(`wrote ${save()}`);
